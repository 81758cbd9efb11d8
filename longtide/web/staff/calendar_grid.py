"""The staff calendar's grid: columns of 15-minute rows in the location's local time, working hours
shaded, appointments and time off placed as blocks on CSS grid lines.

Rows follow the wall clock, like a paper diary: on a daylight-saving day the repeated or skipped
hour is not drawn twice or left out, and a block is placed by the local time printed on it.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide import prepared
from longtide.clients.models import Client
from longtide.lib.intervals import Interval, merge
from longtide.lib.weeks import week_days
from longtide.practice.models import Practice, Practitioner, Room, Service
from longtide.scheduling.hours import working_time_by_location as working_time
from longtide.scheduling.models import OCCUPYING, Appointment, Status, TimeOff
from longtide.web import formats
from longtide.web.staff.calendar_css import MAX_LANES
from longtide.web.times import time_label

ROW_MINUTES = 15
DAY_MINUTES = 24 * 60
# The grid always shows at least these hours, widened to fit working hours and appointments.
FIRST_HOUR, LAST_HOUR = 8, 18


def practice_zone(practice: Practice) -> ZoneInfo:
    """Return the time zone the practice's calendar is drawn in: its (first) location's."""
    location = practice.locations.first()
    return location.zone if location else ZoneInfo("UTC")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


@dataclass(slots=True)
class Source:
    """What one column shows before it is laid out: a practitioner's or a room's day."""

    day: date
    heading: str
    practitioner: Practitioner | None = None
    room: Room | None = None
    appointments: Sequence[Booked] = ()
    working: Sequence[Interval] = ()
    time_off: Sequence[Away] = ()

    @property
    def subject(self) -> str:
        """Return whose column this is: the practitioner's or the room's name."""
        if self.practitioner is not None:
            return self.practitioner.display_name
        return self.room.name if self.room is not None else ""


@dataclass(slots=True)
class Block:
    first_line: int
    last_line: int
    time_text: str
    appointment: Booked | None = None
    label: str = ""  # for time off
    lane: int = 1

    @property
    def is_short(self) -> bool:
        """Half an hour or less: too short for one fact per line."""
        return self.last_line - self.first_line <= 2


@dataclass(slots=True)
class Column:
    source: Source
    hours_text: str
    is_today: bool
    shading: list[tuple[int, int]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    lanes: int = 1

    @property
    def day(self) -> date:
        return self.source.day

    @property
    def heading(self) -> str:
        return self.source.heading


@dataclass
class Grid:
    first_hour: int
    last_hour: int
    columns: list[Column]
    cancelled: list[Booked]
    # Written by calendar_blocks.describe_columns, escaped, for the template.
    columns_html: str = ""
    list_html: str = ""
    axis_html: str = ""
    cancelled_html: str = ""

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // ROW_MINUTES

    @property
    def hour_labels(self) -> list[tuple[int, str]]:
        """Return (grid line, "9 AM") for each hour shown."""
        per_hour = 60 // ROW_MINUTES
        return [
            (index * per_hour + 1, _hour_text(hour))
            for index, hour in enumerate(range(self.first_hour, self.last_hour))
        ]


def _hour_text(hour: int) -> str:
    return formats.current().hour(hour)


def _span_of(start: datetime, end: datetime, day: int, zone: ZoneInfo) -> tuple[int, int]:
    """Return the wall-clock minutes of an item from `start` to `end`, counted from the start of
    local `day` (an ordinal), each within the day, the item at least one minute long."""
    local = start.astimezone(zone)  # the calendar's times are in `zone` already: no conversion
    first = (local.toordinal() - day) * DAY_MINUTES + local.hour * 60 + local.minute
    first = 0 if first < 0 else DAY_MINUTES if first > DAY_MINUTES else first
    local = end.astimezone(zone)
    last = (local.toordinal() - day) * DAY_MINUTES + local.hour * 60 + local.minute
    last = 0 if last < 0 else DAY_MINUTES if last > DAY_MINUTES else last
    return first, last if last > first else first + 1


def build_grid(sources: Sequence[Source], zone: ZoneInfo, today: date) -> Grid:
    """Lay the sources out as columns on one shared set of rows, wide enough for everything shown."""
    # Each source with its working time and items in minutes from the start of its local day.
    laid: list[tuple[Source, list[tuple[int, int]], list[tuple[int, int, str, Booked | None, Away | None]]]] = []
    cancelled: list[Booked] = []
    now = timezone.now()  # a hold stops holding its time at hold_until
    clock = _clock(zone)
    words = _Labels()
    lowest, highest = FIRST_HOUR * 60, LAST_HOUR * 60
    held = Status.HELD
    spans: dict[tuple[int, int, int, int], str] = {}  # many appointments share their times
    for source in sources:
        day = source.day.toordinal()
        hours = []
        for i in source.working:
            first, last = _span_of(i.start, i.end, day, zone)
            if first < DAY_MINUTES:
                hours.append((first, last))
                lowest, highest = min(lowest, first), max(highest, last)
        items: list[tuple[int, int, str, Booked | None, Away | None]] = []
        for a in source.appointments:
            status = a.status
            # As Booked.holds_time, written out: a week has ~200 appointments.
            if (a.hold_until is not None and now < a.hold_until) if status == held else status in OCCUPYING:
                # As _span_of, written out, keeping the local times for the label.
                begins, ends = a.start.astimezone(zone), a.end.astimezone(zone)
                first = (begins.toordinal() - day) * DAY_MINUTES + begins.hour * 60 + begins.minute
                first = 0 if first < 0 else DAY_MINUTES if first > DAY_MINUTES else first
                last = (ends.toordinal() - day) * DAY_MINUTES + ends.hour * 60 + ends.minute
                last = 0 if last < 0 else DAY_MINUTES if last > DAY_MINUTES else last
                if last <= first:
                    last = first + 1
                # "9:00–10:00 AM" is the wall clock's hours and minutes (span_label, _clock): written once.
                times = (begins.hour, begins.minute, ends.hour, ends.minute)
                text = spans.get(times) or spans.setdefault(times, span_label(begins, ends, clock))
                items.append((first, last, text, a, None))
                if first < lowest:
                    lowest = first
                if last > highest:
                    highest = last
            else:
                cancelled.append(a)
        for o in source.time_off:
            first, last = _span_of(o.start, o.end, day, zone)
            items.append((first, last, "", None, o))
            lowest, highest = min(lowest, first), max(highest, last)
        laid.append((source, hours, items))

    first_hour, last_hour = lowest // 60, min(24, -(-highest // 60))
    origin = first_hour * 60

    columns = []
    hours_texts: dict[tuple[date, bool, tuple[Interval, ...]], str] = {}
    for source, hours, items in laid:
        # Most of a week's columns say the same "Working 9:00 AM–5:00 PM": written once per day and hours.
        said = (source.day, source.room is not None, tuple(source.working))
        hours_text = hours_texts.get(said)
        if hours_text is None:
            hours_text = hours_texts[said] = _hours_text(source, zone, clock, words)
        # A column's lines: from the row its start falls in to the row its end reaches, at least one row.
        shading = []
        for start, end in hours:
            first = (start - origin) // ROW_MINUTES + 1
            last = -(-(end - origin) // ROW_MINUTES) + 1
            shading.append((first, last if last > first else first + 1))
        column = Column(source, hours_text, source.day == today, shading)
        if items:
            blocks = column.blocks
            for start, end, text, appointment, off in items:
                first = (start - origin) // ROW_MINUTES + 1
                last = -(-(end - origin) // ROW_MINUTES) + 1
                if last <= first:
                    last = first + 1
                if appointment is not None:
                    blocks.append(Block(first, last, text, appointment))
                elif off is not None:
                    whole_day = start == 0 and end == DAY_MINUTES
                    text = words.all_day if whole_day else span_label(off.start, off.end, clock)
                    label = words.time_off_for % {"reason": off.reason} if off.reason else words.time_off
                    blocks.append(Block(first, last, text, label=label))
            column.lanes = _assign_lanes(blocks)
        columns.append(column)
    cancelled.sort(key=lambda a: a.start)
    return Grid(first_hour, last_hour, columns, cancelled)


class _Labels:
    """The grid's words, translated once per grid rather than once per column (each gettext goes
    through the active translation's thread-local look-up; a team week has 140 columns)."""

    @functools.cached_property
    def all_day(self) -> str:
        return _("All day")

    @functools.cached_property
    def time_off(self) -> str:
        return _("Time off")

    @functools.cached_property
    def time_off_for(self) -> str:
        return _("Time off: %(reason)s")

    @functools.cached_property
    def open(self) -> str:
        return _("Open %(hours)s")

    @functools.cached_property
    def no_one_working(self) -> str:
        return _("No one working")

    @functools.cached_property
    def working(self) -> str:
        return _("Working %(hours)s")

    @functools.cached_property
    def not_working(self) -> str:
        return _("Not working")


