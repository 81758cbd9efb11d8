"""Availability engine: which appointment slots are free, for whom, and in which room.

Pure standard library, no Django: callers load schedules into the dataclasses below and get ``Slot``
values back. All instants are aware datetimes and all arithmetic happens in UTC; working hours are
wall-clock times in the location's IANA zone.

Wall-clock rule (DST)
---------------------
Wall-clock hours ``[start, end)`` on local date ``d`` cover exactly the instants at which a clock in the
zone shows date ``d`` and a time of day in ``[start, end)``. Consequences:

* Nonexistent times (the spring-forward gap) are never shown, so they produce no working time: an edge
  inside the gap lands on the moment the clock jumps, and hours entirely inside the gap are empty.
  00:00-04:00 on a New York spring-forward day is 3 real hours.
* Ambiguous times (fall-back) are shown twice, so hours covering the repeated stretch include both passes:
  00:00-04:00 on a New York fall-back day is 5 real hours, and 01:00-03:00 runs from 01:00 EDT to
  03:00 EST (fold=0 for the start, fold=1 for the end). Hours ending inside the repeated stretch cover
  both passes of the part they contain: 00:30-01:30 is 00:30-01:30 EDT plus 01:00-01:30 EST.
* Time off is removed by the same rule, so an exception and the hours it cuts always line up.
* The slot grid uses it too: a grid point is any instant at which the clock shows a time of day that
  is a whole multiple of ``step`` after local midnight. A repeated 01:00 gives two grid points; a
  skipped 02:00 gives none. Days are counted from local midnight, so a step that does not divide
  24 hours restarts at 00:00 each day.

The ``time.fold`` attribute of configured hours is ignored; the rule above already decides both passes.

Algorithm
---------
Instead of testing candidate start times one by one, the engine computes for each practitioner the set
of valid start instants as sorted UTC spans: working time shrunk at the end by the session length, minus
every busy interval widened by the session length and buffers. Rooms get the same treatment and are
painted onto the grid in preference order, so each grid point knows its first free room. Then only the
grid points inside each practitioner's valid spans are visited, and each of those is a slot.

Every span here is half-open on the microsecond lattice that datetimes live on, so the closed constraint
"t <= last valid start" is written as ``[..., last + 1 µs)``.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter
from zoneinfo import ZoneInfo

from longtide.lib.intervals import Interval, Span, merge_spans, subtract_spans

_START = attrgetter("start")
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_EPSILON = timedelta(microseconds=1)
# Offset changes are found by sampling this often and bisecting. Two changes closer than this that
# cancel out would be missed; the tz database has none since 1970 (the closest pairs are ~7 days apart).
_OFFSET_SAMPLE = timedelta(hours=6)

type _DaySpan = tuple[timedelta, timedelta]  # wall-clock offsets from local midnight
type _Piece = tuple[datetime, datetime, datetime]  # (UTC instant of local midnight at this offset, run start, run end)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """A recurring working interval in local wall time on one weekday (0=Monday .. 6=Sunday)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}")
        _check_wall_times(self.start, self.end)


