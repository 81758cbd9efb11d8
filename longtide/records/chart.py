"""A client's chart: who may open it (practice/access.py decides), what it holds for them, and the
audit row every opening writes. Used by the chart page, the staff API and the record export.

The chart holds today the client's contact details, the care team, the appointment history with
the booking notes (the client's own words at booking, which may hold health information), and the
care episodes with their outcomes (longtide.measurement.progress, shown to clinical readers only).
Intake, safety flags, consents and session notes have their places (PENDING) and are shown as
kept elsewhere until the chart shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext as _

from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, Origin, record
from longtide.checkins.models import CheckIn
from longtide.clients.models import Client
from longtide.lib.text import CONTROL_MESSAGE, has_control, one_line
from longtide.notes.models import SessionNote
from longtide.practice.access import Basis, ChartAccess, chart_access, with_supervisors
from longtide.practice.models import Practice
from longtide.records.models import BreakGlass
from longtide.scheduling.care_team import care_team, care_team_user_ids
from longtide.scheduling.models import Appointment, Status

# How long a break-glass opening keeps the chart open to its member.
BREAK_GLASS_HOURS = 4
REASON_MIN = 10
REASON_MAX = 2000


@dataclass(frozen=True)
class Pending:
    """A part of the chart whose records Longtide does not collect yet."""

    key: str
    title: str
    clinical: bool  # front desk sees only whether it is complete, never its content
    # Collected, on a page of its own (this URL name, with the practice and the client), but not
    # yet shown in the chart itself nor in the export. Empty: not collected at all.
    page: str = ""
    page_label: str = ""


_INTAKE = ("staff-client-intake", "open the intake page")
PENDING = [
    Pending("intake", "Main concern and goals", True, *_INTAKE),
    Pending("flags", "Safety flags", True, *_INTAKE),
    Pending("consents", "Consents", False, *_INTAKE),
    Pending("notes", "Session notes", True, "staff-client-notes", "open the client's notes"),
]


@dataclass(frozen=True)
class Visit:
    id: int
    start: datetime
    end: datetime
    status: str
    status_label: str
    service: str
    practitioner: str
    location: str
    time_zone: str
    # The client's note at booking; None when the reader may not see clinical content.
    note: str | None


@dataclass(frozen=True)
class Chart:
    client: Client
    access: ChartAccess
    care_team: list[str]
    visits: list[Visit]
    # A booking waiting for the client to confirm it from the emailed link.
    held: bool
    # Until when a break-glass opening keeps the chart open to this reader (None: no opening).
    break_glass_until: datetime | None
    # The client's after-session check-ins, newest first (empty for readers without clinical access).
    checkins: list[CheckIn]

    @property
    def clinical(self) -> bool:
        return self.access.clinical

    @property
    def pending(self) -> list[Pending]:
        return PENDING


class BreakGlassRefused(Exception):
    """Break-glass was asked for where it does not apply, or without a usable reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def open_grant(user: User | AnonymousUser, client: Client, now: datetime) -> BreakGlass | None:
    if user.pk is None:
        return None
    return BreakGlass.objects.open_for(user_id=int(user.pk), client_id=client.pk, now=now).order_by("-until").first()


def access_to(
    user: User | AnonymousUser, practice: Practice, client: Client, now: datetime
) -> tuple[ChartAccess | None, BreakGlass | None]:
    """Return what the user may see of the client's chart (None: nothing, answer 404) and the
    break-glass grant that opened it, if one did."""
    if client.practice_id != practice.pk:
        return None, None
    grant = open_grant(user, client, now)
    team = with_supervisors(practice, care_team_user_ids(client.pk, now))
    # Whoever a student's note names to co-sign it (when the student signed) stays in the care of
    # that client after the student's supervisor changes: the note waits for them (or an owner).
    team |= set(
        SessionNote.objects.filter(client=client, cosign_by__isnull=False).values_list("cosign_by_id", flat=True)
    )
    access = chart_access(user, practice, care_team_user_ids=team, break_glass_open=grant is not None)
    return access, grant if access is not None and access.basis == Basis.BREAK_GLASS else None


