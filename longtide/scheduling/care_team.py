"""A client's care team: the practitioners who have seen or will see the client (practice/access.py
gives them the client's chart). A booking still held for the confirmation of its email address, and
a cancelled one, make nobody part of it.

An appointment a practitioner put on themselves (booked with their own login, or moved onto
themselves) counts only once its session has started: until then they open the chart with
break-glass, a reason and the owner's access report, like anyone else outside the client's care.
Otherwise booking a client onto oneself would open any chart in the practice, unasked and unrecorded
as break-glass (security.md: a practitioner outside the care team never opens a chart without an
audited reason). Their own clients' earlier sessions keep them in the care team as before, so this
holds up only a first booking made by the practitioner themselves, until it starts."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from longtide.practice.models import Practitioner
from longtide.scheduling.models import Appointment, AppointmentEvent, EventKind, Status

# Seen (completed, or booked and missed) or will see (booked).
CARE_STATUSES = (Status.BOOKED, Status.COMPLETED, Status.NO_SHOW)


def self_booked(appointment_ids: list[int]) -> set[int]:
    """Return those of the appointments that their practitioner put on themselves: booked with the
    practitioner's own login, or moved onto them by it."""
    if not appointment_ids:
        return set()
    created = Appointment.objects.filter(pk__in=appointment_ids, created_by_id=F("practitioner__user_id"))
    moved = AppointmentEvent.objects.filter(
        appointment_id__in=appointment_ids,
        kind=EventKind.MOVED,
        to_practitioner_id=F("appointment__practitioner_id"),
        by_user_id=F("appointment__practitioner__user_id"),
    )
    return set(created.values_list("pk", flat=True)) | set(moved.values_list("appointment_id", flat=True))


def _team_ids(client_id: int, now: datetime | None) -> set[int]:
    now = now or timezone.now()
    rows = Appointment.objects.filter(client_id=client_id, status__in=CARE_STATUSES).values_list(
        "pk", "practitioner_id", "start"
    )
    team: set[int] = set()
    waiting: dict[int, int] = {}  # not started yet: appointment id -> practitioner id
    for pk, practitioner_id, start in rows:
        if start <= now:
            team.add(practitioner_id)
        else:
            waiting[pk] = practitioner_id
    pending = [pk for pk, practitioner_id in waiting.items() if practitioner_id not in team]
    held_back = self_booked(pending)
    return team | {waiting[pk] for pk in pending if pk not in held_back}


def care_team(client_id: int, now: datetime | None = None) -> list[Practitioner]:
    """Return the client's care team, by name."""
    return list(Practitioner.objects.filter(pk__in=_team_ids(client_id, now)).order_by("display_name"))


def care_team_user_ids(client_id: int, now: datetime | None = None) -> set[int]:
    """Return the user ids of the client's care team (practitioners with a login)."""
    return {p.user_id for p in care_team(client_id, now) if p.user_id is not None}


def first_self_booked(client_id: int, user_id: int, now: datetime | None = None) -> datetime | None:
    """Return when the user's first appointment with the client that they put on themselves starts,
    if one is booked and has not started (the chart says it opens then)."""
    now = now or timezone.now()
    ahead = Appointment.objects.filter(
        client_id=client_id, status=Status.BOOKED, start__gt=now, practitioner__user_id=user_id
    ).order_by("start")
    starts = dict(ahead.values_list("pk", "start"))
    held_back = self_booked(list(starts))
    return min((starts[pk] for pk in held_back), default=None)