def _clock(zone: ZoneInfo) -> Callable[[datetime], str]:
    """Return time_label in `zone`, remembered: a week's 140 columns print the same few times."""
    seen: dict[tuple[int, int], str] = {}  # a label is the wall clock's hour and minute (formats.clock)

    def label(moment: datetime) -> str:
        local = moment.astimezone(zone)
        found = seen.get((local.hour, local.minute))
        if found is None:
            found = seen[local.hour, local.minute] = time_label(local, zone)
        return found

    return label


def span_label(start: datetime, end: datetime, clock: Callable[[datetime], str]) -> str:
    """Return "9:00–10:00 AM", or "11:30 AM–12:30 PM" across noon: narrow columns need the room."""
    first, last = clock(start), clock(end)
    if first[-3:] == last[-3:]:
        first = first[:-3]
    return f"{first}–{last}"


def _assign_lanes(blocks: list[Block]) -> int:
    """Put overlapping blocks side by side (time off under a booking, or data entered past the
    overlap checks); return how many lanes the column needs. The blocks are new (build_grid's),
    each in lane 1."""
    if len(blocks) == 1:
        return 1  # a column's one block (most columns) stays in the first lane
    # Blocks one after another as they come (most columns: a day's appointments, in order of start)
    # are in the order the sort below would put them in, and stay in the first lane.
    if all(before.last_line <= after.first_line for before, after in itertools.pairwise(blocks)):
        return 1
    blocks.sort(key=lambda b: (b.first_line, b.last_line))
    if all(before.last_line <= after.first_line for before, after in itertools.pairwise(blocks)):
        return 1  # nothing overlaps: every block stays in the first lane
    lane_ends: list[int] = []
    for block in blocks:
        for index, end in enumerate(lane_ends):
            if end <= block.first_line:
                lane_ends[index] = block.last_line
                block.lane = index + 1
                break
        else:
            lane_ends.append(block.last_line)
            block.lane = len(lane_ends)
    # The stylesheet has classes for MAX_LANES lanes; beyond that (never seen) items share the last.
    for block in blocks:
        block.lane = min(block.lane, MAX_LANES)
    return max(1, min(len(lane_ends), MAX_LANES))