def visits_of(client: Client, *, clinical: bool) -> list[Visit]:
    appointments = (
        Appointment.objects.filter(client=client)
        .select_related("service", "practitioner", "location")
        .order_by("-start", "-pk")
    )
    return [
        Visit(
            id=a.pk,
            start=a.start,
            end=a.end,
            status=a.status,
            status_label=str(Status(a.status).label),
            service=a.service.name,
            practitioner=a.practitioner.display_name,
            location=a.location.name,
            time_zone=a.location.time_zone,
            note=a.note if clinical else None,
        )
        for a in appointments
    ]


def build_chart(client: Client, access: ChartAccess, grant: BreakGlass | None) -> Chart:
    visits = visits_of(client, clinical=access.clinical)
    return Chart(
        client=client,
        access=access,
        care_team=[p.display_name for p in care_team(client.pk)],
        visits=visits,
        held=any(v.status == Status.HELD for v in visits),
        break_glass_until=grant.until if grant else None,
        checkins=list(CheckIn.objects.filter(client=client).select_related("appointment", "appointment__location"))
        if access.clinical
        else [],
    )


def open_chart(
    *,
    user: User | AnonymousUser,
    practice: Practice,
    client: Client,
    origin: Origin,
    via: Via,
    now: datetime,
    action: Action = Action.VIEW,
    object_type: str = "chart",
    detail: str = "",
) -> Chart | None:
    """Decide, build and audit one opening of the chart; None when the user may see nothing of it.

    Every opening is audited, the front desk's and a kept-out practitioner's too (with their basis),
    so the access report shows every look at the client's record.
    """
    with transaction.atomic():
        access, grant = access_to(user, practice, client, now)
        if access is None:
            return None
        chart = build_chart(client, access, grant)
        record(
            by=Actor(user=user if user.is_authenticated else None, role=str(access.role), origin=origin, via=via),
            action=action,
            object_type=object_type,
            practice_id=practice.pk,
            client_id=client.pk,
            object_id=client.pk,
            basis=str(access.basis),
            detail=detail,
        )
    return chart


def clean_reason(raw: str) -> str:
    """Return the reason as kept, or raise BreakGlassRefused saying what is wrong with it."""
    if has_control(raw):
        raise BreakGlassRefused(_(CONTROL_MESSAGE))
    reason = one_line(raw)
    if len(reason) < REASON_MIN:
        raise BreakGlassRefused(
            _("Say why you need this chart, in at least %(count)d characters.") % {"count": REASON_MIN}
        )
    if len(reason) > REASON_MAX:
        raise BreakGlassRefused(_("Keep the reason under %(count)d characters.") % {"count": REASON_MAX})
    return reason


def break_glass(
    *,
    user: User,
    practice: Practice,
    client: Client,
    reason: str,
    origin: Origin,
    via: Via,
    now: datetime,
) -> BreakGlass | None:
    """Open the chart to a member outside its care rules, for BREAK_GLASS_HOURS, and audit it with
    the reason. None when the member may see nothing of the chart (answer 404); BreakGlassRefused
    when they already read it or may not break the glass, or the reason will not do."""
    kept = clean_reason(reason)
    with transaction.atomic():
        access, _grant = access_to(user, practice, client, now)
        if access is None:
            return None
        if access.clinical:
            raise BreakGlassRefused(_("You can already read this chart."))
        if not access.may_break_glass:
            raise BreakGlassRefused(_("Your role cannot open clinical records."))
        grant = BreakGlass.objects.create(
            practice=practice,
            client=client,
            user=user,
            reason=kept,
            opened_at=now,
            until=now + timedelta(hours=BREAK_GLASS_HOURS),
        )
        record(
            by=Actor(user=user, role=str(access.role), origin=origin, via=via),
            action=Action.BREAK_GLASS,
            object_type="chart",
            practice_id=practice.pk,
            client_id=client.pk,
            object_id=client.pk,
            basis=str(Basis.BREAK_GLASS),
            reason=kept,
            detail=f"open for {BREAK_GLASS_HOURS} hours",
        )
    return grant
