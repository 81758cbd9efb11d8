"""Staff of a practice: invite by email, change a role, remove — and never leave a practice without an owner.

Inviting an address that has no login yet makes the membership and emails a one-time link to choose a
password (choosing it is their acceptance). Inviting someone who already has a login records a
pending StaffInvitation and emails them to sign in and accept it: nothing is granted (no membership,
no access, no idle timeout of this practice) until they do. What the inviting owner sees — the
message, the staff list's "Invited, not joined yet", "Send again", "Withdraw", the refusal of a second
invitation — is the same for both, so inviting cannot tell an owner whether a login exists.

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
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.practice.invitations import INVITATION_LIFETIME, IssuedLink, issue_link
from longtide.practice.models import (
    Practice,
    Practitioner,
    Role,
    StaffInvitation,
    StaffMembership,
    supervisor_problem,
)

logger = logging.getLogger(__name__)

# Django's username column is 150 characters; invited staff sign in with their email as username.
MAX_EMAIL_LENGTH = 150


@dataclass(slots=True)
class Invited:
    """What an invitation made: a membership and a password link (no login yet), or a pending
    invitation (an existing login; nothing granted until they accept)."""

    membership: StaffMembership | None
    link: IssuedLink | None
    invitation: StaffInvitation | None = None
    # The address the invitation went to, as the owner typed it (normalised): what the owner is told.
    email: str = ""
    # Set once the transaction has committed and the email was handed to the mail server (or not).
    sent: bool | None = None


def _send_on_commit(invited: Invited, *, by: User) -> None:
    """Email the invitation once it is committed, and note whether the mail server took it.

    A mail failure must not undo the invitation (the owner can send it again), nor be a 500; the
    log line names the row, never the address (security.md: no emails in logs).
    """

    def send() -> None:
        try:
            if invited.invitation is not None:
                send_staff_invitation(invitation=invited.invitation, email=invited.email, by=by)
            else:
                assert invited.membership is not None
                send_invitation(membership=invited.membership, link=invited.link, email=invited.email, by=by)
        except Exception as error:
            row = (
                f"staff invitation {invited.invitation.pk}"
                if invited.invitation is not None
                else f"membership {invited.membership.pk if invited.membership else None}"
            )
            logger.warning("invitation email for %s not sent: %s", row, type(error).__name__)
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
    try:
        with transaction.atomic():  # a savepoint: another practice may invite the same address at once
            user.save()
    except IntegrityError:
        # It made the login first (the username is unique): use theirs, as if it had been there.
        return model.objects.get(username=email), False
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
    names = [display_name(m.user) for m in students.select_related("user")]
    # Students invited and not joined yet count alike, whichever kind of invitation they have (a
    # membership for a new address, a StaffInvitation for an existing login): otherwise the answer
    # told the owner which kind it was, i.e. whether the address had a login.
    invited = practice.staff_invitations.filter(role=Role.STUDENT, supervisor_id=membership.user_id)
    names = sorted([*names, *(f"{i.first_name} {i.last_name}".strip() or i.email for i in invited)])
    if names:
        raise ValidationError(
            _("%(name)s supervises %(students)s. Choose another supervisor for them first.")
            % {"name": display_name(membership.user), "students": ", ".join(names)}
        )


def _already_message(email: str) -> ValidationError:
    # One message for a member, a member who has not set a password yet, and a pending invitation.
    return ValidationError(
        {"email": _("%(email)s is already on the staff of this practice, or invited to it.") % {"email": email}}
    )


def has_login(user: User) -> bool:
    """Whether the user can sign in already (their acceptance is then asked for, signed in)."""
    return user.has_usable_password()


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
    """Invite someone in `role` by email. An address without a login becomes a member at once with a
    one-time link to set a password; someone with a login gets a pending invitation to accept, signed
    in (nothing is granted before). Refuse someone who is already a member or invited. A student needs
    a supervisor (`supervisor_id`)."""
    email = normalize_email(email)
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        user, _created = find_or_make_user(email, first_name=first_name, last_name=last_name)
        if (
            StaffMembership.objects.filter(practice=practice, user=user).exists()
            or StaffInvitation.objects.filter(practice=practice, user=user).exists()
        ):
            raise _already_message(email)
        supervisor = _supervisor_for(practice, user, role, supervisor_id)
        if has_login(user):
            invitation = StaffInvitation.objects.create(
                practice=practice,
                user=user,
                email=email,
                first_name=first_name[:150],
                last_name=last_name[:150],
                role=role,
                supervisor_id=supervisor,
                invited_by=by,
                created_at=now,
            )
            invited = Invited(None, None, invitation=invitation, email=email)
        else:
            membership = StaffMembership.objects.create(
                practice=practice, user=user, role=role, supervisor_id=supervisor
            )
            link = issue_link(practice=practice, user=user, by=by, now=now)
            invited = Invited(membership, link, email=email)
        _send_on_commit(invited, by=by)
    return invited


@dataclass(frozen=True, slots=True)
class Pending:
    """An invitation not yet taken up, as the owner's staff list shows it: the same fields whether it
    is a member who has not set a password yet or a pending invitation of an existing login."""

    email: str
    name: str
    first_name: str
    role: Role
    supervisor_id: int | None


def pending_of(practice: Practice) -> tuple[list[Pending], set[int]]:
    """The practice's pending invitations (both kinds), and the ids of the memberships among them."""
    rows: list[Pending] = []
    member_ids: set[int] = set()
    for m in practice.memberships.select_related("user"):
        if not has_login(m.user):
            member_ids.add(m.pk)
            address = m.user.email or m.user.get_username()
            rows.append(Pending(address, display_name(m.user), m.user.first_name, Role(m.role), m.supervisor_id))
    for i in practice.staff_invitations.all():
        name = f"{i.first_name} {i.last_name}".strip() or i.email
        rows.append(Pending(i.email, name, i.first_name, Role(i.role), i.supervisor_id))
    return rows, member_ids