def _hours_text(source: Source, zone: ZoneInfo, clock: Callable[[datetime], str], words: _Labels) -> str:
    day_start = local_midnight(source.day, zone)
    day_end = local_midnight(source.day + timedelta(days=1), zone)
    # Working time is in UTC: compared with the day's bounds in UTC (datetimes of two zones compare
    # by asking each for its offset, half of this function's time), each piece printed from the later
    # start and the earlier end (the bound itself when it is the one: its wall clock is midnight).
    utc_start, utc_end = day_start.astimezone(UTC), day_end.astimezone(UTC)
    pieces = [
        f"{clock(day_start if utc_start > i.start else i.start)}–{clock(day_end if utc_end < i.end else i.end)}"
        for i in source.working
        if i.start < utc_end and i.end > utc_start
    ]
    if source.room is not None:
        return words.open % {"hours": ", ".join(pieces)} if pieces else words.no_one_working
    return words.working % {"hours": ", ".join(pieces)} if pieces else words.not_working


# What the calendar shows of an appointment and its relations (templates/web/staff/calendar.html,
# calendar_blocks, calendar_badges, calendar_note_marks), read as plain values into `Booked`: a busy
# week's ~200 appointments as model instances with their client, service, practitioner and room
# were ~1,000 objects and most of the grid's time (bench/team_week.py). A field shown later and not
# read here fails loudly (no attribute) rather than costing a query per appointment;
# tests/web/test_staff_calendar.py counts the week's queries all the same.
CALENDAR_FIELDS = (
    "pk",
    "start",
    "end",
    "status",
    "hold_until",
    "client_id",
    "practitioner_id",
    "room_id",
    "client__first_name",
    "client__last_name",
    "service__name",
    "practitioner__display_name",
    "practitioner__user_id",
    "room__name",
)


