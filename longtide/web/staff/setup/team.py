"""Staff: who works here in which role; invite by email, change a role, remove; send a pending invitation
again or withdraw it. A pending invitation reads the same whether its address has a login or not
(practice/staff.py): its row is found by the address, never by a row id of one kind or the other."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.practice.access import Perm, can
from longtide.practice.models import Practice, Role, StaffMembership
from longtide.practice.staff import (
    MAX_EMAIL_LENGTH,
    Invited,
    change_role,
    display_name,
    has_login,
    invite_staff,
    pending_of,
    remove_member,
    resend_invitation,
    resend_pending,
    supervisors,
    withdraw_pending,
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
            _report_sending(request, invited)
            return redirect("settings-staff", practice.slug)
    pending, pending_members = pending_of(practice)
    members = practice.memberships.select_related("user").exclude(pk__in=pending_members)
    rows: list[tuple[tuple[int, str, str], dict[str, Any]]] = [
        (
            (ROLE_ORDER[Role(m.role)], m.user.first_name, m.user.get_username()),
            {
                "membership": m,
                "name": display_name(m.user),
                "username": m.user.get_username(),
                "role_form": RoleForm(
                    initial={"role": m.role, "supervisor": m.supervisor_id}, prefix=f"m{m.pk}", supervisors=choices
                ),
                "supervisor": dict(choices).get(m.supervisor_id) if m.supervisor_id else None,
            },
        )
        for m in members
    ]
    rows += [
        (
            (ROLE_ORDER[p.role], p.first_name, p.email),
            {
                "pending": p,
                "name": p.name,
                "username": p.email,
                "role": p.role.label,
                "supervisor": dict(choices).get(p.supervisor_id) if p.supervisor_id else None,
            },
        )
        for p in pending
    ]
    rows.sort(key=lambda row: row[0])
    context = {"practice": practice, "section": "staff", "form": form, "rows": [row for _key, row in rows]}
    return render(request, "web/staff/settings/staff.html", context, status=form_status(form))


ROLE_ORDER = {Role.OWNER: 0, Role.PRACTITIONER: 1, Role.STUDENT: 2, Role.FRONT_DESK: 3}


@owner_page(Perm.STAFF_MANAGE)
@require_POST
def staff_pending(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Send a pending invitation again, or withdraw it; the row is named by its address."""
    email = request.POST.get("email", "")
    action = request.POST.get("action", "")
    if not email or len(email) > MAX_EMAIL_LENGTH or "\x00" in email or action not in ("resend", "withdraw"):
        messages.error(request, _("Choose an invitation from the list."))
        return redirect("settings-staff", practice.slug)
    try:
        if action == "resend":
            invited = resend_pending(practice=practice, email=email, by=_acting(request), now=timezone.now())
        else:
            withdraw_pending(practice=practice, email=email, by=_acting(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "resend":
            _report_sending(request, invited)
        else:
            messages.success(request, _("Withdrew the invitation to %(who)s.") % {"who": email.strip().lower()})
    return redirect("settings-staff", practice.slug)


def _joined(practice: Practice, pk: int) -> StaffMembership:
    """A member who has joined (can sign in). A pending invitation is reached by its address
    (staff_pending), never by a row id, whichever kind it is: an owner probing the id after their
    last invitation would otherwise learn whether that address had a login (a membership was made
    at once) or not (an invitation was)."""
    membership = get_object_or_404(practice.memberships.select_related("user"), pk=pk)
    if not has_login(membership.user):
        raise Http404
    return membership


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
    membership = _joined(practice, pk)
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
    membership = _joined(practice, pk)
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
    membership = _joined(practice, pk)
    try:
        invited = resend_invitation(
            practice=practice, membership_id=membership.pk, by=_acting(request), now=timezone.now()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _report_sending(request, invited)
    return redirect("settings-staff", practice.slug)


def _report_sending(request: HttpRequest, invited: Invited) -> None:
    """Say whether the mail server took the invitation (a failure keeps it; send it again later). The
    same words whether the address has a login or not (no oracle)."""
    who = invited.email
    if invited.sent is False:
        messages.error(
            request,
            _(
                "The invitation to %(who)s is kept, but the email could not be sent. "
                "Check the mail settings, then use “Send again”."
            )
            % {"who": who},
        )
    else:
        messages.success(request, _("Sent the invitation to %(who)s.") % {"who": who})


def _after_change(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Back to the staff page — or to the staff home when the owner just gave up their own access."""
    if not can(request.user, Perm.STAFF_MANAGE, practice):
        return redirect("staff-home")
    return redirect("settings-staff", practice.slug)
