"""A large generated clinic for benchmarks and load tests (`longtide seed-large`, bench/).

Everything is drawn from one ``random.Random(seed)`` and the first day (tomorrow, in the clinic's
zone), so the same arguments on the same day give the same rows (apart from ids and the
created_at/updated_at write times). Re-seeding a slug deletes that practice first.

Bookings are planned, then placed by an interval sweep per day:

* each practitioner's working pieces (weekly hours minus days off and time off) get a number of
  sessions whose held time (session plus buffers) is ``fill`` of the working time, with random
  gaps between them, all on the practice's start grid;
* the day's planned starts are swept in time order; each takes the first room free for its whole
  blocked range. Visiting starts in order is what makes that greedy room choice never double-book
  a room: a room is free exactly when its last blocked range ended. A start with no free room
  waits for the first room to free up, and the later sessions of that piece absorb the delay;
* what a practitioner could not place (no room, or no time left) is carried over to their next
  days, so the achieved fill stays close to the target.

Working hours are chosen so that rooms can hold the target fill: shifts are staggered and a
practitioner works fewer days when the rooms would be full at that time of day.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection, transaction
from django.db.models import CASCADE, PROTECT, RESTRICT, SET_NULL, F, Model, ProtectedError, Sum
from django.utils import timezone

from longtide.clients.models import Client
from longtide.lib.intervals import Interval, subtract
from longtide.practice.founding import RESERVED_SLUGS, check_new_practice
from longtide.practice.models import (
    HORIZON_MAX_DAYS,
    Location,
    Practice,
    Practitioner,
    Room,
    Service,
    StaffMembership,
    Style,
)
from longtide.scheduling.availability import DatedHours, PractitionerSchedule, WeeklyHours, working_intervals
from longtide.scheduling.models import (
    OCCUPYING,
    Appointment,
    HoursException,
    Source,
    Status,
    TimeOff,
    WorkingHours,
)

TIME_ZONE = "America/New_York"
DURATION = 60
BUFFER_BEFORE = 0
BUFFER_AFTER = 15
BATCH = 1000
# Share of the rooms' capacity the planned shifts may use at any time of day: the rest absorbs
# the randomness of where sessions fall.
ROOM_HEADROOM = 0.85

# Daily shifts in local minutes, staggered from 07:00 to 21:00 so rooms are used all day.
SHIFTS: list[list[tuple[int, int]]] = [
    [(9 * 60, 13 * 60), (14 * 60, 18 * 60)],
    [(8 * 60, 12 * 60), (13 * 60, 17 * 60)],
    [(10 * 60, 14 * 60), (15 * 60, 19 * 60)],
    [(12 * 60, 16 * 60), (16 * 60 + 30, 20 * 60 + 30)],
    [(7 * 60, 11 * 60), (11 * 60 + 30, 15 * 60 + 30)],
    [(14 * 60, 21 * 60)],
]
SATURDAY = [(9 * 60, 13 * 60)]
BUCKET = 30  # minutes, for balancing shifts against room capacity

FIRST_NAMES = [
    "Ada", "Bea", "Cal", "Dara", "Eli", "Fen", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Milo",
    "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Vik", "Wren", "Xia", "Yara", "Zed",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Berg", "Costa", "Dahl", "Eze", "Fontaine", "Gray", "Holm", "Ito", "Jensen", "Kowal",
    "Lund", "Mora", "Novak", "Okafor", "Park", "Quist", "Reyes", "Sato", "Tran", "Ueda", "Voss",
]  # fmt: skip
ROOM_NAMES = ["Willow", "Cedar", "Birch", "Alder", "Rowan", "Hazel", "Aspen", "Maple", "Linden", "Elm"]


@dataclass
class _Piece:
    """Where one practitioner may start sessions in one stretch of a day, and the plan for it."""

    practitioner: int  # position in the practitioner list
    first: int  # first allowed start (local minutes, on the grid)
    last: int  # last allowed start
    gaps: list[int]  # gaps[k]: grid steps of slack before session k
    placed: int = 0
    delay: int = 0  # grid steps the placed sessions ran late, still to absorb


@dataclass
class _Plan:
    """What the generator decided, in local terms, before anything is written."""

    shifts: dict[int, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)  # p -> weekday -> shifts
    days_off: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    holidays: dict[int, list[tuple[date, date]]] = field(default_factory=lambda: defaultdict(list))  # inclusive
    breaks: dict[int, dict[date, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    # (day, start minute, practitioner, room, cancelled)
    bookings: list[tuple[date, int, int, int, bool]] = field(default_factory=list)


def first_seed_day() -> date:
    """Return tomorrow in the large clinic's zone: where generated bookings begin."""
    return timezone.now().astimezone(ZoneInfo(TIME_ZONE)).date() + timedelta(days=1)


