"""Who may do what in which practice. The one place that decides: every staff view, API endpoint,
admin object and export asks here, and nowhere else holds a rule.

Permissions are a typed enum; each role holds a fixed set. Rules that depend on more than the role
(a practitioner's own clients, a note's author) are functions here too, taking the objects they
judge. Outsiders (no role in the practice) are answered with a 404 by the guards, never a 403, so
that a login of another practice learns nothing about this one.

Two kinds of people use Longtide with a login, and they never overlap by accident:

- practice staff hold a role per practice (StaffMembership) and work in the staff area;
- the operator (a superuser) runs the deployment and is the only one who reaches the Django admin.

A superuser is *not* a member of every practice: privacy by default. To work in a practice's staff
area the operator needs a membership there like anyone else (docs/architecture.md, "Who reaches
what").
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from longtide.audit.models import Via
from longtide.audit.trail import Actor, Origin
from longtide.practice.models import Practice, Role, StaffMembership, TwoFactorPolicy


class Perm(StrEnum):
    """What a member may do in a practice."""

    # The schedule and contact details: every role.
    SCHEDULE_VIEW = "schedule.view"
    SCHEDULE_BOOK = "schedule.book"
    CLIENTS_VIEW = "clients.view"
    # Adding a client and correcting their name and contact details (nothing clinical): every role.
    CLIENTS_EDIT = "clients.edit"
    # Configuration of the practice: owners.
    PRACTICE_CONFIGURE = "practice.configure"
    # Inviting staff, changing their roles, removing them: owners.
    STAFF_MANAGE = "staff.manage"
    # Booking notes may hold health information (see may_read_booking_note).
    BOOKING_NOTE_READ = "booking_note.read"
    # A client's chart page: every role opens it; what it shows is decided by chart_access.
    CHART_OPEN = "chart.open"
    # Health answers, flags' details, notes, outcomes, episodes' concerns: subject to the care
    # relation (chart_access); never front desk.
    CLINICAL_READ = "clinical.read"
    # Open and close care episodes (later: write notes), for clients whose chart the member may read.
    CLINICAL_WRITE = "clinical.write"
    # Open a chart outside the care relation after stating a reason (audited, shown to owners).
    BREAK_GLASS = "chart.break_glass"
    # The practice's audit trail and access reports.
    AUDIT_READ = "audit.read"
    # A client's rights: the full record (access request), erasure, legal holds.
    RECORDS_EXPORT = "records.export"
    RECORDS_ERASE = "records.erase"
    # The practice's outbox: what was sent to whom and when (no clinical content: messages carry
    # none), and sending one again. How a client wants reminders (channel, consent to texts).
    OUTBOX_VIEW = "outbox.view"
    OUTBOX_RESEND = "outbox.resend"
    CLIENT_REMINDERS_EDIT = "clients.reminders_edit"
    # One's own private calendar feed, for members with a practitioner profile (no clinical content:
    # times, services, a label or initials). Owners stop anyone's with PRACTICE_CONFIGURE.
    CALENDAR_FEED_OWN = "calendar_feed.own"
    # The practice's outcome report (aggregate figures by concern, with a CSV export): owners.
    OUTCOMES_REPORT = "outcomes.report"
    # The waitlist: who is waiting for which service and times, offers made (contact details, nothing
    # clinical), adding and removing people.
    WAITLIST_MANAGE = "waitlist.manage"
    # Merging two records of the same person (records/merge.py): owners and front desk, who keep the
    # client list and find the duplicates (a phone booking under a new record, a second address).
    # Not practitioners: a merge moves a person's whole record, intake and consents included, between
    # two records, a records task rather than a clinical one; the preview shows counts, nothing clinical.
    CLIENTS_MERGE = "clients.merge"


_EVERYONE = frozenset(
    {
        Perm.SCHEDULE_VIEW,
        Perm.SCHEDULE_BOOK,
        Perm.CLIENTS_VIEW,
        Perm.CLIENTS_EDIT,
        Perm.CHART_OPEN,
        Perm.OUTBOX_VIEW,
        Perm.OUTBOX_RESEND,
        Perm.CLIENT_REMINDERS_EDIT,
        Perm.CALENDAR_FEED_OWN,
        Perm.WAITLIST_MANAGE,
    }
)
_CLINICAL = frozenset({Perm.BOOKING_NOTE_READ, Perm.CLINICAL_READ, Perm.CLINICAL_WRITE, Perm.BREAK_GLASS})

# What each role may do. Front desk never holds a clinical permission. A student holds the clinical
# ones for the clients of their own sessions only (chart_access: no shared care, no break-glass, and
# a 404 for every other client), and none of the practice-wide lists: not the calendar, which names
# every client, nor the client list, outbox or waitlist. Their sessions are on their notes list.
ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: _EVERYONE
    | _CLINICAL
    | {
        Perm.PRACTICE_CONFIGURE,
        Perm.STAFF_MANAGE,
        Perm.AUDIT_READ,
        Perm.RECORDS_EXPORT,
        Perm.RECORDS_ERASE,
        Perm.OUTCOMES_REPORT,
        Perm.CLIENTS_MERGE,
    },
    Role.PRACTITIONER: _EVERYONE | _CLINICAL,
    Role.FRONT_DESK: _EVERYONE | {Perm.CLIENTS_MERGE},
    Role.STUDENT: frozenset(
        {Perm.CHART_OPEN, Perm.BOOKING_NOTE_READ, Perm.CLINICAL_READ, Perm.CLINICAL_WRITE, Perm.CALENDAR_FEED_OWN}
    ),
}


def role_in(user: User | AnonymousUser, practice: Practice) -> Role | None:
    """Return the user's role in the practice, or None for outsiders (superusers included)."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = StaffMembership.objects.filter(practice=practice, user=user).only("role").first()
    return Role(membership.role) if membership else None


