"""Changing a practitioner's hours without silently orphaning appointments.

Every change (the weekly pattern at a location, a dated exception, time off) first works out which
booked, upcoming appointments would no longer lie inside the practitioner's working time, using the
availability engine's own `working_intervals` (never a second reading of the rules). When there are
some and the caller has not confirmed, nothing is written and `HoursConflict` lists them; the owner
then moves or cancels them, or confirms and they stay booked outside hours.

Each change locks the practitioner's row, so two owners editing the same week are serialized and the
list of affected appointments is read against the hours that are actually saved.

Every change also compares the practitioner's working time (all locations, less time off, from now
to the booking horizon) before and after it: time that was added (new weekly hours, extra hours on a
date, a day off or time off removed) is recorded as a waitlist opening in the same transaction, and
the waitlist's planner offers it to waiting clients in order (scheduling/waitlist.py).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from longtide import prepared
from longtide.lib.intervals import Interval, intersect, merge, subtract
from longtide.practice.models import Location, Practitioner
from longtide.scheduling.availability import (
    DatedHours,
    PractitionerSchedule,
    WeeklyHours,
    working_intervals,
    working_intervals_of,
)
from longtide.scheduling.models import Appointment, HoursException, Status, TimeOff, WorkingHours
from longtide.scheduling.waitlist import open_new_hours, someone_waits_for


class HoursConflict(Exception):
    """The change would leave these booked appointments outside working time; nothing was written."""

    def __init__(self, appointments: list[Appointment]) -> None:
        super().__init__(f"{len(appointments)} appointment(s) would fall outside working time")
        self.appointments = appointments


@dataclass
class _Change:
    """A proposed change, layered over what is saved: replaced weekly hours, extra exceptions, extra time off."""

    weekly: dict[int, list[WeeklyHours]] = field(default_factory=dict)  # location id -> the new pattern
    add_exceptions: list[tuple[int | None, DatedHours]] = field(default_factory=list)  # (location id, exception)
    drop_exception_ids: set[int] = field(default_factory=set)
    add_time_off: list[Interval] = field(default_factory=list)


def appointments_outside_hours(
    practitioner: Practitioner, *, now: datetime, change: _Change | None = None
) -> list[Appointment]:
    """Return the practitioner's booked, upcoming appointments that lie outside working time (or in
    time off) — with `change` applied on top of the saved hours when given."""
    change = change or _Change()
    upcoming = list(
        Appointment.objects.filter(practitioner=practitioner, status=Status.BOOKED, end__gt=now)
        .select_related("client", "service", "location", "room")
        .order_by("start")
    )
    if not upcoming:
        return []
    by_location: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in upcoming:
        by_location[appointment.location_id].append(appointment)

    weekly: dict[int, list[WeeklyHours]] = defaultdict(list)
    for loc, weekday, from_time, to_time in WorkingHours.objects.filter(practitioner=practitioner).values_list(
        "location_id", "weekday", "start_time", "end_time"
    ):
        weekly[loc].append(WeeklyHours(weekday, from_time, to_time))
    weekly.update(change.weekly)
    first = min(a.start for a in upcoming).date() - timedelta(days=1)
    last = max(a.end for a in upcoming).date() + timedelta(days=1)
    extra: dict[int, list[DatedHours]] = defaultdict(list)
    removed: list[DatedHours] = []
    for pk, loc_id, day, available, start_at, end_at in HoursException.objects.filter(
        practitioner=practitioner, date__gte=first, date__lte=last
    ).values_list("pk", "location_id", "date", "available", "start_time", "end_time"):
        if pk in change.drop_exception_ids:
            continue
        _file_exception(extra, removed, loc_id, DatedHours(day, bool(available), start_at, end_at))
    for added_at, exception in change.add_exceptions:
        _file_exception(extra, removed, added_at, exception)
    off = [
        Interval(start, end)
        for start, end in TimeOff.objects.filter(practitioner=practitioner, end__gt=now).values_list("start", "end")
    ] + change.add_time_off

    outside: list[Appointment] = []
    zones = {loc.pk: loc.zone for loc in Location.objects.filter(pk__in=by_location)}
    for loc, appointments in by_location.items():
        zone = zones[loc]
        days = [a.start.astimezone(zone).date() for a in appointments] + [
            a.end.astimezone(zone).date() for a in appointments
        ]
        schedule = PractitionerSchedule(practitioner.pk, weekly.get(loc, []), [*extra.get(loc, []), *removed], [])
        working = working_intervals(schedule, zone, min(days), max(days))
        for appointment in appointments:
            inside = any(w.start <= appointment.start and appointment.end <= w.end for w in working)
            in_time_off = any(o.start < appointment.end and appointment.start < o.end for o in off)
            if not inside or in_time_off:
                outside.append(appointment)
    outside.sort(key=lambda a: a.start)
    return outside


def _file_exception(
    extra: dict[int, list[DatedHours]], removed: list[DatedHours], loc: int | None, exception: DatedHours
) -> None:
    if exception.available:
        if loc is not None:
            extra[loc].append(exception)
    else:
        # Time removed applies wherever the practitioner would have worked (as in search.py).
        removed.append(exception)


def _lock(practitioner: Practitioner) -> None:
    Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()


def working_time_by_location(
    practitioner_ids: Iterable[int], first_day: date, last_day: date
) -> dict[tuple[int, int], list[Interval]]:
    """Return each (practitioner id, location id)'s working time on local days first_day..last_day."""
    ids = list(practitioner_ids)
    if not ids:
        return {}
    zones: dict[int, str] = {}
    weekly: dict[tuple[int, int], list[WeeklyHours]] = defaultdict(list)
    # Two statements of plain SQL (prepared on PostgreSQL): built by the ORM they cost the staff team
    # week more CPU than reading and computing the hours (bench/README, "The staff week, five
    # statements"). Ordered within each practitioner only: the models' default order goes through the
    # practitioner's and the practice's (two joins) and these rows are grouped by practitioner anyway.
    weekly_sql, exceptions_sql = _hours_sql(connection.vendor, len(ids))
    for pid, loc, zone, weekday, start, end in prepared.rows(weekly_sql, ids):
        weekly[(pid, loc)].append(WeeklyHours(weekday, start, end))
        zones[loc] = zone
    extra: dict[tuple[int, int], list[DatedHours]] = defaultdict(list)
    removed: dict[int, list[DatedHours]] = defaultdict(list)
    margin = timedelta(days=1)
    adapt = connection.ops.adapt_datefield_value
    window = [adapt(first_day - margin), adapt(last_day + margin)]
    for pid, loc, zone, day, available, from_time, to_time in prepared.rows(exceptions_sql, [*ids, *window]):
        if available and loc is not None:
            extra[(pid, loc)].append(DatedHours(day, True, from_time, to_time))
            zones[loc] = zone
        elif not available:
            # Time removed applies wherever the practitioner would have worked (as in search.py).
            removed[pid].append(DatedHours(day, False, from_time, to_time))
    by_zone: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for key in {*weekly, *extra}:
        by_zone[zones[key[1]]].append(key)
    result: dict[tuple[int, int], list[Interval]] = {}
    for zone_name, keys in by_zone.items():
        schedules = [
            PractitionerSchedule(
                pid, weekly.get((pid, loc), []), [*extra.get((pid, loc), []), *removed.get(pid, [])], []
            )
            for pid, loc in keys
        ]
        found = working_intervals_of(schedules, ZoneInfo(zone_name), first_day, last_day)
        result.update(zip(keys, found, strict=True))
    return result