@dataclass(frozen=True, slots=True)
class DatedHours:
    """A dated exception in local wall time: extra hours (available=True) or time off (available=False).

    With start and end both None it covers the whole local day: a day off, or a whole extra day.
    """

    day: date
    available: bool
    start: time | None = None
    end: time | None = None

    def __post_init__(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValueError("DatedHours needs both start and end, or neither for the whole day")
        if self.start is not None and self.end is not None:
            _check_wall_times(self.start, self.end)


@dataclass(frozen=True, slots=True)
class PractitionerSchedule:
    """A practitioner's hours at one location plus their busy time (time off, breaks, booked ranges)."""

    practitioner_id: int
    weekly: Sequence[WeeklyHours]
    exceptions: Sequence[DatedHours]
    busy: Sequence[Interval]


@dataclass(frozen=True, slots=True)
class RoomSchedule:
    """A room suitable for the service, with the blocked ranges of its appointments."""

    room_id: int
    busy: Sequence[Interval]


@dataclass(frozen=True, slots=True)
class ServiceRule:
    """Session length and the buffers blocked before and after it."""

    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError(f"duration must be positive, got {self.duration}")
        if self.buffer_before < timedelta(0) or self.buffer_after < timedelta(0):
            raise ValueError("buffers must not be negative")


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """How soon and how far ahead slots may start, and the local wall-clock grid they start on."""

    min_notice: timedelta
    horizon: timedelta
    step: timedelta

    def __post_init__(self) -> None:
        if self.step <= timedelta(0):
            raise ValueError(f"step must be positive, got {self.step}")


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable session: UTC start and end, with the practitioner and room that would take it."""

    start: datetime
    end: datetime
    practitioner_id: int
    room_id: int


def working_intervals(schedule: PractitionerSchedule, tz: ZoneInfo, first_day: date, last_day: date) -> list[Interval]:
    """Return the practitioner's working time in UTC for local days first_day..last_day inclusive.

    Working time is the weekly pattern plus available exceptions minus unavailable exceptions (a whole
    local day when start and end are None), mapped to instants by the wall-clock rule in the module
    docstring. The result is sorted and merged: touching intervals, also across midnight, are one.
    """
    if first_day > last_day:
        return []
    calendar = _calendar(tz, first_day, last_day)
    return [Interval(start, end) for start, end in calendar.working_spans(schedule, first_day, last_day)]


def working_intervals_of(
    schedules: Sequence[PractitionerSchedule], tz: ZoneInfo, first_day: date, last_day: date
) -> list[list[Interval]]:
    """Return `working_intervals` of each schedule, in order, for schedules in one zone: the zone's
    offsets over the days are worked out once, not once per practitioner."""
    if first_day > last_day:
        return [[] for _ in schedules]
    calendar = _calendar(tz, first_day, last_day)
    return [
        [Interval(start, end) for start, end in calendar.working_spans(schedule, first_day, last_day)]
        for schedule in schedules
    ]


def free_slots(
    *,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    now: datetime,
    service: ServiceRule,
    policy: BookingPolicy,
    practitioners: Sequence[PractitionerSchedule],
    rooms: Sequence[RoomSchedule],
    any_practitioner: bool = False,
    only: datetime | None = None,
) -> list[Slot]:
    """Return the free slots starting on local days first_day..last_day, sorted by start.

    ``only``: just the slots starting at that instant (a booking's check of its one time), the same
    as filtering the whole answer by start, without judging the day's other grid points.

    A slot at instant t for a practitioner needs all of:

    * t is a grid point (see the module docstring) on a local date within first_day..last_day;
    * now + min_notice <= t <= now + horizon;
    * the session [t, t + duration) lies inside one merged working interval of the practitioner;
    * the blocked range [t - buffer_before, t + duration + buffer_after) overlaps none of the
      practitioner's busy intervals (touching is fine);
    * some room has the whole blocked range free; the slot names the first such room in ``rooms`` order.

    With ``any_practitioner`` there is one slot per start time, taken by the first practitioner in
    ``practitioners`` order who can; otherwise every (start, practitioner) pair is returned, ordered by
    start and then by position in ``practitioners``.
    """
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    if not practitioners or not rooms or first_day > last_day:
        return []
    now = now.astimezone(UTC)
    earliest = now + policy.min_notice
    latest = now + policy.horizon
    if latest < earliest:
        return []
    # Clamp the local days to the booking window before doing any per-day work. One day of slack on
    # each side because an offset change around midnight can put a local date on either side of it.
    first = max(first_day, earliest.astimezone(tz).date() - _DAY)
    last = min(last_day, latest.astimezone(tz).date() + _DAY)
    if first > last:
        return []

    duration = service.duration
    # Working days around the grid days: a session may run past midnight into later working time, and
    # a working interval may begin the day before.
    calendar = _calendar(tz, first - _DAY, last + _DAY * (duration.days + 2))
    if only is not None:  # each grid point is judged on its own: the one asked for, if it is one
        only = only.astimezone(UTC)
        grid = [only] if earliest <= only <= latest and calendar.on_grid(only, first, last, policy.step) else []
    else:
        grid = calendar.grid(first, last, policy.step)
        grid = grid[bisect_left(grid, earliest) : bisect_right(grid, latest)]
    if not grid:
        return []
    window = (grid[0], grid[-1] + _EPSILON)

    # A busy interval [a, b) rules out start t when the blocked range [t - before, t + duration + after)
    # overlaps it: a - duration - after < t < b + before, open at both ends, so a session may end
    # exactly at a and a buffer may begin exactly at b. On the microsecond lattice that open range is
    # [a - reach, b + before) with reach = duration + after - 1 µs.
    before = service.buffer_before
    reach = duration + service.buffer_after - _EPSILON

    room_of = _first_free_room(grid, window, rooms, before, reach)
    last_start = duration - _EPSILON
    n = len(grid)
    owner = [-1] * n if any_practitioner else []
    # With "any practitioner", the starts still without one (and with a room): when none is left,
    # the later practitioners cannot change the answer (the first who can keeps each start), so
    # their working time is not worked out. A booking's check of its one time ("only") stops at
    # the first candidate free then instead of going through all twenty.
    unowned = len(room_of) - room_of.count(-1) if any_practitioner else 0
    rows: list[list[Slot] | None] = [] if any_practitioner else [None] * n
    ends = [] if any_practitioner else [start + duration for start in grid]

    for position, schedule in enumerate(practitioners):
        working = calendar.working_spans(schedule, first - _DAY, last + _DAY * (duration.days + 2))
        starts = [(start, end - last_start) for start, end in working if end - last_start > start]
        valid = subtract_spans(starts, _blocked_starts(schedule.busy, window, before, reach))
        pid = schedule.practitioner_id
        index = 0
        for span_start, span_end in valid:
            index = bisect_left(grid, span_start, index)
            stop = bisect_left(grid, span_end, index)
            for g in range(index, stop):
                room = room_of[g]
                if room < 0:
                    continue
                if any_practitioner:
                    if owner[g] < 0:
                        owner[g] = position
                        unowned -= 1
                else:
                    slot = Slot(grid[g], ends[g], pid, rooms[room].room_id)
                    row = rows[g]
                    if row is None:
                        rows[g] = [slot]
                    else:
                        row.append(slot)
            index = stop
        if any_practitioner and not unowned:
            break

    if any_practitioner:
        return [
            Slot(grid[g], grid[g] + duration, practitioners[p].practitioner_id, rooms[room_of[g]].room_id)
            for g, p in enumerate(owner)
            if p >= 0
        ]
    return [slot for row in rows if row is not None for slot in row]


def _check_wall_times(start: time, end: time) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("working hours are local wall-clock times and must be naive")
    if not start < end:
        raise ValueError(f"start must be before end, got {start} .. {end} (overnight hours need two entries)")


def _day_offset(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond)


def _blocked_starts(busy: Sequence[Interval], window: Span, before: timedelta, reach: timedelta) -> list[Span]:
    """Return the start instants each busy interval rules out, sorted by start, limited to the window."""
    lowest, highest = window[0] - before, window[1] + reach
    # Sorting the intervals by one datetime key is cheaper than sorting the derived tuples.
    ordered = sorted(busy, key=_START)
    ordered = ordered[: bisect_left(ordered, highest, key=_START)]
    return [(interval.start - reach, interval.end + before) for interval in ordered if interval.end > lowest]


def _first_free_room(
    grid: list[datetime], window: Span, rooms: Sequence[RoomSchedule], before: timedelta, reach: timedelta
) -> list[int]:
    """Return, per grid point, the position of the first room free for the blocked range, or -1."""
    room_of = [-1] * len(grid)
    # Paint the least preferred room first so more preferred rooms overwrite it where both are free.
    for position in range(len(rooms) - 1, -1, -1):
        index = 0
        for span_start, span_end in subtract_spans(
            [window], _blocked_starts(rooms[position].busy, window, before, reach)
        ):
            index = bisect_left(grid, span_start, index)
            stop = bisect_left(grid, span_end, index)
            room_of[index:stop] = [position] * (stop - index)
            index = stop
    return room_of


def utc_offsets(tz: tzinfo, start: datetime, end: datetime) -> list[timedelta]:
    """The UTC offsets the zone has over [start, end], in order (one per run between changes)."""
    return [offset for _, _, offset in _offset_runs(tz, start, end + _SECOND)]


def _utc_offset(tz: tzinfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    if offset is None:
        raise ValueError(f"time zone {tz!r} gives no UTC offset")
    return offset


def _offset_runs(tz: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, timedelta]]:
    """Return [start, end) cut into maximal runs of constant UTC offset: (run start, run end, offset)."""
    runs: list[tuple[datetime, datetime, timedelta]] = []
    run_start, offset = start, _utc_offset(tz, start)
    probe = start
    while probe < end:
        sample = min(probe + _OFFSET_SAMPLE, end)
        if _utc_offset(tz, sample) == offset:
            probe = sample
            continue
        # The offset changes in (probe, sample]; tz database transitions fall on whole seconds.
        low, high = probe, sample
        while high - low > _SECOND:
            middle = low + _SECOND * ((high - low) // _SECOND // 2)
            if _utc_offset(tz, middle) == offset:
                low = middle
            else:
                high = middle
        runs.append((run_start, high, offset))
        run_start, offset, probe = high, _utc_offset(tz, high), high
    if run_start < end:
        runs.append((run_start, end, offset))
    return runs


@functools.lru_cache(maxsize=256)
def _calendar(tz: tzinfo, first_day: date, last_day: date) -> _Calendar:
    """A _Calendar of these days, kept (it is read, never changed, once made): the offset runs
    it finds by sampling the zone took ~1,200 bytecodes for a booking's four days, the same days
    for every booking of that day (bench/README, stop 29). The zone data of a process does not
    change while it runs."""
    return _Calendar(tz, first_day, last_day)


class _Calendar:
    """Maps wall-clock spans on a run of local dates to UTC spans, following the zone's offset changes."""

    def __init__(self, tz: tzinfo, first_day: date, last_day: date) -> None:
        self.tz = tz
        self.first_day = first_day
        first_midnight = datetime.combine(first_day, time(), UTC)
        count = (last_day - first_day).days + 1
        # Any instant on these local dates lies within a day of its wall-clock reading.
        runs = _offset_runs(tz, first_midnight - _DAY, first_midnight + _DAY * (count + 1))
        # For each date: one piece per offset run whose wall-clock readings touch that date, as
        # (where local midnight would be at that offset, the run's start, the run's end).
        self.pieces: list[list[_Piece]] = []
        # Whether a single run covers the whole date, so wall spans need no clipping.
        self.simple: list[bool] = []
        for n in range(count):
            # Local midnight written as if it were UTC, so "instant + offset" readings compare to it.
            midnight = first_midnight + _DAY * n
            pieces = [
                (midnight - offset, run_start, run_end)
                for run_start, run_end, offset in runs
                if run_start + offset < midnight + _DAY and run_end + offset > midnight
            ]
            self.pieces.append(pieces)
            self.simple.append(
                len(pieces) == 1 and pieces[0][1] <= pieces[0][0] and pieces[0][0] + _DAY <= pieces[0][2]
            )

    def to_utc(self, day: date, spans: Sequence[_DaySpan], out: list[Span]) -> None:
        """Append the UTC spans during which the local clock on ``day`` reads inside ``spans``."""
        n = (day - self.first_day).days
        pieces = self.pieces[n]
        if self.simple[n]:
            midnight = pieces[0][0]
            out.extend((midnight + start, midnight + end) for start, end in spans)
            return
        for midnight, run_start, run_end in pieces:
            for start, end in spans:
                # Clipping to the run drops readings the clock never shows at this offset: the gap at
                # spring-forward, and each pass of a fall-back repeat belongs to its own run.
                lo, hi = max(midnight + start, run_start), min(midnight + end, run_end)
                if lo < hi:
                    out.append((lo, hi))

    def grid(self, first_day: date, last_day: date, step: timedelta) -> list[datetime]:
        """Return, sorted, every instant on these local dates whose wall-clock time is a multiple of step."""
        offsets = [step * k for k in range(-(-_DAY // step))]
        points: list[datetime] = []
        ordered = True
        for n in range((first_day - self.first_day).days, (last_day - self.first_day).days + 1):
            size = len(points)
            if self.simple[n]:
                midnight = self.pieces[n][0][0]
                points.extend([midnight + offset for offset in offsets])
            else:
                for midnight, run_start, run_end in self.pieces[n]:
                    points.extend(moment for offset in offsets if run_start <= (moment := midnight + offset) < run_end)
            if 0 < size < len(points) and points[size - 1] > points[size]:
                ordered = False  # a fall-back across midnight repeats part of the previous date
        if not ordered:
            points.sort()
        return points

    def on_grid(self, instant: datetime, first_day: date, last_day: date, step: timedelta) -> bool:
        """Whether `instant` is in grid(first_day, last_day, step), without making the grid: the
        local clock then shows a date within the days and a time a whole number of steps after its
        midnight (a repeated reading is a grid point on each pass, a skipped one on none, as there).
        A booking's check of its one time asked for the days' whole grid (~300 instants) to look
        one up (bench/README, stop 29)."""
        wall = instant.astimezone(self.tz).replace(tzinfo=None)
        day = wall.date()
        return first_day <= day <= last_day and (wall - datetime.combine(day, time())) % step == timedelta(0)

    def working_spans(self, schedule: PractitionerSchedule, first_day: date, last_day: date) -> list[Span]:
        """Return the schedule's merged working time in UTC for local days first_day..last_day."""
        weekly: list[list[_DaySpan]] = [[] for _ in range(7)]
        for hours in schedule.weekly:
            weekly[hours.weekday].append((_day_offset(hours.start), _day_offset(hours.end)))
        weekly = [merge_spans(spans) for spans in weekly]
        added: dict[date, list[_DaySpan]] = {}
        removed: dict[date, list[_DaySpan]] = {}
        for exception in schedule.exceptions:
            if first_day <= exception.day <= last_day:
                target = added if exception.available else removed
                if exception.start is None or exception.end is None:
                    span = (timedelta(0), _DAY)
                else:
                    span = (_day_offset(exception.start), _day_offset(exception.end))
                target.setdefault(exception.day, []).append(span)

        out: list[Span] = []
        day = first_day
        while day <= last_day:
            spans = weekly[day.weekday()]
            if day in added or day in removed:
                spans = merge_spans([*spans, *added.get(day, [])])
                spans = subtract_spans(spans, merge_spans(removed.get(day, [])))
            if spans:
                self.to_utc(day, spans, out)
            day += _DAY
        return merge_spans(out)