def roles_in(user: User | AnonymousUser, practices: Collection[Practice]) -> dict[int, Role]:
    """Return the user's role in each of these practices they belong to, by practice id, in one query
    (the staff home's practice cards: no query per card)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    rows = StaffMembership.objects.filter(user=user, practice__in=[p.pk for p in practices])
    return {practice_id: Role(role) for practice_id, role in rows.values_list("practice_id", "role")}


def role_can(role: Role | None, permission: Perm) -> bool:
    """Return whether a role (None: no member) holds `permission`."""
    return role is not None and permission in ROLE_PERMISSIONS[role]


def can(user: User | AnonymousUser, permission: Perm, practice: Practice) -> bool:
    """Return whether the user holds `permission` in this practice."""
    return role_can(role_in(user, practice), permission)


def may_read_booking_note(user: User | AnonymousUser, practice: Practice, practitioner_user_id: int | None) -> bool:
    """A booking note may hold health information: owners, and the appointment's own practitioner."""
    role = role_in(user, practice)
    if role is None or Perm.BOOKING_NOTE_READ not in ROLE_PERMISSIONS[role]:
        return False
    return role == Role.OWNER or (practitioner_user_id is not None and practitioner_user_id == user.pk)


def alert_reader(user: User | AnonymousUser, practice: Practice) -> Callable[[str], bool]:
    """Whether the user may read an alert's text, by the alert's recipient (one role look-up for a
    page of messages).

    An alert to a practitioner (an intake's safety flag, a check-in asking for attention, a
    questionnaire answer under the crisis protocol) links to the client's record and says why it
    needs clinical attention. Owners read every alert's text, a clinical member the alerts sent to
    their own address; everyone else — front desk, and practitioners an alert was not sent to —
    sees in the outbox only that it went, to whom and when (found by a review: any practitioner
    read which client had raised a safety flag or answered the crisis question)."""
    role = role_in(user, practice)
    if role == Role.OWNER:
        return lambda recipient: True
    email = str(getattr(user, "email", "") or "").casefold()
    if role is None or Perm.CLINICAL_READ not in ROLE_PERMISSIONS[role] or not email:
        return lambda recipient: False
    return lambda recipient: recipient.casefold() == email


def may_read_alert_text(user: User | AnonymousUser, practice: Practice, recipient: str) -> bool:
    """alert_reader for one message."""
    return alert_reader(user, practice)(recipient)


def may_write_note(user: User | AnonymousUser, practice: Practice, practitioner_user_id: int | None) -> bool:
    """A session note is written and signed by the session's own practitioner, under their own login
    (domain.md §4: the signature is theirs). Owners read every note but write only their own sessions'."""
    role = role_in(user, practice)
    if role is None or Perm.CLINICAL_WRITE not in ROLE_PERMISSIONS[role]:
        return False
    return practitioner_user_id is not None and practitioner_user_id == user.pk


def may_override_consent(user: User | AnonymousUser, practice: Practice, practitioner_user_id: int | None) -> bool:
    """Recording that a session went ahead without the client's current treatment consent is a
    clinical decision: the session's own practitioner or an owner, never front desk nor a student."""
    role = role_in(user, practice)
    if role is None or role == Role.STUDENT or Perm.CLINICAL_WRITE not in ROLE_PERMISSIONS[role]:
        return False
    return role == Role.OWNER or (practitioner_user_id is not None and practitioner_user_id == user.pk)


