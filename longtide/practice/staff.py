"""Staff of a practice: invite by email, change a role, remove — and never leave a practice without an owner.

Role changes and removals lock the practice's row before they read who the owners are, so two owners
removing (or demoting) each other at the same moment are serialized: the second one re-reads, finds
itself the last owner (or no longer an owner at all) and is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.practice.invitations import INVITATION_LIFETIME, IssuedLink, issue_link
from longtide.practice.models import Practice, Practitioner, Role, StaffMembership, supervisor_problem

logger = logging.getLogger(__name__)

# Django's username column is 150 characters; invited staff sign in with their email as username.
MAX_EMAIL_LENGTH = 150


@dataclass(slots=True)
class Invited:
    membership: StaffMembership
    link: IssuedLink | None  # None for someone who already has a password (they just sign in)
    # Set once the transaction has committed and the email was handed to the mail server (or not).
    sent: bool | None = None


def _send_on_commit(invited: Invited, *, email: str, by: User) -> None:
    """Email the invitation once the membership is committed, and note whether the mail server took it.

    A mail failure must not undo the invitation (the owner can send a new link), nor be a 500; the
    log line names the membership, never the address (security.md: no emails in logs).
    """

    def send() -> None:
        try:
            send_invitation(membership=invited.membership, link=invited.link, email=email, by=by)
        except Exception as error:
            logger.warning(
                "invitation email for membership %s not sent: %s", invited.membership.pk, type(error).__name__
            )
            invited.sent = False
        else:
            invited.sent = True

    transaction.on_commit(send)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_or_make_user(email: str, *, first_name: str = "", last_name: str = "") -> tuple[User, bool]:
    """Return the user with this email (as username or email address), or a new one without a password."""
    email = normalize_email(email)
    model = get_user_model()
    user = (
        model.objects.filter(username__iexact=email).first()
        or model.objects.filter(email__iexact=email).order_by("pk").first()
    )
    if user is not None:
        return user, False
    user = model(username=email, email=email, first_name=first_name[:150], last_name=last_name[:150])
    user.set_unusable_password()
    user.save()
    return user, True


def _lock_practice(practice: Practice) -> Practice:
    return Practice.objects.select_for_update().get(pk=practice.pk)


def _check_still_manager(practice: Practice, by: User) -> None:
    """Re-check, under the practice lock, that the acting user is still an owner."""
    if by.is_superuser:
        return
    if not StaffMembership.objects.filter(practice=practice, user=by, role=Role.OWNER).exists():
        raise ValidationError(_("You are no longer an owner of this practice."))


def supervisors(practice: Practice) -> list[tuple[int, str]]:
    """Who may supervise a student of the practice, as (user id, name): its owners and practitioners
    with a practitioner profile there (models.supervisor_problem is the rule)."""
    members = StaffMembership.objects.filter(practice=practice, role__in=[Role.OWNER, Role.PRACTITIONER]).values(
        "user_id"
    )
    profiles = Practitioner.objects.filter(practice=practice, user_id__in=members).order_by("display_name")
    return [(p.user_id, p.display_name) for p in profiles if p.user_id is not None]


def _supervisor_for(practice: Practice, user: User, role: Role, supervisor_id: int | None) -> int | None:
    """The supervisor to keep on the membership: a valid one for a student (or refused), else none."""
    if role != Role.STUDENT:
        return None
    if why := supervisor_problem(practice.pk, user.pk, supervisor_id):
        raise ValidationError({"supervisor": why})
    return supervisor_id


def check_may_stop_supervising(practice: Practice, membership: StaffMembership, role: Role | None) -> None:
    """Refuse to remove, or make a front desk or student of, someone who supervises students here:
    the students' notes would wait for a co-signature nobody may give. Choose another supervisor first."""
    if role in (Role.OWNER, Role.PRACTITIONER):
        return
    students = StaffMembership.objects.filter(practice=practice, role=Role.STUDENT, supervisor_id=membership.user_id)
    names = sorted(display_name(m.user) for m in students.select_related("user"))
    if names:
        raise ValidationError(
            _("%(name)s supervises %(students)s. Choose another supervisor for them first.")
            % {"name": display_name(membership.user), "students": ", ".join(names)}
        )


