"""A practice's setup as a booking's read ahead needs it, kept per process: who may give each
service (in display order, with the fields a booking's messages show) and their weekly hours.

An "any practitioner" booking's first statement joined every candidate with their offers and
checked all their weekly hours against the clock readings near its start, in SQL, on every
booking: per candidate work a named booking does not do (bench/README, stop 27: "any
practitioner" on the practice's setup kept per process). These rows change when staff edit the
practice, not when clients book, so each process keeps them and works out in Python which
candidates have hours near a start.

Exact, whatever wrote the change and in whichever process: the database draws a fresh random
number for the practice (models.BusyVersion, kind SETUP) with every change to its practitioners,
locations, services, offers and weekly hours (migration 0017's triggers, in the writing
transaction). A booking's first statement reads that number with everything else it reads (one
snapshot); when it is not the number this copy was read under, the statement's answer is thrown
away, the copy read afresh and the statement run again (should the setup change again meanwhile,
the booking reads as if nothing were kept: search.service_and_places). The copy itself is read
between two reads of the number and kept only when both are the same: no change committed while
it was read.

Per process and per practice (bounded by the number of practices): nothing private, nothing
clinical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from django.db import connection

from longtide.practice.models import Location, Practice, Practitioner, Service
from longtide.scheduling.availability import WeeklyHours
from longtide.scheduling.models import BusyVersion, WorkingHours

# What a booking's messages and answer read of a practitioner (search.Places.practitioner).
PRACTITIONER_FIELDS = ["id", "practice_id", "display_name", "sort_order", "slug", "credentials", "style", "active"]


@dataclass(frozen=True, slots=True)
class Hours:
    """One row of weekly hours: the engine's (frozen) WeeklyHours, made once here rather than per
    booking, and its times in seconds from midnight (for the windows' tests)."""

    practitioner_id: int
    location_id: int
    weekly: WeeklyHours
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Block:
    """One practitioner's weekly rows on one weekday at one location that overlap or touch, as one
    span of working time: from `start` to `end` (seconds from midnight), and the rows."""

    practitioner_id: int
    start: float
    end: float
    hours: tuple[Hours, ...]


@dataclass(frozen=True, slots=True)
class Setup:
    """A practice's setup as of the number `version` (BusyVersion SETUP: 0 before its first change)."""

    practice_id: int
    version: int
    # service id -> (its duration in minutes, the active practitioners offering it in display order)
    services: dict[int, tuple[int, list[int]]]
    people: dict[int, tuple[object, ...]]  # active practitioner id -> PRACTITIONER_FIELDS' values
    # (location id, weekday) -> the active practitioners' weekly hours there then; location id -> all
    # of them there (the rows a read ahead tests: ~1/7 of them, not each candidate's week)
    by_day: dict[tuple[int, int], list[Hours]] = field(default_factory=dict)
    by_location: dict[int, list[Hours]] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)  # location id -> time zone
    order: dict[int, int] = field(default_factory=dict)  # active practitioner id -> display position
    # (location id, weekday) -> each practitioner's working time there then, merged as the engine
    # merges it (overlapping or touching rows one block): (from, to, its rows), in seconds from
    # midnight; an "any practitioner" booking keeps only the candidates one of whose blocks holds
    # the whole session (search._covering)
    blocks: dict[tuple[int, int], list[Block]] = field(default_factory=dict)
    # (minutes, (location id, weekday, seconds from midnight) per location) -> practitioner id -> the
    # rows holding a session of those minutes from those readings (search._covering): made as
    # bookings ask, at most COVERING of them (then begun afresh); the same for every booking at
    # that weekly time, until the setup changes (a new copy)
    covering: dict[tuple[object, ...], dict[int, tuple[Hours, ...]]] = field(default_factory=dict)
    # service id -> its candidates (no style asked) as a set and as one parameter's text
    # (search._ids, for the database the copy was read from), made by the first "any
    # practitioner" booking that asks
    offered: dict[int, tuple[frozenset[int], str]] = field(default_factory=dict)
    # service id -> (its buffer before, duration, buffer after) in minutes: the busy time a booking's
    # read ahead reads around its start (search._ahead_moments)
    lengths: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    def remember(self, key: tuple[object, ...], held: dict[int, tuple[Hours, ...]]) -> None:
        """Keep search._covering's answer for these readings (a whole answer, set at once: threads
        of a worker share the copy)."""
        if len(self.covering) >= COVERING:
            self.covering.clear()
        self.covering[key] = held

    def candidates(self, service_id: int, practitioner_id: int | None = None, style: str | None = None) -> list[int]:
        """The active practitioners offering the service, in display order (as search's places):
        only `practitioner_id` when named, only those of `style` when given. Not to be changed: with
        neither, it is the copy's own list."""
        _, offering = self.services.get(service_id, (0, []))
        style_at = PRACTITIONER_FIELDS.index("style")
        if practitioner_id is not None:
            offering = [practitioner_id] if practitioner_id in offering else []
        if not style:
            return offering
        return [pid for pid in offering if self.people[pid][style_at] == style]