@dataclass(frozen=True, slots=True)
class Named:
    """A service or a room as the calendar names it."""

    name: str


@dataclass(frozen=True, slots=True)
class ClientName:
    first_name: str
    last_name: str
    full_name: str  # as Client.full_name: written once per client, shown in each of their blocks


def _client_name(first_name: str, last_name: str) -> ClientName:
    return ClientName(first_name, last_name, f"{first_name} {last_name}".strip())  # as Client.full_name


@dataclass(frozen=True, slots=True)
class PractitionerName:
    display_name: str
    user_id: int | None


@dataclass(slots=True, eq=False)
class Booked:
    """What the calendar shows of one appointment: its times (`start`, `end` in the calendar's zone),
    status and the names of its client, service, practitioner and room, with the marks the view
    puts on it (`intake_badge` by calendar_badges, `note_overdue` by calendar_note_marks)."""

    pk: int
    start: datetime
    end: datetime
    status: str
    hold_until: datetime | None
    client_id: int
    practitioner_id: int
    room_id: int
    client: ClientName
    service: Named
    practitioner: PractitionerName
    room: Named
    intake_badge: tuple[str, str] | None = None
    note_overdue: bool = False

    def holds_time(self, now: datetime) -> bool:
        """As Appointment.holds_time."""
        if self.status == Status.HELD:
            return self.hold_until is not None and now < self.hold_until
        return self.status in OCCUPYING

    def get_status_display(self) -> str:
        """As Appointment.get_status_display, in the active language."""
        return str(_STATUS_LABELS.get(self.status, self.status))


_STATUS_LABELS = dict(Status.choices)


def _appointments(practice: Practice, start: datetime, end: datetime, zone: ZoneInfo) -> list[Booked]:
    adapt = connection.ops.adapt_datetimefield_value
    rows = prepared.rows(_reads_sql(connection.vendor).appointments, [practice.pk, adapt(start), adapt(end)])
    if connection.vendor != "postgresql":  # PostgreSQL's driver hands back aware datetimes already
        as_aware = _datetime_reader()
        rows = [
            (pk, as_aware(a), as_aware(b), status, None if hold is None else as_aware(hold), *rest)
            for pk, a, b, status, hold, *rest in rows
        ]
    # One name object per client, service, practitioner and room, shared by their appointments.
    clients = _Interned[tuple[str, str], ClientName](lambda name: _client_name(*name))
    services = _Interned[str, Named](Named)
    people = _Interned[tuple[str, int | None], PractitionerName](lambda person: PractitionerName(*person))
    rooms = _Interned[str, Named](Named)
    found = [
        Booked(
            pk,
            a_start.astimezone(zone),
            a_end.astimezone(zone),
            status,
            hold,
            client_id,
            pid,
            room_id,
            clients[first, last],
            services[service],
            people[shown, user],
            rooms[room],
        )
        for pk, a_start, a_end, status, hold, client_id, pid, room_id, first, last, service, shown, user, room in rows
    ]
    return found