def sees_everyones_notes_to_write(user: User | AnonymousUser, practice: Practice) -> bool:
    """Owners see every practitioner's unsigned and overdue notes (and every student note awaiting a
    co-signature); practitioners and students their own (a supervisor also the notes they co-sign)."""
    return role_in(user, practice) == Role.OWNER


def sees_cosignatures_due(user: User | AnonymousUser, practice: Practice) -> bool:
    """Whose notes list shows the student notes awaiting a co-signature: an owner (everyone's), and a
    practitioner who supervises a student of the practice (those awaiting theirs). Never a student,
    front desk, or a practitioner who supervises no one here."""
    role = role_in(user, practice)
    if role == Role.OWNER:
        return True
    return (
        role == Role.PRACTITIONER
        and StaffMembership.objects.filter(practice=practice, role=Role.STUDENT, supervisor_id=user.pk).exists()
    )


def awaits_cosignatures(user: User | AnonymousUser, practice: Practice) -> bool:
    """A student's notes await their supervisor's co-signature: their notes list shows which still do."""
    return role_in(user, practice) == Role.STUDENT


def supervisor_of(user: User | AnonymousUser, practice: Practice) -> User | None:
    """The supervising practitioner of a student of the practice (None for every other role): whoever
    signs as a student needs their co-signature."""
    if not user.is_authenticated:
        return None
    membership = (
        StaffMembership.objects.filter(practice=practice, user=user, role=Role.STUDENT)
        .select_related("supervisor")
        .first()
    )
    return membership.supervisor if membership is not None else None


def with_supervisors(practice: Practice, care_team_user_ids: Collection[int]) -> set[int]:
    """The care team and the supervisors of the students in it: a supervisor reads (and co-signs) what
    their students write, so they are part of the care of their students' clients."""
    ids = set(care_team_user_ids)
    supervisors = StaffMembership.objects.filter(practice=practice, role=Role.STUDENT, user_id__in=ids).values_list(
        "supervisor_id", flat=True
    )
    return ids | {pk for pk in supervisors if pk is not None}


def may_cosign(user: User | AnonymousUser, practice: Practice, *, supervisor_id: int | None) -> bool:
    """Co-signing a student's signed note: the supervisor named on it when the student signed, or an
    owner (who answers for the practice's records, e.g. when the supervisor has left). Never the
    student, front desk, or another practitioner."""
    role = role_in(user, practice)
    if role is None or Perm.CLINICAL_WRITE not in ROLE_PERMISSIONS[role]:
        return False
    if role == Role.OWNER:
        return True
    return role == Role.PRACTITIONER and supervisor_id is not None and supervisor_id == user.pk


def may_add_addendum(
    user: User | AnonymousUser,
    practice: Practice,
    *,
    practitioner_user_id: int | None,
    author_id: int | None,
    supervisor_id: int | None = None,
) -> bool:
    """An addendum to a signed note: the session's practitioner, the note's author, or an owner (who
    answers for the practice's records, e.g. a correction asked for by the client). Never a student:
    an addendum is not co-signed, so a student's text would stand under their supervisor's
    co-signature unreviewed; the supervisor named on a student's note (`supervisor_id`, the note's
    `cosign_by`) or an owner writes it."""
    role = role_in(user, practice)
    if role is None or role == Role.STUDENT or Perm.CLINICAL_WRITE not in ROLE_PERMISSIONS[role]:
        return False
    return role == Role.OWNER or user.pk in (practitioner_user_id, author_id, supervisor_id)


class Basis(StrEnum):
    """Why a member sees what they see of a chart (kept on every audit row of a chart view)."""

    OWNER = "owner"
    CARE_TEAM = "care_team"
    SHARED_CARE = "shared_care"
    BREAK_GLASS = "break_glass"
    # No clinical content: contact details, the schedule, and whether intake and consent are done.
    FRONT_DESK = "front_desk"
    NOT_IN_CARE = "not_in_care"


CLINICAL_BASES = frozenset({Basis.OWNER, Basis.CARE_TEAM, Basis.SHARED_CARE, Basis.BREAK_GLASS})


@dataclass(frozen=True)
class ChartAccess:
    """What one member may see of one client's chart."""

    role: Role
    basis: Basis

    @property
    def clinical(self) -> bool:
        """Whether the member may read the chart's clinical content (and write to it)."""
        return self.basis in CLINICAL_BASES

    @property
    def may_break_glass(self) -> bool:
        """Whether the member is kept out but may open the chart by stating a reason."""
        return not self.clinical and Perm.BREAK_GLASS in ROLE_PERMISSIONS[self.role]