DEFAULT_SLUG = "large"
TAGLINE = "Generated for benchmarks by `longtide seed-large`."


class NotGenerated(Exception):
    """The slug is unusable for a generated clinic, or names a practice seed-large did not make."""


def check_slug(slug: str) -> None:
    """Raise NotGenerated unless `slug` is a valid practice slug (the rules of `practice create`) that
    is free or names a clinic seed-large made. `large`, reserved for real practices, is its default."""
    if slug != DEFAULT_SLUG:
        error = check_new_practice(slug=slug, name="Large", owner_email="owner@example.org").get("slug")
        taken = slug not in RESERVED_SLUGS and Practice.objects.filter(slug=slug).exists()
        if error and not taken:
            raise NotGenerated(error)
    practice = Practice.objects.filter(slug=slug).first()
    if practice is not None and not is_generated(practice):
        raise NotGenerated(
            f"The practice at slug {slug!r} ({practice.name}) was not made by seed-large: it is left alone, "
            "and nothing was changed. Give another --slug."
        )


def is_generated(practice: Practice) -> bool:
    """Whether seed-large made `practice` (no migration, no marker row): its tagline, and no login of
    any kind (no staff, no practitioner with a login): a real practice has at least its owner."""
    return (
        practice.tagline == TAGLINE
        and not StaffMembership.objects.filter(practice=practice).exists()
        and not Practitioner.objects.filter(practice=practice, user__isnull=False).exists()
    )


def remove_large_clinic(slug: str) -> None:
    """Delete the generated clinic with this slug and everything in it (appointments and clients
    first, set-based: _delete_rows), or nothing, raising ProtectedError, when it holds records the
    models protect (session notes, intakes, check-ins, ...), or NotGenerated when seed-large did not
    make it (is_generated): this removes generated clinics, not a real one by mistake."""
    practice = Practice.objects.filter(slug=slug).first()
    if practice is None:
        return
    if not is_generated(practice):
        raise NotGenerated(
            f"The practice at slug {slug!r} ({practice.name}) was not made by seed-large: it is left alone, "
            "and nothing was changed. Give another --slug."
        )
    with transaction.atomic():
        for model in (Appointment, Client):
            table, column = model._meta.db_table, model._meta.get_field("practice").column
            _delete_rows(
                model, f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column)} = %s", [practice.pk]
            )
        practice.delete()