@functools.cache
def _hours_sql(vendor: str, count: int) -> tuple[str, str]:
    """working_time_by_location's two statements for `count` practitioners (the text worked out once
    per backend and count; what the ORM wrote, the same joins and order). The date, time and boolean
    columns come back typed on both databases (SQLite converts them by their declared types)."""
    quote = connection.ops.quote_name
    wh, ex, loc = (quote(m._meta.db_table) for m in (WorkingHours, HoursException, Location))
    among = ", ".join(["%s"] * count)
    return (
        f"SELECT w.practitioner_id, w.location_id, l.time_zone, w.weekday, w.start_time, w.end_time "  # noqa: S608
        f"FROM {wh} w JOIN {loc} l ON l.id = w.location_id WHERE w.practitioner_id IN ({among}) "
        "ORDER BY w.weekday, w.start_time",
        f"SELECT e.practitioner_id, e.location_id, l.time_zone, e.date, e.available, e.start_time, "  # noqa: S608
        f"e.end_time FROM {ex} e LEFT JOIN {loc} l ON l.id = e.location_id "
        f"WHERE e.practitioner_id IN ({among}) AND e.date >= %s AND e.date <= %s ORDER BY e.date, e.start_time",
    )


def bookable_time(practitioner: Practitioner, *, start: datetime, end: datetime) -> list[Interval]:
    """The practitioner's saved working time between two instants, at every location, less time off."""
    margin = timedelta(days=1)
    by_location = working_time_by_location([practitioner.pk], start.date() - margin, end.date() + margin)
    off = [
        Interval(a, b)
        for a, b in TimeOff.objects.filter(practitioner=practitioner, end__gt=start, start__lt=end).values_list(
            "start", "end"
        )
    ]
    working = merge(i for found in by_location.values() for i in found)
    return intersect(subtract(working, off), [Interval(start, end)])