def chart_access(
    user: User | AnonymousUser,
    practice: Practice,
    *,
    care_team_user_ids: Collection[int],
    break_glass_open: bool,
    role: Role | None = None,
) -> ChartAccess | None:
    """Return what the user may see of a client's chart, or None for outsiders (answer 404).

    Owners read every chart; practitioners read the charts of clients in their care (they have seen
    or will see the client: `care_team_user_ids`, from longtide.scheduling.care_team), or every
    chart when the practice turns on shared care, or one chart after break-glass
    (`break_glass_open`: a grant of theirs for this client is still open). Front desk sees contact
    details and the schedule, never clinical content. A student reads the charts of the clients of
    their own sessions and sees nothing at all of anyone else (None: a 404, shared care or not).
    Pass `role` when already looked up.
    """
    role = role or role_in(user, practice)
    if role is None or Perm.CHART_OPEN not in ROLE_PERMISSIONS[role]:
        return None
    if Perm.CLINICAL_READ not in ROLE_PERMISSIONS[role]:
        return ChartAccess(role, Basis.FRONT_DESK)
    if role == Role.OWNER:
        return ChartAccess(role, Basis.OWNER)
    if user.pk is not None and user.pk in care_team_user_ids:
        return ChartAccess(role, Basis.CARE_TEAM)
    if role == Role.STUDENT:
        return None
    if practice.shared_care:
        return ChartAccess(role, Basis.SHARED_CARE)
    if break_glass_open:
        return ChartAccess(role, Basis.BREAK_GLASS)
    return ChartAccess(role, Basis.NOT_IN_CARE)


def acting(request: HttpRequest, role: Role | None, *, via: Via = Via.WEB) -> Actor:
    """Return who is acting, as the audit trail records them: user, role, address and user agent."""
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, role=str(role or ""), origin=Origin.of(request), via=via)


def needs_two_factor(user: User | AnonymousUser, practice: Practice) -> bool:
    """Return whether the practice requires this member to sign in with a second factor."""
    role = role_in(user, practice)
    if role is None or practice.two_factor_policy == TwoFactorPolicy.OFF:
        return False
    if practice.two_factor_policy == TwoFactorPolicy.ALL:
        return True
    return Perm.CLINICAL_READ in ROLE_PERMISSIONS[role]


def is_two_factor_verified(user: User | AnonymousUser) -> bool:
    """Return whether this session was signed in (or confirmed) with a second factor."""
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's OTPMiddleware
    return bool(is_verified and is_verified())


def two_factor_gate(request: HttpRequest, practice: Practice) -> HttpResponse | None:
    """Send a member the practice requires a second factor of, and whose session has none, to set
    it up (or confirm it) before anything else; None when they may go on."""
    if not needs_two_factor(request.user, practice) or is_two_factor_verified(request.user):
        return None
    query = urlencode({"next": request.get_full_path(), "practice": practice.slug})
    url = f"{reverse('staff-two-factor-setup')}?{query}"
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(url)  # an HTMX fragment request: the whole page goes
    return HttpResponseRedirect(url)


def may_use_admin(user: User | AnonymousUser) -> bool:
    """The Django admin is the operator's tool: active superusers only. Practice staff never reach it."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


# Fields the admin must never list, filter, search, sort or show, for anyone (the operator
# included): they hold clinical or personal data of clients, and a list filter or a sort order
# answers questions about them one letter at a time. Keyed by model label; checked by
# tests/access/test_admin_private_fields.py against every registered ModelAdmin.
PRIVATE_ADMIN_FIELDS: dict[str, frozenset[str]] = {
    "scheduling.appointment": frozenset(
        {
            "note",
            "client",
            "booked_first_name",
            "booked_last_name",
            "booked_email",
            "booked_phone",
            "manage_token_hash",
            "manage_nonce",
            "idempotency_key",
            "idempotency_fingerprint",
        }
    ),
    "clients.client": frozenset({"first_name", "last_name", "email", "phone"}),
}


type StaffView = Callable[Concatenate[HttpRequest, Practice, ...], HttpResponseBase]


def member_required(permission: Perm) -> Callable[[StaffView], Callable[..., HttpResponseBase]]:
    """Guard a staff view taking `practice_slug`: outsiders get a 404, never a hint the practice exists."""

    def decorator(view: StaffView) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, practice_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            practice = get_object_or_404(Practice, slug=practice_slug)
            if not can(request.user, permission, practice):
                raise Http404("No such practice")
            if gate := two_factor_gate(request, practice):
                return gate
            return view(request, practice, *args, **kwargs)

        return wrapper

    return decorator