def _delete_rows(model: type[Model], where: str, params: list[Any], _path: tuple[type[Model], ...] = ()) -> None:
    """Delete the rows of `model` matching `where` (SQL on its table, with `params`) and what
    Django's on_delete rules take with them, a statement per table: CASCADE deletes the rows
    referencing them (in turn), SET_NULL clears the reference, PROTECT and RESTRICT raise
    ProtectedError when a row outside those being deleted refers to one (Django's own PROTECT
    refuses even then: a clinic with a client merged into another could not be re-seeded).
    DO_NOTHING, SET_DEFAULT, SET() and a cascade back onto a table on the way raise
    NotImplementedError: no model refers to an appointment or a client so today, and a new one
    must not be passed over without a word.

    QuerySet.delete() loads every row it deletes into memory first and names them in its statements'
    IN lists: 64 s for a clinic of 344k appointments, twice the time it took to seed it
    (bench/README "Re-seeding a large clinic").
    No model of the project has delete signals (the search's caches follow deletes by triggers)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    path = (*_path, model)
    with connection.cursor() as cursor:
        for related, fk in _references_to(model):
            rtable, column, target = quote(related._meta.db_table), quote(fk.column), quote(fk.target_field.column)
            refers = f"{rtable}.{column} IN (SELECT {table}.{target} FROM {table} WHERE {where})"  # noqa: S608 (ours)
            on_delete = fk.remote_field.on_delete
            named = f"{related.__name__}.{fk.name} ({on_delete.__name__})"
            if on_delete is CASCADE:
                if related in path:
                    raise NotImplementedError(f"{named}: a cascade back onto {related.__name__}")
                _delete_rows(related, refers, params, path)
            elif on_delete is SET_NULL:
                cursor.execute(f"UPDATE {rtable} SET {column} = NULL WHERE {refers}", params)  # noqa: S608
            elif on_delete in (PROTECT, RESTRICT):
                # A row referring to one of its own table's (a merged client) may go with it.
                check, values = f"SELECT 1 FROM {rtable} WHERE {refers}", params  # noqa: S608
                if related is model:
                    chosen = f"SELECT {table}.{pk} FROM {table} WHERE {where}"  # noqa: S608 (ours)
                    check, values = f"{check} AND {rtable}.{pk} NOT IN ({chosen})", [*params, *params]
                cursor.execute(f"{check} LIMIT 1", values)
                if cursor.fetchone():
                    raise ProtectedError(f"{model.__name__} rows are referred to by {named}", set())
            else:
                raise NotImplementedError(f"{named}: not followed here")
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def _references_to(model: type[Model]) -> list[tuple[type[Model], Any]]:
    """Every (model, foreign key) of the project referring to `model` (or a proxy of it),
    auto-created tables included."""
    return [
        (related, fk)
        for related in apps.get_models(include_auto_created=True)
        if not related._meta.proxy
        for fk in related._meta.concrete_fields
        if fk.is_relation and fk.remote_field is not None and fk.remote_field.model._meta.concrete_model is model
    ]


def seed_large_clinic(
    *,
    slug: str = "large",
    practitioners: int = 20,
    rooms: int = 6,
    days: int = 90,
    fill: float = 0.6,
    step: int = 15,
    seed: int = 1,
    first_day: date | None = None,
) -> Practice:
    """Create (or re-create) a large practice at `slug` with bookings filling about `fill` of working time.

    Bookings cover `days` local days from `first_day` (default: tomorrow). `fill` is the time held by
    bookings (sessions plus buffers) as a share of working time (hours minus days off and time off).
    """
    if practitioners < 1 or rooms < 1 or days < 1 or not 5 <= step <= 60:
        raise ValueError("practitioners, rooms and days must be at least 1, and step from 5 to 60 minutes")
    if not 0 <= fill <= 1:
        raise ValueError("fill must be between 0 and 1")
    check_slug(slug)
    first_day = first_day or first_seed_day()
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    plan = _Plan()
    _plan_hours(plan, rng, practitioners=practitioners, rooms=rooms, fill=fill)
    _plan_time_off(plan, rng, practitioners=practitioners, first_day=first_day, days=days)
    _plan_bookings(
        plan, rng, practitioners=practitioners, rooms=rooms, first_day=first_day, days=days, fill=fill, step=step
    )
    with transaction.atomic():
        remove_large_clinic(slug)
        practice = _write(
            plan, rng, slug=slug, practitioners=practitioners, rooms=rooms, days=days, step=step, first_day=first_day
        )
    _analyze()
    return practice


def add_history(practice: Practice, *, years: float, first_day: date, days: int) -> int:
    """Copy the seeded bookings back in time, set-based, until `years` of past visits exist; return how many.

    One `INSERT … SELECT` over a recursive series of shifts: copy k of the window first_day ..
    first_day + days - 1 lies k × `period` days earlier, `period` being `days` rounded up to whole
    weeks plus one week, so copies keep their weekdays and never overlap each other or the
    original (the PostgreSQL exclusion constraints hold). Past visits are completed (one in twenty
    a no-show); cancelled ones stay cancelled. Each copy's token hash is the original's prefix and
    the copy number, so it stays unique. About a million rows in a few minutes on PostgreSQL.
    """
    period = -(-(days + 7) // 7) * 7
    copies = max(0, -(-round(years * 365) // period))
    if copies == 0:
        return 0
    quote = connection.ops.quote_name
    table = quote(Appointment._meta.db_table)
    window = connection.ops.adapt_datetimefield_value(datetime.combine(first_day, time(), ZoneInfo(TIME_ZONE)))
    if connection.vendor == "postgresql":

        def shifted(column: str) -> str:
            return f"{column} - make_interval(days => ks.k * {period})"
    else:

        def shifted(column: str) -> str:
            return f"datetime({column}, '-' || (ks.k * {period}) || ' days')"

    booked, cancelled = str(Status.BOOKED), str(Status.CANCELLED_CLIENT)
    overrides = {
        "start": shifted('a."start"'),
        "end": shifted('a."end"'),
        "blocked_start": shifted("a.blocked_start"),
        "blocked_end": shifted("a.blocked_end"),
        "time_set_at": shifted("a.time_set_at"),
        "cancelled_at": f"CASE WHEN a.cancelled_at IS NULL THEN NULL ELSE {shifted('a.cancelled_at')} END",
        "status": f"CASE WHEN a.status = '{booked}' THEN (CASE WHEN (a.id + ks.k) %% 20 = 0 "
        f"THEN '{Status.NO_SHOW}' ELSE '{Status.COMPLETED}' END) ELSE a.status END",
        "manage_token_hash": "substr(a.manage_token_hash, 1, 52) || '-h' || CAST(ks.k AS text)",
    }
    fields = [f for f in Appointment._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = ", ".join(overrides.get(str(f.column), f"a.{quote(str(f.column))}") for f in fields)
    sql = (
        # INSERT first (the series in the query): sqlite3 reports rowcount only for statements so begun.
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 (our table)
        f"WITH RECURSIVE ks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ks WHERE k < %s) "
        f"SELECT {values} FROM {table} a CROSS JOIN ks "
        f"WHERE a.practice_id = %s AND a.start >= %s AND a.status IN (%s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [copies, practice.pk, window, booked, cancelled])
        added = cursor.rowcount
    _analyze()
    return int(added)


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in a while.

    Without them PostgreSQL guesses one row per table and reads the appointments through the
    single-column foreign-key indexes instead of the (practitioner|room, blocked_start, blocked_end)
    ones: measured here, a 1-day search's fetch took 5.2 ms instead of 0.4 ms.
    """
    if connection.in_atomic_block:
        return  # inside a test transaction; statistics don't matter there
    tables = [m._meta.db_table for m in (Appointment, WorkingHours, HoursException, TimeOff, Client)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def achieved_fill(practice: Practice, first_day: date, last_day: date) -> float:
    """Return held time (sessions plus buffers) ÷ working time over local days first_day..last_day.

    Working time comes from the availability engine (hours and exceptions) minus time off, so this
    checks the generator against the rules bookings are made by.
    """
    location = practice.locations.get()
    zone = location.zone
    working = timedelta(0)
    for person in practice.practitioners.prefetch_related("working_hours", "hours_exceptions", "time_off"):
        schedule = PractitionerSchedule(
            practitioner_id=person.pk,
            weekly=[WeeklyHours(h.weekday, h.start_time, h.end_time) for h in person.working_hours.all()],
            exceptions=[
                DatedHours(e.date, e.available, e.start_time, e.end_time) for e in person.hours_exceptions.all()
            ],
            busy=[],
        )
        hours = working_intervals(schedule, zone, first_day, last_day)
        off = [Interval(t.start, t.end) for t in person.time_off.all()]
        working += sum((i.duration for i in subtract(hours, off)), timedelta(0))
    start = datetime.combine(first_day, time(), zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(UTC)
    held = Appointment.objects.filter(
        practice=practice, status__in=OCCUPYING, start__gte=start, start__lt=end
    ).aggregate(held=Sum(F("blocked_end") - F("blocked_start")))["held"]
    return (held or timedelta(0)) / working if working else 0.0


def _plan_hours(plan: _Plan, rng: random.Random, *, practitioners: int, rooms: int, fill: float) -> None:
    """Give each practitioner a shift on some weekdays (and maybe Saturdays), within room capacity."""
    # At most this many practitioners should work at once, so their bookings fit the rooms.
    cap = rooms * ROOM_HEADROOM / max(fill, 0.05)
    load = [[0] * (24 * 60 // BUCKET) for _ in range(7)]

    def peak(weekday: int, shifts: list[tuple[int, int]]) -> int:
        return max(load[weekday][b] for start, end in shifts for b in range(start // BUCKET, -(-end // BUCKET)))

    def take(weekday: int, shifts: list[tuple[int, int]]) -> None:
        for start, end in shifts:
            for b in range(start // BUCKET, -(-end // BUCKET)):
                load[weekday][b] += 1

    for p in range(practitioners):
        shifts = rng.choice(SHIFTS)
        wanted = rng.choice([3, 4, 4, 5])
        weekdays = list(range(5))
        rng.shuffle(weekdays)
        weekdays.sort(key=lambda d: peak(d, shifts))  # stable: ties stay shuffled
        chosen = [d for d in weekdays if peak(d, shifts) + 1 <= cap][:wanted]
        chosen += [d for d in weekdays if d not in chosen][: max(0, 2 - len(chosen))]
        plan.shifts[p] = {}
        for weekday in chosen:
            take(weekday, shifts)
            plan.shifts[p][weekday] = shifts
        if p % 3 == 1 and peak(5, SATURDAY) + 1 <= cap:  # a third also work Saturday mornings
            take(5, SATURDAY)
            plan.shifts[p][5] = SATURDAY


def _plan_time_off(plan: _Plan, rng: random.Random, *, practitioners: int, first_day: date, days: int) -> None:
    """A few days off (hours exceptions), holidays and short breaks (time off)."""
    for p in range(practitioners):
        working_days = [
            first_day + timedelta(days=n)
            for n in range(days)
            if (first_day + timedelta(days=n)).weekday() in plan.shifts[p]
        ]
        if not working_days:
            continue
        for day in rng.sample(working_days, min(len(working_days), rng.randint(0, 2))):
            plan.days_off[p].add(day)
        if p % 4 == 1:  # a holiday of 3-7 days
            leaves = first_day + timedelta(days=rng.randrange(days))
            plan.holidays[p].append((leaves, leaves + timedelta(days=rng.randint(2, 6))))
        if p % 4 == 3:  # a two-hour break in one working day (training, an appointment)
            day = rng.choice(working_days)
            first_shift = plan.shifts[p][day.weekday()][0]
            start = first_shift[0] + 60
            plan.breaks[p][day] = (start, start + 120)


def _plan_bookings(
    plan: _Plan,
    rng: random.Random,
    *,
    practitioners: int,
    rooms: int,
    first_day: date,
    days: int,
    fill: float,
    step: int,
) -> None:
    held = BUFFER_BEFORE + DURATION + BUFFER_AFTER
    spacing = -(-held // step)  # grid steps from one start to the next session's start
    carry = [0.0] * practitioners  # held minutes still owed to reach the target fill
    for n in range(days):
        day = first_day + timedelta(days=n)
        pieces: list[_Piece] = []
        for p in range(practitioners):
            shifts = plan.shifts[p].get(day.weekday())
            if not shifts or day in plan.days_off[p] or any(a <= day <= b for a, b in plan.holidays[p]):
                continue
            for lo, hi, worked in _free_stretches(shifts, plan.breaks[p].get(day)):
                first = -(-lo // step) * step
                room_for = (hi - DURATION - first) // step  # grid steps between first and last start
                capacity = room_for // spacing + 1 if room_for >= 0 else 0
                want = fill * worked + carry[p]
                count = max(0, min(capacity, math.floor(want / held + rng.random())))
                carry[p] = max(-2.0 * held, min(4.0 * held, want - count * held))
                if not count:
                    continue
                gaps = _gaps(rng, room_for - (count - 1) * spacing, count, spacing)
                pieces.append(_Piece(p, first, first + room_for * step, gaps))
        unplaced = _sweep(plan, rng, day, pieces, rooms=rooms, step=step, spacing=spacing)
        for p, count in unplaced.items():
            carry[p] = min(4.0 * held, carry[p] + count * held)


def _gaps(rng: random.Random, slack: int, count: int, spacing: int) -> list[int]:
    """Split `slack` grid steps into the gaps before each of `count` sessions (the rest trails the last).

    Free time comes mostly in whole sessions, as in a calendar that online booking filled: clients
    take the times offered, so gaps too short for a session are the exception. The remainder that
    is not a whole session is scattered.
    """
    gaps = [0] * (count + 1)
    for _ in range(slack // spacing):
        gaps[rng.randrange(count + 1)] += spacing
    for _ in range(slack % spacing):
        gaps[rng.randrange(count + 1)] += 1
    return gaps[:count]


def _free_stretches(shifts: list[tuple[int, int]], pause: tuple[int, int] | None) -> list[tuple[int, int, int]]:
    """Return (earliest session start, latest session end, working minutes) per stretch of the day."""
    if pause is None:
        return [(a, b, b - a) for a, b in shifts]
    out = []
    for a, b in shifts:
        # Around a break the buffers must stay clear of it too, not only the session.
        if pause[0] > a:
            end = min(b, pause[0])
            out.append((a, end - BUFFER_AFTER if end < b else end, end - a))
        if pause[1] < b:
            start = max(a, pause[1])
            out.append((start + BUFFER_BEFORE if start > a else start, b, b - start))
    return [(lo, hi, worked) for lo, hi, worked in out if worked > 0]


def _sweep(
    plan: _Plan, rng: random.Random, day: date, pieces: list[_Piece], *, rooms: int, step: int, spacing: int
) -> dict[int, int]:
    """Place the day's planned sessions in time order, each in the first free room; return what was left."""
    room_free = [-(10**9)] * rooms  # local minute at which each room's last blocked range ends
    person_free: dict[int, int] = defaultdict(lambda: -(10**9))
    unplaced: dict[int, int] = defaultdict(int)
    queue = [(piece.first + piece.gaps[0] * step, piece.practitioner, i) for i, piece in enumerate(pieces)]
    heapq.heapify(queue)
    while queue:
        start, p, i = heapq.heappop(queue)
        piece = pieces[i]
        ready = max(min(room_free), person_free[p]) + BUFFER_BEFORE
        if start < ready:  # no room (or the practitioner is still held): wait on the grid
            later = -(-ready // step) * step
            if later > piece.last:
                unplaced[p] += len(piece.gaps) - piece.placed
                continue
            piece.delay += (later - start) // step
            heapq.heappush(queue, (later, p, i))
            continue
        room = next(r for r in range(rooms) if room_free[r] <= start - BUFFER_BEFORE)
        room_free[room] = person_free[p] = start + DURATION + BUFFER_AFTER
        plan.bookings.append((day, start, p, room, False))
        if rng.random() < 0.04:  # an earlier booking of the same time, cancelled: rows the search must skip
            plan.bookings.append((day, start, p, room, True))
        piece.placed += 1
        if piece.placed == len(piece.gaps):
            continue
        gap = piece.gaps[piece.placed]
        absorbed = min(gap, piece.delay)
        piece.delay -= absorbed
        following = start + (spacing + gap - absorbed) * step
        if following > piece.last:
            unplaced[p] += len(piece.gaps) - piece.placed
            continue
        heapq.heappush(queue, (following, p, i))
    return unplaced


def _write(
    plan: _Plan,
    rng: random.Random,
    *,
    slug: str,
    practitioners: int,
    rooms: int,
    days: int,
    step: int,
    first_day: date,
) -> Practice:
    zone = ZoneInfo(TIME_ZONE)
    # Cancellations are dated the day before the first day, so reruns give the same rows.
    stamp = datetime.combine(first_day - timedelta(days=1), time(), zone).astimezone(UTC)
    practice = Practice.objects.create(
        name=f"Large Generated Clinic ({slug})",
        slug=slug,
        tagline=TAGLINE,
        min_notice_hours=12,
        booking_horizon_days=min(max(90, days + 1), HORIZON_MAX_DAYS),
        slot_step_minutes=step,
        new_clients_first_visit=False,
    )
    location = Location.objects.create(practice=practice, name="Main clinic", city="New York", time_zone=TIME_ZONE)
    room_rows = Room.objects.bulk_create(
        Room(location=location, name=_room_name(r), sort_order=r) for r in range(rooms)
    )
    styles = list(Style)
    people = Practitioner.objects.bulk_create(
        Practitioner(
            practice=practice,
            display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            slug=f"practitioner-{p + 1:03d}",
            style=rng.choice(styles),
            credentials=rng.choice(["LMT", "RCST", "CST-D", "PT, DPT", "LMT, CST-T"]),
            sort_order=p,
        )
        for p in range(practitioners)
    )
    service = Service.objects.create(
        practice=practice,
        name="Craniosacral session",
        slug="cst-60",
        duration_minutes=DURATION,
        buffer_before_minutes=BUFFER_BEFORE,
        buffer_after_minutes=BUFFER_AFTER,
        price="110.00",
    )
    service.practitioners.add(*people)

    WorkingHours.objects.bulk_create(
        WorkingHours(
            practitioner=people[p],
            location=location,
            weekday=weekday,
            start_time=_clock(a),
            end_time=_clock(b),
        )
        for p in range(practitioners)
        for weekday, shifts in sorted(plan.shifts[p].items())
        for a, b in shifts
    )
    HoursException.objects.bulk_create(
        HoursException(practitioner=people[p], date=day, available=False, reason="Day off")
        for p in range(practitioners)
        for day in sorted(plan.days_off[p])
    )
    TimeOff.objects.bulk_create(
        [
            TimeOff(
                practitioner=people[p],
                start=_instant(a, 0, zone),
                end=_instant(b + timedelta(days=1), 0, zone),
                reason="Holiday",
            )
            for p in range(practitioners)
            for a, b in plan.holidays[p]
        ]
        + [
            TimeOff(practitioner=people[p], start=_instant(day, a, zone), end=_instant(day, b, zone), reason="Training")
            for p in range(practitioners)
            for day, (a, b) in sorted(plan.breaks[p].items())
        ]
    )

    pool = max(20, practitioners * 30)
    clients = Client.objects.bulk_create(
        (
            Client(
                practice=practice,
                first_name=(first := rng.choice(FIRST_NAMES)),
                last_name=(last := rng.choice(LAST_NAMES)),
                email=f"{first}.{last}.{c + 1}@example.invalid".lower(),
                phone=f"+1 555 {c:04d}",
            )
            for c in range(pool)
        ),
        batch_size=BATCH,
    )

    duration, before, after = (
        timedelta(minutes=DURATION),
        timedelta(minutes=BUFFER_BEFORE),
        timedelta(minutes=BUFFER_AFTER),
    )
    sources = [Source.ONLINE] * 14 + [Source.STAFF] * 5 + [Source.API]
    appointments = []
    for day, minute, p, r, cancelled in plan.bookings:
        start = _instant(day, minute, zone)
        appointments.append(
            Appointment(
                practice=practice,
                location=location,
                service=service,
                practitioner=people[p],
                room=room_rows[r],
                client=clients[rng.randrange(pool)],
                start=start,
                end=start + duration,
                blocked_start=start - before,
                blocked_end=start + duration + after,
                status=Status.CANCELLED_CLIENT if cancelled else Status.BOOKED,
                cancelled_at=stamp if cancelled else None,
                source=rng.choice(sources),
                # Unguessable-looking and unique across practices; nobody holds these tokens.
                manage_token_hash=hashlib.sha256(f"{slug}:{rng.getrandbits(128):032x}".encode()).hexdigest(),
            )
        )
    # created_at/updated_at are left to record when the rows were written: rewriting them costs more
    # than the inserts on PostgreSQL (every new row version re-checks the exclusion constraints).
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    return practice


def _room_name(r: int) -> str:
    base = ROOM_NAMES[r % len(ROOM_NAMES)]
    return base if r < len(ROOM_NAMES) else f"{base} {r // len(ROOM_NAMES) + 1}"


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    # Shifts run 07:00-21:30 local, far from the night-time DST changes, so wall time is unambiguous.
    return datetime.combine(day, _clock(minute), zone).astimezone(UTC)