class _Interned[K, V](dict[K, V]):
    """One value per key, made the first time the key is asked for (`make(key)`)."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self.make(key)
        return value


@dataclass(frozen=True, slots=True)
class _Reads:
    appointments: str
    practitioners: str
    time_off: str


@functools.cache
def _reads_sql(vendor: str) -> _Reads:
    """The calendar's statements as the ORM wrote them (the same joins, filters and order), their
    text worked out once per backend. Built by the ORM, the team week's five queries cost more
    CPU than reading their rows (bench/README, "The staff week, five statements")."""
    quote = connection.ops.quote_name
    ap, cl, pr, rm, sv, off = (
        quote(m._meta.db_table) for m in (Appointment, Client, Practitioner, Room, Service, TimeOff)
    )
    return _Reads(
        # CALENDAR_FIELDS, in order.
        appointments=(
            'SELECT a.id, a.start, a."end", a.status, a.hold_until, a.client_id, a.practitioner_id, '  # noqa: S608
            "a.room_id, c.first_name, c.last_name, s.name, p.display_name, p.user_id, r.name "
            f"FROM {ap} a JOIN {cl} c ON c.id = a.client_id JOIN {pr} p ON p.id = a.practitioner_id "
            f"JOIN {rm} r ON r.id = a.room_id JOIN {sv} s ON s.id = a.service_id "
            "WHERE a.practice_id = %s AND a.start >= %s AND a.start < %s ORDER BY a.start, a.id"
        ),
        # PRACTITIONER_FIELDS, in order.
        practitioners=(
            "SELECT id, practice_id, user_id, display_name, slug, active, sort_order "  # noqa: S608
            f"FROM {pr} WHERE practice_id = %s ORDER BY sort_order, display_name, id"
        ),
        time_off=f'SELECT practitioner_id, start, "end", reason FROM {off} WHERE practitioner_id IN ',  # noqa: S608
    )


def _datetime_reader() -> Callable[[Any], datetime]:
    """Return how to read a datetime column of this database as an aware datetime: PostgreSQL's
    driver hands them back aware, SQLite's naive in the connection's zone (UTC) or as text."""
    if connection.vendor == "postgresql":
        return _same
    utc = connection.timezone

    def aware(value: Any) -> datetime:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=utc)

    return aware


def _same(value: Any) -> Any:
    return value


def _on_day(items: Iterable[Booked], day: date, zone: ZoneInfo) -> list[Booked]:
    return [a for a in items if a.start.astimezone(zone).date() == day]


def day_sources(practice: Practice, zone: ZoneInfo, day: date, *, by: str) -> list[Source]:
    """Return one source per active practitioner (or room) for the local day, plus inactive ones that
    still have appointments that day, so that nothing booked is ever hidden."""
    start, end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
    appointments = _appointments(practice, start, end, zone)
    if by == "room":
        rooms = list(Room.objects.filter(location__practice=practice).select_related("location"))
        shown = [r for r in rooms if r.active or any(a.room_id == r.pk for a in appointments)]
        working = working_time(practice.practitioners.values_list("pk", flat=True), day, day)
        return [
            Source(
                day=day,
                heading=room.name,
                room=room,
                appointments=[a for a in appointments if a.room_id == room.pk],
                working=_at_location(working, room.location_id),
            )
            for room in shown
        ]
    people = _practitioners(practice)
    shown_people = [p for p in people if p.active or any(a.practitioner_id == p.pk for a in appointments)]
    working = working_time([p.pk for p in shown_people], day, day)
    off = _time_off([p.pk for p in shown_people], start, end, zone)
    return [
        Source(
            day=day,
            heading=person.display_name,
            practitioner=person,
            appointments=[a for a in appointments if a.practitioner_id == person.pk],
            working=merge(i for (pid, _), found in working.items() if pid == person.pk for i in found),
            time_off=off.get(person.pk, []),
        )
        for person in shown_people
    ]


def team_week_sources(practice: Practice, zone: ZoneInfo, monday: date) -> list[Source]:
    """Return the whole team's week side by side: for each local day, one source per practitioner
    (the active ones, and inactive ones with appointments that week), with one query for the week's
    appointments, one for hours, one for exceptions and one for time off, however many people."""
    days = week_days(monday)
    start, end = local_midnight(days[0], zone), local_midnight(days[-1] + timedelta(days=1), zone)
    appointments = _appointments(practice, start, end, zone)
    booked = {a.practitioner_id for a in appointments}
    shown = [(p, p.pk) for p in _practitioners(practice) if p.active or p.pk in booked]
    ids = [pid for _, pid in shown]
    working = working_time(ids, days[0], days[-1])
    off = _time_off(ids, start, end, zone)
    by_person_day: dict[tuple[int, date], list[Booked]] = defaultdict(list)
    for appointment in appointments:  # their times are already local (_appointments)
        by_person_day[appointment.practitioner_id, appointment.start.date()].append(appointment)
    at_any_location: dict[int, list[list[Interval]]] = defaultdict(list)
    for (pid, _location), found in working.items():
        at_any_location[pid].append(found)
    bounds = [(local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)) for day in days]
    # Working time is in UTC, time off in `zone`: each compared with the day's bounds in its own zone
    # (datetimes of one tzinfo compare without asking it for offsets; 140 columns).
    utc_bounds = [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in bounds]
    by_day: dict[int, list[list[Interval]]] = {}
    for pid in ids:
        at = at_any_location.get(pid, [])
        # One location's time is sorted and merged already (working_intervals_of); several are merged here.
        by_day[pid] = _by_day(at[0] if len(at) == 1 else merge(i for found in at for i in found), utc_bounds)
    sources = []
    for index, (day, (day_start, day_end)) in enumerate(zip(days, bounds, strict=True)):
        label = formats.current().date(day, "D j M")
        for person, pid in shown:
            away = off.get(pid)
            sources.append(
                Source(
                    day,
                    f"{label} · {person.display_name}",
                    person,
                    None,
                    by_person_day.get((pid, day), []),
                    by_day[pid][index],
                    [o for o in away if o.start < day_end and o.end > day_start] if away else [],
                )
            )
    return sources


def _by_day(working: list[Interval], bounds: list[tuple[datetime, datetime]]) -> list[list[Interval]]:
    """Return, for each day's bounds (in order), the intervals of `working` (sorted and disjoint) that
    overlap it, in order: for each day a run of consecutive intervals, found in one walk."""
    found: list[list[Interval]] = []
    first, count = 0, len(working)
    for start, end in bounds:
        while first < count and working[first].end <= start:
            first += 1
        last = first
        while last < count and working[last].start < end:
            last += 1
        found.append(working[first:last])
    return found


def week_sources(
    practice: Practice, zone: ZoneInfo, monday: date, *, practitioner: Practitioner | None, room: Room | None
) -> list[Source]:
    """Return one source per local day of the week starting `monday`, for one practitioner or one room."""
    days = week_days(monday)
    start, end = local_midnight(days[0], zone), local_midnight(days[-1] + timedelta(days=1), zone)
    appointments = _appointments(practice, start, end, zone)
    if room is not None:
        appointments = [a for a in appointments if a.room_id == room.pk]
        working = _at_location(
            working_time(practice.practitioners.values_list("pk", flat=True), days[0], days[-1]), room.location_id
        )
        off: list[Away] = []
    elif practitioner is not None:
        appointments = [a for a in appointments if a.practitioner_id == practitioner.pk]
        working = merge(i for found in working_time([practitioner.pk], days[0], days[-1]).values() for i in found)
        off = _time_off([practitioner.pk], start, end, zone).get(practitioner.pk, [])
    else:
        return []
    sources = []
    for day in days:
        day_start, day_end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        sources.append(
            Source(
                day=day,
                heading=formats.current().date(day, "D j M"),
                practitioner=practitioner,
                room=room,
                appointments=_on_day(appointments, day, zone),
                working=[i for i in working if i.start < day_end and i.end > day_start],
                time_off=[o for o in off if o.start < day_end and o.end > day_start],
            )
        )
    return sources


def _at_location(working: dict[tuple[int, int], list[Interval]], location_id: int) -> list[Interval]:
    return merge(i for (_, loc), found in working.items() if loc == location_id for i in found)


PRACTITIONER_FIELDS = ("id", "practice_id", "user_id", "display_name", "slug", "active", "sort_order")


def _practitioners(practice: Practice) -> list[Practitioner]:
    """Return the practice's practitioners in their order (Practitioner.Meta.ordering within one
    practice, without its join to the practice for the practice's name), with what a column shows
    of them (PRACTITIONER_FIELDS; not their public profile's bio, training and photo, deferred)."""
    rows = prepared.rows(_reads_sql(connection.vendor).practitioners, [practice.pk])
    return [Practitioner.from_db(connection.alias, PRACTITIONER_FIELDS, row) for row in rows]


@dataclass(frozen=True, slots=True)
class Away:
    """A stretch of a practitioner's time off as the calendar shows it (times in the calendar's zone)."""

    start: datetime
    end: datetime
    reason: str


def _time_off(practitioner_ids: list[int], start: datetime, end: datetime, zone: ZoneInfo) -> dict[int, list[Away]]:
    found: dict[int, list[Away]] = defaultdict(list)
    if not practitioner_ids:
        return found
    # Each practitioner's in order of start; the model's default order joins the practitioner and the practice.
    sql = _reads_sql(connection.vendor).time_off
    sql += f'({", ".join(["%s"] * len(practitioner_ids))}) AND start < %s AND "end" > %s ORDER BY start, id'
    adapt = connection.ops.adapt_datetimefield_value
    as_aware = _datetime_reader()
    for pid, off_start, off_end, reason in prepared.rows(sql, [*practitioner_ids, adapt(end), adapt(start)]):
        found[pid].append(Away(as_aware(off_start).astimezone(zone), as_aware(off_end).astimezone(zone), reason))
    return found