def invite_staff(
    *,
    practice: Practice,
    email: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    supervisor_id: int | None = None,
    by: User,
    now: datetime,
) -> Invited:
    """Add a staff member in `role` and email them: a one-time link to set a password, or (when they
    already have one) a note that they can sign in. Refuse someone who is already a member. A student
    needs a supervisor (`supervisor_id`)."""
    email = normalize_email(email)
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        user, _created = find_or_make_user(email, first_name=first_name, last_name=last_name)
        if StaffMembership.objects.filter(practice=practice, user=user).exists():
            raise ValidationError(
                {"email": _("%(email)s is already on the staff of this practice.") % {"email": email}}
            )
        supervisor = _supervisor_for(practice, user, role, supervisor_id)
        membership = StaffMembership.objects.create(practice=practice, user=user, role=role, supervisor_id=supervisor)
        link = None if user.has_usable_password() else issue_link(practice=practice, user=user, by=by, now=now)
        invited = Invited(membership, link)
        _send_on_commit(invited, email=email, by=by)
    return invited


def resend_invitation(*, practice: Practice, membership_id: int, by: User, now: datetime) -> Invited:
    """Send a fresh one-time link to a member who has not set a password yet (the old link stops working)."""
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        membership = StaffMembership.objects.select_related("user").get(practice=practice, pk=membership_id)
        if membership.user.has_usable_password():
            raise ValidationError(_("%(name)s has already set a password.") % {"name": display_name(membership.user)})
        link = issue_link(practice=practice, user=membership.user, by=by, now=now)
        invited = Invited(membership, link)
        _send_on_commit(invited, email=membership.user.email or membership.user.username, by=by)
    return invited


def change_role(
    *, practice: Practice, membership_id: int, role: Role, by: User, supervisor_id: int | None = None
) -> StaffMembership:
    """Give a member another role (a student: with their supervisor, which may also change alone); the
    last owner cannot be demoted, nor a supervisor of students made one who cannot supervise."""
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        membership = StaffMembership.objects.select_related("user").get(practice=practice, pk=membership_id)
        supervisor = _supervisor_for(practice, membership.user, role, supervisor_id)
        if membership.role != role or membership.supervisor_id != supervisor:
            if role != Role.OWNER:
                membership.check_may_leave_owners()
            check_may_stop_supervising(practice, membership, role)
            membership.role = role
            membership.supervisor_id = supervisor
            membership.save(update_fields=["role", "supervisor"])
    return membership


def remove_member(*, practice: Practice, membership_id: int, by: User, stop_bookings: bool = False) -> None:
    """Remove a member from the practice (their login stays; other practices keep them). The last owner stays.

    A practitioner profile linked to the login is unlinked, not deleted: appointments keep their
    practitioner. With `stop_bookings` the profile also stops taking bookings (inactive: off the
    public site and the booking pages; the removal page offers it, ticked). Their unused invitation
    links to this practice stop working.
    """
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        membership = StaffMembership.objects.select_related("user").get(practice=practice, pk=membership_id)
        membership.check_may_leave_owners()
        check_may_stop_supervising(practice, membership, None)
        profiles = practice.practitioners.filter(user_id=membership.user_id)
        if stop_bookings:
            profiles.update(user=None, active=False)
        else:
            profiles.update(user=None)
        practice.invitations.filter(user_id=membership.user_id, used_at__isnull=True).update(used_at=timezone.now())
        membership.delete()


def display_name(user: User) -> str:
    return user.get_full_name() or user.email or user.get_username()


def send_invitation(*, membership: StaffMembership, link: IssuedLink | None, email: str, by: User) -> None:
    """Email an invitation. It names the practice, the role and who invited them; nothing clinical."""
    practice = membership.practice
    context = {
        "practice_name": practice.name,
        "role": membership.get_role_display(),
        "inviter": display_name(by),
        "username": membership.user.get_username(),
        "link": link.url if link else None,
        "days": INVITATION_LIFETIME.days,
        "login_url": f"{settings.PUBLIC_BASE_URL}{reverse('staff-login')}",
    }
    subject = _("You are invited to join %(practice)s on Longtide") % {"practice": practice.name}
    body = render_to_string("practice/invitation_email.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[email])
    if practice.email:
        message.reply_to = [practice.email]
    message.send()
