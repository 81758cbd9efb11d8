"""Staff: who works here in which role; invite by email, change a role, remove, send a new link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.practice.access import Perm, can
from longtide.practice.models import Practice, Role
from longtide.practice.staff import (
    Invited,
    change_role,
    display_name,
    invite_staff,
    remove_member,
    resend_invitation,
    supervisors,
)
from longtide.scheduling.feeds import revoke_feeds_for
from longtide.scheduling.models import Appointment, Status
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.team_forms import InviteForm, RoleForm


def _acting(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # member_required let only signed-in users through
    return request.user


@owner_page(Perm.STAFF_MANAGE)
def staff_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    choices = supervisors(practice)
    form = InviteForm(request.POST or None, supervisors=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = invite_staff(
                practice=practice,
                email=data["email"],
                role=Role(data["role"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                supervisor_id=data["supervisor"],
                by=_acting(request),
                now=timezone.now(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _report_sending(request, invited, data["email"])
            return redirect("settings-staff", practice.slug)
    order = Case(
        When(role=Role.OWNER, then=0), When(role=Role.PRACTITIONER, then=1), When(role=Role.STUDENT, then=2), default=3
    )
    members = practice.memberships.select_related("user", "supervisor").order_by(
        order, "user__first_name", "user__username"
    )
    rows = [
        {
            "membership": m,
            "name": display_name(m.user),
            "pending": not m.user.has_usable_password(),
            "role_form": RoleForm(
                initial={"role": m.role, "supervisor": m.supervisor_id}, prefix=f"m{m.pk}", supervisors=choices
            ),
            "supervisor": dict(choices).get(m.supervisor_id) if m.supervisor_id else None,
        }
        for m in members
    ]
    context = {"practice": practice, "section": "staff", "form": form, "rows": rows}
    return render(request, "web/staff/settings/staff.html", context, status=form_status(form))


def _add_errors(form: InviteForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@owner_page(Perm.STAFF_MANAGE)
@require_POST
def staff_role(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    membership = get_object_or_404(practice.memberships.select_related("user"), pk=pk)
    form = RoleForm(request.POST, prefix=f"m{pk}", supervisors=supervisors(practice))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("settings-staff", practice.slug)
    try:
        change_role(
            practice=practice,
            membership_id=membership.pk,
            role=Role(form.cleaned_data["role"]),
            supervisor_id=form.cleaned_data["supervisor"],
            by=_acting(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": display_name(membership.user), "role": Role(form.cleaned_data["role"]).label},
        )
    return _after_change(request, practice)


@owner_page(Perm.STAFF_MANAGE)
@require_POST
def staff_remove(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    membership = get_object_or_404(practice.memberships.select_related("user"), pk=pk)
    if request.POST.get("confirm") != "1":
        profile = practice.practitioners.filter(user_id=membership.user_id).first()
        context = {
            "practice": practice,
            "section": "staff",
            "membership": membership,
            "name": display_name(membership.user),
            # Their profile: whether it still takes bookings, and the sessions booked with it ahead
            # (they stay booked; someone moves or cancels them).
            "profile": profile,
            "upcoming": Appointment.objects.filter(
                practitioner=profile, status=Status.BOOKED, start__gt=timezone.now()
            ).count()
            if profile is not None
            else 0,
        }
        return render(request, "web/staff/settings/staff_remove.html", context)
    try:
        remove_member(
            practice=practice,
            membership_id=membership.pk,
            by=_acting(request),
            stop_bookings=request.POST.get("stop_bookings") == "1",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        # Their feed stopped working with the membership (CalendarFeedQuerySet.working); stopped
        # for good too, so that joining again later does not bring the old address back.
        revoke_feeds_for(membership.user_id, practice.pk, by=_acting(request))
        messages.success(request, _("Removed %(name)s from the practice.") % {"name": display_name(membership.user)})
    return _after_change(request, practice)


@owner_page(Perm.STAFF_MANAGE)
@require_POST
def staff_resend(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    membership = get_object_or_404(practice.memberships.select_related("user"), pk=pk)
    try:
        invited = resend_invitation(
            practice=practice, membership_id=membership.pk, by=_acting(request), now=timezone.now()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _report_sending(request, invited, display_name(membership.user))
    return redirect("settings-staff", practice.slug)


def _report_sending(request: HttpRequest, invited: Invited, who: str) -> None:
    """Say whether the mail server took the invitation (a failure keeps the membership; resend later)."""
    if invited.sent is False:
        messages.error(
            request,
            _(
                "%(who)s is on the staff, but the email could not be sent. "
                "Check the mail settings, then use “Send a new link”."
            )
            % {"who": who},
        )
    elif invited.link is None:
        messages.success(request, _("Added %(who)s; they can sign in with their existing login.") % {"who": who})
    else:
        messages.success(request, _("Sent %(who)s a one-time link to choose a password.") % {"who": who})


def _after_change(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Back to the staff page — or to the staff home when the owner just gave up their own access."""
    if not can(request.user, Perm.STAFF_MANAGE, practice):
        return redirect("staff-home")
    return redirect("settings-staff", practice.slug)
