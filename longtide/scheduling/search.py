"""Fetch what the availability engine needs for a practice, in a fixed handful of queries, and run it.

Rows are read with values_list (no model instances): the whole-clinic 30-day search reads a few
thousand appointment rows, and building models for them would cost more than the engine itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from longtide.lib.intervals import Interval
from longtide.practice.models import Practice, Practitioner, Room, Service
from longtide.scheduling import availability
from longtide.scheduling.availability import (
    BookingPolicy,
    DatedHours,
    PractitionerSchedule,
    RoomSchedule,
    ServiceRule,
    Slot,
    WeeklyHours,
)
from longtide.scheduling.models import OCCUPYING, Appointment, HoursException, TimeOff, WorkingHours

# Staff may book inside the notice period and further ahead than clients; never in the past.
STAFF_HORIZON = timedelta(days=366)
# Local days reach at most ±14 h from UTC; a day of margin covers any zone and any buffer.
MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Found:
    """Slots with the location each was found at."""

    slots: list[Slot]
    location_of: dict[int, int]  # room id -> location id


def policy_for(practice: Practice, *, for_staff: bool) -> BookingPolicy:
    """Return the engine policy: the practice's for clients; no notice and a year ahead for staff."""
    if for_staff:
        return BookingPolicy(min_notice=timedelta(0), horizon=STAFF_HORIZON, step=practice.slot_step)
    return BookingPolicy(min_notice=practice.min_notice, horizon=practice.horizon, step=practice.slot_step)


def candidate_practitioners(
    service: Service, *, practitioner: Practitioner | None = None, style: str | None = None
) -> list[int]:
    """Return ids of the active practitioners offering the service, in the practice's display order."""
    qs = service.practitioners.filter(active=True)
    if practitioner is not None:
        qs = qs.filter(pk=practitioner.pk)
    if style:
        qs = qs.filter(style=style)
    return list(qs.order_by("sort_order", "display_name", "pk").values_list("pk", flat=True))


def suitable_rooms(service: Service) -> list[tuple[int, int]]:
    """Return (room id, location id) of active rooms that can host the service, in display order."""
    rooms = Room.objects.filter(location__practice_id=service.practice_id, active=True)
    if service.rooms.exists():  # rooms chosen for the service: only those, and only while active
        rooms = service.rooms.filter(active=True)
    return list(rooms.order_by("sort_order", "pk").values_list("pk", "location_id"))


def find_slots(
    *,
    practice: Practice,
    service: Service,
    practitioner_ids: Sequence[int],
    first_day: date,
    last_day: date,
    now: datetime,
    for_staff: bool = False,
    any_practitioner: bool = False,
    ignore_appointment: int | None = None,
) -> Found:
    """Return the free slots for the service with any of the practitioners, first_day..last_day local.

    `ignore_appointment` leaves one appointment out of the busy time: the one being moved.
    """
    rooms = suitable_rooms(service)
    if not practitioner_ids or not rooms:
        return Found([], {})
    # Every query here drops the models' default ordering: the engine sorts what it needs, and the
    # default orderings (practitioner, then practice name) would add two joins and a sort to each.
    zones = dict(practice.locations.order_by("name", "pk").values_list("pk", "time_zone"))
    range_start = datetime.combine(first_day, time.min, UTC) - MARGIN
    range_end = datetime.combine(last_day + timedelta(days=1), time.min, UTC) + MARGIN
    room_ids = [room_id for room_id, _ in rooms]

    weekly: dict[tuple[int, int], list[WeeklyHours]] = defaultdict(list)
    for pid, loc, weekday, start, end in (
        WorkingHours.objects.filter(practitioner_id__in=practitioner_ids)
        .order_by()
        .values_list("practitioner_id", "location_id", "weekday", "start_time", "end_time")
    ):
        weekly[(pid, loc)].append(WeeklyHours(weekday, start, end))

    extra: dict[tuple[int, int], list[DatedHours]] = defaultdict(list)
    removed: dict[int, list[DatedHours]] = defaultdict(list)
    for pid, loc, day, available, from_time, to_time in (
        HoursException.objects.filter(
            practitioner_id__in=practitioner_ids, date__gte=first_day - MARGIN, date__lte=last_day + MARGIN
        )
        .order_by()
        .values_list("practitioner_id", "location_id", "date", "available", "start_time", "end_time")
    ):
        if available:
            extra[(pid, loc)].append(DatedHours(day, True, from_time, to_time))
        else:
            # A day off (or hours off) applies wherever the practitioner would have worked.
            removed[pid].append(DatedHours(day, False, from_time, to_time))

    busy: dict[int, list[Interval]] = defaultdict(list)
    for pid, off_start, off_end in (
        TimeOff.objects.filter(practitioner_id__in=practitioner_ids, start__lt=range_end, end__gt=range_start)
        .order_by()
        .values_list("practitioner_id", "start", "end")
    ):
        busy[pid].append(Interval(off_start, off_end))

    room_busy: dict[int, list[Interval]] = defaultdict(list)
    wanted = set(practitioner_ids)
    appointments = Appointment.objects.filter(
        Q(practitioner_id__in=practitioner_ids) | Q(room_id__in=room_ids),
        status__in=OCCUPYING,
        blocked_start__lt=range_end,
        blocked_end__gt=range_start,
    ).order_by()
    if ignore_appointment is not None:
        appointments = appointments.exclude(pk=ignore_appointment)
    for pid, room_id, blocked_start, blocked_end in appointments.values_list(
        "practitioner_id", "room_id", "blocked_start", "blocked_end"
    ):
        interval = Interval(blocked_start, blocked_end)
        if pid in wanted:
            busy[pid].append(interval)
        room_busy[room_id].append(interval)

    rule = ServiceRule(service.duration, service.buffer_before, service.buffer_after)
    policy = policy_for(practice, for_staff=for_staff)
    order = {pid: i for i, pid in enumerate(practitioner_ids)}
    slots: list[Slot] = []
    for location_id, zone_name in zones.items():
        schedules = [
            PractitionerSchedule(
                practitioner_id=pid,
                weekly=weekly[(pid, location_id)],
                exceptions=[*extra[(pid, location_id)], *removed[pid]],
                busy=busy[pid],
            )
            for pid in practitioner_ids
            if weekly.get((pid, location_id)) or extra.get((pid, location_id))
        ]
        local_rooms = [RoomSchedule(room_id, room_busy[room_id]) for room_id, loc in rooms if loc == location_id]
        if not schedules or not local_rooms:
            continue
        slots.extend(
            availability.free_slots(
                tz=ZoneInfo(zone_name),
                first_day=first_day,
                last_day=last_day,
                now=now,
                service=rule,
                policy=policy,
                practitioners=schedules,
                rooms=local_rooms,
                any_practitioner=any_practitioner,
            )
        )
    if len(zones) > 1:
        slots.sort(key=lambda s: (s.start, order[s.practitioner_id]))
        if any_practitioner:
            slots = _first_per_start(slots)
    return Found(slots, dict(rooms))


def _first_per_start(slots: list[Slot]) -> list[Slot]:
    result: list[Slot] = []
    for slot in slots:
        if not result or result[-1].start != slot.start:
            result.append(slot)
    return result