def _pending_membership(practice: Practice, email: str) -> StaffMembership | None:
    found = (
        StaffMembership.objects.select_related("user")
        .filter(practice=practice)
        .filter(Q(user__username__iexact=email) | Q(user__email__iexact=email))
        .order_by("pk")
    )
    return next((m for m in found if not has_login(m.user)), None)


def _no_pending(email: str) -> ValidationError:
    return ValidationError(_("There is no pending invitation to %(email)s.") % {"email": email})


def resend_pending(*, practice: Practice, email: str, by: User, now: datetime) -> Invited:
    """Send a pending invitation again, found by its address: a fresh one-time link (the old one stops
    working) for someone without a login, the same invitation for someone with one."""
    email = normalize_email(email)
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        invitation = practice.staff_invitations.select_related("practice").filter(email=email).first()
        if invitation is not None:
            invited = Invited(None, None, invitation=invitation, email=invitation.email)
        elif (membership := _pending_membership(practice, email)) is not None:
            link = issue_link(practice=practice, user=membership.user, by=by, now=now)
            invited = Invited(membership, link, email=membership.user.email or membership.user.get_username())
        else:
            raise _no_pending(email)
        _send_on_commit(invited, by=by)
    return invited


def withdraw_pending(*, practice: Practice, email: str, by: User) -> None:
    """Withdraw a pending invitation, found by its address: its password links stop working (and the
    membership of someone without a login goes), or the invitation of someone with one is deleted."""
    email = normalize_email(email)
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        if practice.staff_invitations.filter(email=email).delete()[0]:
            return
        membership = _pending_membership(practice, email)
        if membership is None:
            raise _no_pending(email)
        remove_member(practice=practice, membership_id=membership.pk, by=by)


def resend_invitation(*, practice: Practice, membership_id: int, by: User, now: datetime) -> Invited:
    """Send a fresh one-time link to a member who has not set a password yet (the old link stops working)."""
    with transaction.atomic():
        practice = _lock_practice(practice)
        _check_still_manager(practice, by)
        membership = StaffMembership.objects.select_related("user").get(practice=practice, pk=membership_id)
        if has_login(membership.user):
            raise ValidationError(_("%(name)s has already set a password.") % {"name": display_name(membership.user)})
        link = issue_link(practice=practice, user=membership.user, by=by, now=now)
        invited = Invited(membership, link, email=membership.user.email or membership.user.username)
        _send_on_commit(invited, by=by)
    return invited


def invitations_for(user: User) -> list[StaffInvitation]:
    """The pending invitations of a signed-in user: theirs only (the query is the permission)."""
    return list(
        StaffInvitation.objects.filter(user=user).select_related("practice", "invited_by").order_by("created_at", "pk")
    )


def _own_locked(invitation_id: int, user: User) -> StaffInvitation:
    """The user's own invitation, its practice locked then the row itself re-read under the lock: a
    second submit of the same answer waits here, then finds it gone. Anyone else's (or a used one) is
    StaffInvitation.DoesNotExist, which the page answers with a 404."""
    found = StaffInvitation.objects.filter(pk=invitation_id, user=user).values_list("practice_id", flat=True).first()
    if found is None:
        raise StaffInvitation.DoesNotExist
    Practice.objects.select_for_update().get(pk=found)
    return StaffInvitation.objects.select_for_update().select_related("practice").get(pk=invitation_id, user=user)


def accept_staff_invitation(*, invitation_id: int, user: User) -> StaffMembership:
    """Join the practice as invited. Re-checked under the practice's lock: the invitation still stands,
    they are not a member already, and a student's supervisor may still supervise."""
    with transaction.atomic():
        invitation = _own_locked(invitation_id, user)
        practice = invitation.practice
        if StaffMembership.objects.filter(practice=practice, user=user).exists():
            invitation.delete()
            raise ValidationError(_("You are already on the staff of %(practice)s.") % {"practice": practice.name})
        supervisor = _supervisor_for(practice, user, Role(invitation.role), invitation.supervisor_id)
        membership = StaffMembership.objects.create(
            practice=practice, user=user, role=invitation.role, supervisor_id=supervisor
        )
        invitation.delete()
    logger.info("staff invitation %s accepted: membership %s", invitation_id, membership.pk)
    return membership


def decline_staff_invitation(*, invitation_id: int, user: User) -> Practice:
    """Decline (delete) the user's own invitation; return its practice (to name it)."""
    with transaction.atomic():
        invitation = _own_locked(invitation_id, user)
        practice = invitation.practice
        invitation.delete()
    return practice


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


def send_staff_invitation(*, invitation: StaffInvitation, email: str, by: User) -> None:
    """Email someone with a login that a practice invites them: sign in and accept (no password link).
    It names the practice, the role and who invited them; nothing clinical."""
    practice = invitation.practice
    context = {
        "practice_name": practice.name,
        "role": invitation.get_role_display(),
        "inviter": display_name(by),
        "accept_url": f"{settings.PUBLIC_BASE_URL}{reverse('staff-invitations')}",
    }
    subject = _("You are invited to join %(practice)s on Longtide") % {"practice": practice.name}
    body = render_to_string("practice/staff_invitation_email.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[email])
    if practice.email:
        message.reply_to = [practice.email]
    message.send()


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