class _NewTime:
    """Working time before a change, to record what the change adds for the waitlist (read only
    when someone waits who could be offered it: otherwise the change computes nothing extra)."""

    def __init__(self, practitioner: Practitioner, now: datetime) -> None:
        self.practitioner, self.now = practitioner, now
        self.start = now + practitioner.practice.min_notice
        self.end = now + practitioner.practice.horizon
        self.before = (
            bookable_time(practitioner, start=self.start, end=self.end) if someone_waits_for(practitioner) else None
        )

    def offer(self) -> None:
        if self.before is None:
            return
        after = bookable_time(self.practitioner, start=self.start, end=self.end)
        open_new_hours(self.practitioner, subtract(after, self.before), now=self.now)


def _guard(practitioner: Practitioner, *, now: datetime, change: _Change, confirmed: bool) -> list[Appointment]:
    """Return the affected appointments (those that become outside hours); raise unless confirmed."""
    before = {a.pk for a in appointments_outside_hours(practitioner, now=now)}
    after = appointments_outside_hours(practitioner, now=now, change=change)
    newly = [a for a in after if a.pk not in before]
    if newly and not confirmed:
        raise HoursConflict(newly)
    return newly


def replace_weekly_hours(
    *,
    practitioner: Practitioner,
    location: Location,
    hours: Sequence[WeeklyHours],
    now: datetime,
    confirmed: bool = False,
) -> list[Appointment]:
    """Replace the practitioner's weekly pattern at the location. Return the booked appointments left
    outside the new hours; raise HoursConflict (writing nothing) when there are some and not `confirmed`."""
    with transaction.atomic():
        _lock(practitioner)
        affected = _guard(practitioner, now=now, change=_Change(weekly={location.pk: list(hours)}), confirmed=confirmed)
        new_time = _NewTime(practitioner, now)
        WorkingHours.objects.filter(practitioner=practitioner, location=location).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(
                practitioner=practitioner, location=location, weekday=h.weekday, start_time=h.start, end_time=h.end
            )
            for h in sorted(hours, key=lambda h: (h.weekday, h.start))
        )
        new_time.offer()
    return affected


def add_hours_exception(
    *,
    practitioner: Practitioner,
    day: date,
    available: bool,
    start: time | None,
    end: time | None,
    location: Location | None,
    reason: str,
    now: datetime,
    confirmed: bool = False,
) -> tuple[HoursException, list[Appointment]]:
    """Add extra hours (available) or time off on one date (a whole day when start and end are None).
    Return it with the appointments it leaves outside hours; raise HoursConflict unless `confirmed`."""
    exception = DatedHours(day, available, start, end)
    with transaction.atomic():
        _lock(practitioner)
        change = _Change(add_exceptions=[(location.pk if location else None, exception)])
        affected = _guard(practitioner, now=now, change=change, confirmed=confirmed)
        new_time = _NewTime(practitioner, now)
        saved = HoursException.objects.create(
            practitioner=practitioner,
            location=location if available else None,
            date=day,
            available=available,
            start_time=start,
            end_time=end,
            reason=reason,
        )
        new_time.offer()
    return saved, affected


def remove_hours_exception(
    *, practitioner: Practitioner, exception_id: int, now: datetime, confirmed: bool = False
) -> list[Appointment]:
    """Delete a dated exception (removing extra hours can orphan appointments booked in them)."""
    with transaction.atomic():
        _lock(practitioner)
        affected = _guard(practitioner, now=now, change=_Change(drop_exception_ids={exception_id}), confirmed=confirmed)
        new_time = _NewTime(practitioner, now)
        HoursException.objects.filter(practitioner=practitioner, pk=exception_id).delete()
        new_time.offer()
    return affected


def add_time_off(
    *, practitioner: Practitioner, start: datetime, end: datetime, reason: str, now: datetime, confirmed: bool = False
) -> tuple[TimeOff, list[Appointment]]:
    """Block a stretch of real time (holiday, training, a break). Raise HoursConflict unless `confirmed`
    when booked appointments fall inside it."""
    with transaction.atomic():
        _lock(practitioner)
        affected = _guard(
            practitioner, now=now, change=_Change(add_time_off=[Interval(start, end)]), confirmed=confirmed
        )
        saved = TimeOff.objects.create(practitioner=practitioner, start=start, end=end, reason=reason)
    return saved, affected


def remove_time_off(*, practitioner: Practitioner, time_off_id: int, now: datetime) -> bool:
    """Delete a stretch of time off (nothing can be orphaned: time only comes back). Its time, where
    it is working time, is offered to the waitlist. Returns whether there was one."""
    with transaction.atomic():
        _lock(practitioner)
        new_time = _NewTime(practitioner, now)
        deleted, _ = TimeOff.objects.filter(practitioner=practitioner, pk=time_off_id).delete()
        new_time.offer()
    return bool(deleted)