# The most answers of search._covering a copy keeps: a week's grid times for a few lengths of
# session; staff may book at any minute.
COVERING = 4096

# practice slug -> its setup as last read in this process.
_kept: dict[str, Setup] = {}


def kept(slug: str) -> Setup | None:
    """The setup kept for the practice, as read last in this process (its number to be checked)."""
    return _kept.get(slug)


def forget(slug: str) -> None:
    """Drop the copy kept for the practice (its number was found changed)."""
    _kept.pop(slug, None)


def load(slug: str) -> Setup | None:
    """Read the practice's setup, keep it and return it. Read between two reads of its number, and
    kept only when both agree; read again (a few times) otherwise. None: no such practice, or its
    setup changed under each read (the caller then reads as if nothing were kept)."""
    for _ in range(3):
        before = _version(slug)
        if before is None:
            return None
        setup = _read(*before)
        if _version(slug) == before:
            _kept[slug] = setup
            return setup
    return None


def _version(slug: str) -> tuple[int, int] | None:
    """(practice id, setup number) of the practice with this slug, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, COALESCE(v.version, 0) FROM {Practice._meta.db_table} p "  # noqa: S608 (our tables)
            f"LEFT JOIN {BusyVersion._meta.db_table} v ON v.kind = %s AND v.ref = p.id WHERE p.slug = %s",
            [BusyVersion.SETUP, slug],
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def _read(practice_id: int, version: int) -> Setup:
    people = {
        row[0]: row
        for row in Practitioner.objects.filter(practice_id=practice_id, active=True)
        .order_by("sort_order", "display_name", "id")
        .values_list(*PRACTITIONER_FIELDS)
    }
    offers = Service.practitioners.through.objects.filter(practitioner_id__in=list(people)).values_list(
        "service_id", "practitioner_id"
    )
    offered: dict[int, set[int]] = {}
    for service_id, pid in offers:
        offered.setdefault(service_id, set()).add(pid)
    of_practice = Service.objects.filter(practice_id=practice_id).order_by()
    lengths = {
        sid: (before, minutes, after)
        for sid, before, minutes, after in of_practice.values_list(
            "id", "buffer_before_minutes", "duration_minutes", "buffer_after_minutes"
        )
    }
    services = {
        sid: (minutes, [pid for pid in people if pid in offered.get(sid, ())])
        for sid, (_, minutes, _) in lengths.items()
    }
    by_day: dict[tuple[int, int], list[Hours]] = {}
    by_location: dict[int, list[Hours]] = {}
    rows = (
        WorkingHours.objects.filter(practitioner_id__in=list(people))
        .order_by()
        .values_list("practitioner_id", "location_id", "weekday", "start_time", "end_time")
    )
    for pid, location_id, weekday, start, end in rows:
        if not 0 <= weekday <= 6:  # no weekday (the column allows it): never working time
            continue
        hours = Hours(pid, location_id, WeeklyHours(weekday, start, end), seconds(start), seconds(end))
        by_day.setdefault((location_id, weekday), []).append(hours)
        by_location.setdefault(location_id, []).append(hours)
    zones = dict(Location.objects.filter(practice_id=practice_id).order_by().values_list("id", "time_zone"))
    order = {pid: position for position, pid in enumerate(people)}
    blocks = {key: _blocks(rows) for key, rows in by_day.items()}
    return Setup(practice_id, version, services, people, by_day, by_location, zones, order, blocks, lengths=lengths)


def _blocks(rows: list[Hours]) -> list[Block]:
    """Each practitioner's rows (of one weekday and location) merged where they overlap or touch,
    as the engine merges a day's weekly hours (intervals.merge_spans)."""
    blocks: list[Block] = []
    merged: dict[int, list[Block]] = {}
    for hours in sorted(rows, key=lambda h: (h.practitioner_id, h.start, h.end)):
        own = merged.setdefault(hours.practitioner_id, [])
        if own and hours.start <= own[-1].end:
            last = own[-1]
            own[-1] = Block(last.practitioner_id, last.start, max(last.end, hours.end), (*last.hours, hours))
        else:
            own.append(Block(hours.practitioner_id, hours.start, hours.end, (hours,)))
    for own in merged.values():
        blocks.extend(own)
    return blocks


def seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1_000_000
