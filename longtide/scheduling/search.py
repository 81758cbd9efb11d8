"""Fetch what the availability engine needs for a practice, in a fixed handful of queries, and run it.

Rows are read with values_list (no model instances): the whole-clinic 30-day search reads a few
thousand appointment rows, and building models for them would cost more than the engine itself.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from longtide import db_rows, prepared
from longtide.lib.intervals import Interval
from longtide.practice.models import Location, Practice, Practitioner, Room, Service
from longtide.ratelimit.counters import Limit, counts_of, used_query
from longtide.scheduling import availability, setup_cache, slot_cache
from longtide.scheduling.availability import (
    BookingPolicy,
    DatedHours,
    PractitionerSchedule,
    RoomSchedule,
    ServiceRule,
    Slot,
    WeeklyHours,
)
from longtide.scheduling.models import (
    MAX_BLOCK,
    OCCUPYING,
    Appointment,
    BusyVersion,
    HoursException,
    Status,
    TimeOff,
    WorkingHours,
)

# Staff may book inside the notice period and further ahead than clients; never in the past.
STAFF_HORIZON = timedelta(days=366)
# Local days reach at most ±14 h from UTC; a day of margin covers any zone and any buffer.
MARGIN = timedelta(days=1)
_SLACK = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Found:
    """Slots with the location each was found at."""

    slots: list[Slot]
    location_of: dict[int, int]  # room id -> location id
    zone_of: dict[int, ZoneInfo]  # location id -> its time zone
    # Who and where was searched (search_slots): pass it back to search again without re-reading it.
    places: Places | None = None
    # The first hold_until of the holds the search counted as busy (find_slots; the cache's limit).
    holds_until: datetime | None = None

    @property
    def practitioner_ids(self) -> list[int]:
        """The candidates searched, in the practice's display order (search_slots only)."""
        return self.places.practitioner_ids if self.places is not None else []


def policy_for(practice: Practice, *, for_staff: bool) -> BookingPolicy:
    """Return the engine policy: the practice's for clients; no notice and a year ahead for staff."""
    if for_staff:
        return BookingPolicy(min_notice=timedelta(0), horizon=STAFF_HORIZON, step=practice.slot_step)
    return BookingPolicy(min_notice=practice.min_notice, horizon=practice.horizon, step=practice.slot_step)


# The two lookups below run on every search and every booking. They are plain SQL because
# building the equivalent ORM queries (an M2M join; an Exists subquery) cost more Python time than
# the database took to answer them (~1-2 ms each, measured with bench/availability.py).
_CANDIDATES_SQL = (
    "SELECT p.id FROM {practitioner} p JOIN {offers} o ON o.practitioner_id = p.id "
    "WHERE o.service_id = %s AND p.active{extra} ORDER BY p.sort_order, p.display_name, p.id"
)
_ROOMS_SQL = (
    "SELECT r.id, r.location_id, l.time_zone FROM {room} r JOIN {location} l ON l.id = r.location_id "
    "WHERE l.practice_id = %s AND r.active AND (r.id IN (SELECT room_id FROM {chosen} WHERE service_id = %s) "
    "OR NOT EXISTS (SELECT 1 FROM {chosen} WHERE service_id = %s)) ORDER BY r.sort_order, r.id"
)


def _tables(**models: Any) -> dict[str, str]:
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


@functools.cache
def _readers(vendor: str, model: Any) -> tuple[list[tuple[Any, list[Any]]], list[str]]:
    """Each concrete field's column and its converters on this database, and the fields' attnames
    (fixed per backend and model: worked out once)."""
    readers = []
    for f in model._meta.concrete_fields:
        col = f.get_col(model._meta.db_table)
        readers.append((col, [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]))
    return readers, [f.attname for f in model._meta.concrete_fields]


def _model_from_row(model: Any, values: Sequence[Any]) -> Any:
    """A model instance from all its columns as the driver returned them (the fields' converters applied)."""
    db = connections[DEFAULT_DB_ALIAS]
    readers, attnames = _readers(db.vendor, model)
    if len(values) != len(readers):
        raise ValueError(f"{len(values)} values for the {len(readers)} columns of {model.__name__}")
    converted = list(values)
    # Only the columns with converters (on PostgreSQL usually none: the driver's types are the fields').
    for at, col, converters in _converted(db.vendor, model):
        value = converted[at]
        for convert in converters:
            value = convert(value, col, db)
        converted[at] = value
    return db_rows.instance(model, db.alias, attnames, converted)


@functools.cache
def _converted(vendor: str, model: Any) -> list[tuple[int, Any, list[Any]]]:
    """(position, column, converters) of the model's columns that have converters on this database."""
    readers, _ = _readers(vendor, model)
    return [(at, col, converters) for at, (col, converters) in enumerate(readers) if converters]


_SERVICE_FIELDS = list(Service._meta.concrete_fields)
_PRACTICE_FIELDS = list(Practice._meta.concrete_fields)


@functools.cache
def _service_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(
        [
            *(f"s.{quote(str(f.column))}" for f in _SERVICE_FIELDS),
            *(f"p.{quote(str(f.column))}" for f in _PRACTICE_FIELDS),
        ]
    )
    return (
        f"SELECT {columns} FROM {quote(Service._meta.db_table)} s "  # noqa: S608 (our tables, placeholders)
        f"JOIN {quote(Practice._meta.db_table)} p ON p.id = s.practice_id "
        "WHERE p.slug = %s AND s.id = %s AND s.active"
    )


def service_with_practice(slug: str, service_id: int) -> Service | None:
    """The practice's active service with its practice (`service.practice` reads nothing more), or None.

    Plain SQL, its text and the columns' converters worked out once: the ORM's select_related
    took longer to build than the database to answer, on every availability search and booking."""
    with connection.cursor() as cursor:
        cursor.execute(_service_sql(connection.vendor), [slug, service_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _service_from_row(row)


def _service_from_row(row: Sequence[Any]) -> Service:
    """The service, its practice cached on it, from the service's columns then the practice's."""
    width = len(_SERVICE_FIELDS)
    service: Service = _model_from_row(Service, row[:width])
    practice: Practice = _model_from_row(Practice, row[width:])
    Service.practice.field.set_cached_value(service, practice)
    return service


def candidate_practitioners(
    service: Service,
    *,
    practitioner: Practitioner | None = None,
    practitioner_id: int | None = None,
    style: str | None = None,
) -> list[int]:
    """Return ids of the active practitioners offering the service, in the practice's display order."""
    if practitioner is not None:
        practitioner_id = practitioner.pk
    extra, params = "", list[int | str]([service.pk])
    if practitioner_id is not None:
        extra, params = extra + " AND p.id = %s", [*params, practitioner_id]
    if style:
        extra, params = extra + " AND p.style = %s", [*params, style]
    tables = _tables(practitioner=Practitioner, offers=Service.practitioners.through)
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL.format(extra=extra, **tables), params)
        return [row[0] for row in cursor.fetchall()]


def suitable_rooms(service: Service) -> list[tuple[int, int, str]]:
    """Return (room id, location id, time zone) of active rooms that can host the service, in order.

    Rooms chosen for the service, or every room of the practice when none are chosen.
    """
    tables = _tables(room=Room, location=Location, chosen=Service.rooms.through)
    with connection.cursor() as cursor:
        cursor.execute(_ROOMS_SQL.format(**tables), [service.practice_id, service.pk, service.pk])
        return [(room, location, zone) for room, location, zone in cursor.fetchall()]


# Candidates and rooms together, for the paths that need both (a booking, the availability
# endpoint): rooms first (their columns type the NULLs of the practitioner branch on PostgreSQL),
# each in its display order, with the columns of the room's location (a booking's messages need
# them; reading them here saves a query).
_PLACES_SQL = (
    "SELECT 'r', r.id, r.sort_order, '', {location_columns}, {practitioner_nulls}, {room_version} "
    "FROM {room} r JOIN {location} l ON l.id = r.location_id "
    "WHERE l.practice_id = {practice} AND r.active AND (r.id IN (SELECT room_id FROM {chosen} WHERE service_id = %s) "
    "OR NOT EXISTS (SELECT 1 FROM {chosen} WHERE service_id = %s)) "
    "{practitioners}{counters}{reserve}"
)
_PRACTITIONERS_SQL = (
    "UNION ALL "
    "SELECT 'p', p.id, p.sort_order, p.display_name, {location_nulls}, {practitioner_columns}, {practitioner_version} "
    "FROM {practitioner} p JOIN {offers} o ON o.practitioner_id = p.id WHERE o.service_id = %s AND p.active{extra} "
)
# All of Location's columns, in the model's order (Model.from_db takes them so).
_LOCATION_FIELDS = [f.attname for f in Location._meta.concrete_fields]
_LOCATION_COLUMNS = ", ".join(f"l.{connection.ops.quote_name(str(f.column))}" for f in Location._meta.concrete_fields)
_ZONE_AT = _LOCATION_FIELDS.index("time_zone")
# What a booking's messages and answer read of the practitioner (the rest, e.g. the bio, is deferred).
_PRACTITIONER_FIELDS = setup_cache.PRACTITIONER_FIELDS
_PRACTITIONER_EXTRA = _PRACTITIONER_FIELDS[4:]
_PRACTITIONER_COLUMNS = ", ".join(f"p.{connection.ops.quote_name(name)}" for name in _PRACTITIONER_EXTRA)
_PRACTITIONER_NULLS = ", ".join(["NULL"] * len(_PRACTITIONER_EXTRA))
# The busy-time change counter of a room or a practitioner (models.BusyVersion; slot_cache).
_VERSION_SQL = (
    f"COALESCE((SELECT v.version FROM {BusyVersion._meta.db_table} v "  # noqa: S608 (our table, int constants)
    "WHERE v.kind = {kind} AND v.ref = {ref}), 0)"
)


@dataclass(frozen=True, slots=True)
class Places:
    """Who may give a service and where: candidate practitioner ids and suitable rooms, in order."""

    practitioner_ids: list[int]
    rooms: list[tuple[int, int, str]]  # (room id, location id, time zone), as suitable_rooms
    locations: dict[int, Location]  # location id -> the location (its display fields)
    used: list[int]  # the uses of each limit asked for, in order (ratelimit.counters.counts_of)
    # practitioner id -> the row's display fields (practitioner(): a model with the rest deferred)
    practitioner_rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    # An appointment id drawn from its sequence (PostgreSQL, when asked for): a booking can then
    # prepare its messages before it takes the booking locks.
    reserved_id: int | None = None
    # With `versions`: the busy-time change counters of the rooms, then of the practitioners, in
    # the order above (models.BusyVersion), read in the same statement (the availability cache's key).
    versions: tuple[int, ...] | None = None
    # start -> the search's inputs for a booking at that start, read with the places
    # (service_and_places with `at`): taken once by the booking's first search (find_slots'
    # `inputs`); a second search (a lost race) reads them afresh.
    ahead: dict[datetime, _Inputs] = field(default_factory=dict)
    # With `at`: the candidates left out of practitioner_ids because they cannot be free at that
    # start (no hours near it, or an appointment in a suitable room then; _read_ahead).
    others: int = 0

    @property
    def candidates(self) -> int:
        """How many practitioners may give the service (as asked: named, of a style), including
        those left out for having no hours near a booking's start (`others`)."""
        return len(self.practitioner_ids) + self.others

    def practitioner(self, practitioner_id: int) -> Practitioner:
        """The candidate as a model instance (its long text fields deferred), for the booking's messages."""
        row = self.practitioner_rows[practitioner_id]
        return db_rows.instance(Practitioner, connection.alias, _PRACTITIONER_FIELDS, row)


def candidates_and_rooms(
    service: Service,
    *,
    practitioner_id: int | None = None,
    style: str | None = None,
    limits: Sequence[Limit] = (),
    now: datetime | None = None,
    reserve_id: bool = False,
    versions: bool = False,
) -> Places:
    """candidate_practitioners and suitable_rooms in one round trip, with the rooms' locations and
    the candidates' display fields.

    With `limits` (a booking's rate limits), their current counts come back in the same round trip:
    everything a booking reads before its search, in one statement. With `reserve_id` on
    PostgreSQL, also the next appointment id from its sequence (`Places.reserved_id`). With
    `versions`, the rooms' and candidates' busy-time change counters (`Places.versions`)."""
    sql, params = _places_sql(
        "%s",
        service.pk,
        practitioner_id=practitioner_id,
        style=style,
        limits=limits,
        now=now,
        reserve_id=reserve_id,
        versions=versions,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql + "ORDER BY 1, 3, 4, 2", [service.practice_id, *params])
        rows = cursor.fetchall()
    return _places_from_rows(rows, service.practice_id, limits, now, versions)


def service_and_places(
    slug: str,
    service_id: int,
    *,
    practitioner_id: int | None = None,
    style: str | None = None,
    limits: Sequence[Limit] = (),
    now: datetime | None = None,
    reserve_id: bool = False,
    versions: bool = True,
    at: datetime | None = None,
) -> tuple[Service, Places] | None:
    """service_with_practice and candidates_and_rooms in one round trip, or None when the practice
    has no such active service.

    For the availability endpoint (with `versions`) and the booking API (with a booking's `limits`
    and `reserve_id`: everything a booking reads before its search, service included, in one
    statement). The limits' keys name the practice's id, so a caller passes them only when it
    knows that id; it checks that the service read belongs to that practice. The service's and its
    practice's columns come on a row of their own (the places' columns NULL), the places' rows
    with those columns NULL: they used to come on every row, a copy of the practice's texts per
    candidate and room (bench/README "bookdb, second stop").

    `at` (a booking's start): the search's inputs for a slot starting then (find_slots with `at`)
    come in the same statement, for the candidates and rooms as read (`Places.ahead`): a booking's
    search then reads nothing more (_read_ahead). With no practitioner named, only the candidates
    who may be free then come, and the number of the others (`Places.others`)."""
    # With `at`: when the practice's setup changed since this process kept it, it is read afresh
    # and the statement run again; should it change again meanwhile, the places are read as if
    # nothing were kept (the search then reads its inputs itself).
    if at is not None:
        for _ in range(2):
            read = _read_ahead(slug, service_id, practitioner_id, style, limits, now or timezone.now(), reserve_id, at)
            if read is not False:
                return read
    params: list[Any] = [slug, service_id, service_id, service_id, service_id]
    if practitioner_id is not None:
        params.append(practitioner_id)
    if style:
        params.append(style)
    if limits:
        params.extend(used_query(limits, now or timezone.now())[1])
    width = _places_width()
    sql = _service_and_places_sql(
        connection.vendor, practitioner_id is not None, bool(style), len(limits), reserve_id, versions
    )
    rows = _prepared_rows(sql, params)
    # The service's row: no kind (the places' columns NULL), the service's id set.
    head = next((row for row in rows if row[0] is None and row[width] is not None), None)
    if head is None:  # no such active service in that practice (whatever else came back)
        return None
    service = _service_from_row(head[width:])
    places = _places_from_rows([row[:width] for row in rows], service.practice_id, limits, now, versions)
    return service, places


def _read_ahead(
    slug: str,
    service_id: int,
    practitioner_id: int | None,
    style: str | None,
    limits: Sequence[Limit],
    now: datetime,
    reserve_id: bool,
    at: datetime,
) -> tuple[Service, Places] | Literal[False] | None:
    """service_and_places with `at`, on the practice's setup kept in this process (setup_cache):
    the candidates in order, their display fields and weekly hours come from there, and the
    statement reads the service, the rooms, the counters, the practice's setup number and, for the
    candidates who may be free then, their exceptions, time off and appointments, and the rooms'.
    False when the number read is not the one the setup was kept under: the answer is thrown away.

    Which candidates may be free then: with no practitioner named, those one of whose blocks of
    weekly hours holds the whole session (_covering: rows that overlap or touch, merged; where the
    clock changes or the session reaches midnight, those with weekly hours near the clock readings
    it can show, _near), or with extra hours (an exception, available) on the days around it, less
    those an appointment in one of the suitable rooms rules out (`wk`, _ahead_who_sql): the others
    have no working time then, or are busy. Named, the one candidate whatever their hours or bookings (the engine and
    the API say why they are not free). An "any practitioner" booking used to join every candidate
    with their offers and test all their weekly hours in SQL, each time (bench/README, stop 27)."""
    setup = setup_cache.kept(slug) or setup_cache.load(slug)
    if setup is None:
        return False
    candidates = setup.candidates(service_id, practitioner_id, style)
    minutes = setup.services.get(service_id, (0, []))[0]
    # practitioner id -> their weekly rows holding a session then (None: _near's rule applies)
    covering = _covering(setup, at, minutes)
    hours = _near(setup, at, minutes) if covering is None else []
    db = connections[DEFAULT_DB_ALIAS]  # not the `connection` proxy: a thread-local look-up per attribute
    vendor = db.vendor
    first_day, last_day = _ahead_days(at)
    # The busy time read, from the service's lengths in the copy (a read under another setup
    # number is thrown away below, lengths and all).
    lengths = setup.lengths.get(service_id, (0, minutes, 0))
    window, rules_out = _ahead_moments(at, lengths, db.ops, narrow=practitioner_id is None)
    busy = _occupying_params(now, window)
    if practitioner_id is None:
        # The candidates as a set and as one parameter, made once per copy of the setup (without a
        # style: the copy's own list); the near ones by set operations, not a pass over every one.
        offered = setup.offered.get(service_id) if not style else None
        if offered is None:
            offered = (frozenset(candidates), _ids(vendor, candidates))
            if not style:
                setup.offered[service_id] = offered
        near = (covering.keys() if covering is not None else {each.practitioner_id for each in hours}) & offered[0]
        who = [_ids(vendor, near), offered[1], *_exception_days(first_day, last_day, db.ops)]
        who = [*who, *busy, *rules_out, *busy]
    else:
        who = [_ids(vendor, candidates), *busy, *busy]
    inputs = _inputs_params([], [], first_day, last_day, None, now, window, appointments=False)
    counted = used_query(limits, now)[1] if limits else []
    sql = _service_and_places_sql(
        vendor, practitioner_id is not None, False, len(limits), reserve_id=reserve_id, versions=False, ahead=True
    )
    rows = _prepared_rows(sql, [slug, service_id, service_id, service_id, *counted, *who, *inputs])
    width = _places_width()
    after = width + len(_SERVICE_FIELDS) + len(_PRACTICE_FIELDS) + 1  # + the setup's number
    # One pass over the rows: the inputs', the candidates kept ('p'), the places' and the service's.
    head, kept, place_rows, input_rows = None, set(), [], []
    for row in rows:
        if row[after] is not None:
            input_rows.append(row[after:])
        elif (kind := row[0]) == "p":
            kept.add(row[1])
        elif kind is not None:
            place_rows.append(row[:width])
        elif head is None and row[width] is not None:
            head = row
    if head is None:  # no such active service in that practice
        return None
    service = _service_from_row(head[width : after - 1])
    if (service.practice_id, head[after - 1]) != (setup.practice_id, setup.version):
        setup_cache.forget(slug)
        return False
    ids = sorted(kept, key=setup.order.__getitem__)  # the candidates kept (a few), in display order
    # The candidates come from the setup copy, not from the rows (made with them: no replace()).
    candidates_kept = (ids, {pid: setup.people[pid] for pid in ids}, len(candidates) - len(ids))
    places = _places_from_rows(place_rows, service.practice_id, limits, now, False, candidates_kept)
    got = _inputs_from_rows(input_rows, [r for r, _, _ in places.rooms])
    if covering is None:
        hours = [each for each in hours if each.practitioner_id in kept]
    else:
        # Those with no block holding the session (kept for their extra hours, or named) and those
        # with extra hours (an available exception), which may extend weekly hours that do not hold
        # it alone, at another location too: their weekly hours near the start (_near), as before.
        wanting = (kept - covering.keys()) | {pid for pid, _ in got.extra}
        hours = [each for pid in kept if pid not in wanting for each in covering.get(pid, ())]
        if wanting:
            hours += [each for each in _near(setup, at, minutes) if each.practitioner_id in wanting]
    for each in hours:
        got.weekly[(each.practitioner_id, each.location_id)].append(each.weekly)
    places.ahead[at] = got
    return service, places


def _ids(vendor: str, ids: Iterable[int]) -> str:
    """A list of ids as one parameter (_IDS_IN, _IDS_ROWS): an array's text on PostgreSQL, cast in
    SQL (psycopg's dumper of a Python list cost ~18 us a parameter: micro-measured), JSON on SQLite."""
    if vendor == "postgresql":
        return "{" + ",".join(map(str, map(int, ids))) + "}"
    return json.dumps(list(map(int, ids)))


# SQL for the ids of one parameter (_ids): as rows `i`; tested against.
_IDS_ROWS = {
    "postgresql": "SELECT i FROM unnest(CAST(%s AS bigint[])) AS t(i)",
    "sqlite": "SELECT value AS i FROM json_each(%s)",
}
_IDS_IN = {"postgresql": "= ANY(CAST(%s AS bigint[]))", "sqlite": "IN (SELECT value FROM json_each(%s))"}


def _ahead_days(at: datetime) -> tuple[date, date]:
    """Local days a start may fall on in any zone (UTC ±14 h): those whose exceptions are read ahead."""
    day = at.astimezone(UTC).date()
    return day - timedelta(days=1), day + timedelta(days=1)


_WEEK = 7 * 24 * 60
_MINUTE = timedelta(minutes=1)
# The longest session the windows hold (their clock changes are looked for over this long); a
# longer one keeps all the hours.
_LONGEST = timedelta(days=1)


def _readings(at: datetime, zone: str) -> tuple[int, int] | None:
    """The clock readings in `zone` a session starting at `at` and lasting d (up to _LONGEST) can
    show: from `lo` (whole minutes from Monday 00:00, rounded down) for d + `extra` minutes
    (rounded up); None to keep every hour (not a zone here, or changes of a day or more). The
    clock shows the start's reading plus the time since, plus the change of its UTC offset since
    then: so the readings lie within [reading + least change, reading + d + greatest change], the
    changes being those of [at, at + _LONGEST] (any number, any size)."""
    tz = _zone(zone)
    if tz is None:
        return None
    local = at.astimezone(tz)
    base = local.utcoffset() or timedelta(0)
    shifts = [offset - base for offset in availability.utc_offsets(tz, at, at + _LONGEST)]
    least, most = min(shifts), max(shifts)
    if most - least >= _LONGEST:
        return None
    reading = local.replace(tzinfo=None) + least
    monday = datetime.combine(reading.date() - timedelta(days=reading.weekday()), time())
    # A minute more each side, in whole minutes.
    return ((reading - monday) // _MINUTE - 1) % _WEEK, -((least - most) // _MINUTE) + 2


def _window(at: datetime, zone: str, minutes: int) -> list[tuple[int, float, float]] | None:
    """The clock readings a session of `minutes` at `at` can show in `zone` (_readings), cut at
    midnights into pieces of one weekday each: (weekday, from, to) in seconds from that midnight
    (to: 86400 for the midnight after), so that weekly hours are compared as they are stored. None
    to keep every hour (a zone not known, a session longer than _LONGEST)."""
    readings = _readings(at, zone)
    if readings is None or minutes > _LONGEST // _MINUTE:
        return None
    lo, extra = readings
    span = minutes + extra
    pieces = []
    # The k-th day of the window: k = 0..3 holds it (it starts within the first day and lasts less
    # than two days and three minutes: a session of a day at most, clock changes under a day).
    for k in range(4):
        day = (lo // 1440 + k) * 1440
        begins, ends = max(lo, day) - day, min(lo + span, day + 1440) - day
        if ends > begins:
            pieces.append(((lo // 1440 + k) % 7, begins * 60.0, ends * 60.0))
    return pieces


def _near(setup: setup_cache.Setup, at: datetime, minutes: int) -> list[setup_cache.Hours]:
    """The active practitioners' weekly hours that overlap the clock readings a session of
    `minutes` at `at` can show at their location (_window), in the setup's order.

    Working time on a local date holds only the instants whose clock shows that date and a time
    within the hours, and the engine judges a start by the working time its session overlaps, so
    the other hours cannot change its answer (tests/scheduling/test_search_slots.py compares)."""
    near: list[setup_cache.Hours] = []
    for location in setup.by_location:
        zone = setup.zones.get(location)
        window = None if zone is None else _window(at, zone, minutes)
        if window is None:
            near.extend(setup.by_location.get(location, ()))
            continue
        for weekday, since, to in window:
            near.extend(h for h in setup.by_day.get((location, weekday), ()) if h.start < to and h.end > since)
    return near


def _covering(setup: setup_cache.Setup, at: datetime, minutes: int) -> dict[int, tuple[setup_cache.Hours, ...]] | None:
    """The active practitioners whose weekly hours hold the whole of a session of `minutes` at `at`
    at their location, with the rows that do (a setup_cache.Block's: rows that overlap or touch,
    merged); None when at some location the session's clock readings are not one plain span within
    one date (a change of the clock within the session, a session reaching midnight, a zone not
    known): _near's rule applies then. Worked out once per copy of the setup and clock readings
    (Setup.covering), as the copy's rows do not change.

    For a booking's read ahead: with no practitioner named, a candidate none of whose blocks holds
    the session cannot be free then unless extra hours (an available exception, which the
    statement adds whatever the weekly hours: _ahead_who_sql's `wc`) extend them. The engine needs
    the session inside one merged span of working time, and on a date whose clock runs steadily the
    part of that span on that date comes from that weekday's rows and that date's exceptions.
    _near kept too those whose hours only overlap or touch the session's readings: a third of the
    candidates the statement read, and the engine's refusals of them (bench/README, stop 29)."""
    seconds = minutes * 60
    readings: list[tuple[int, int, float]] = []
    for location in setup.by_location:
        reading = _steady_reading(at, setup.zones.get(location), minutes)
        if reading is None or reading[1] + seconds >= 86400:
            return None
        readings.append((location, *reading))
    key = (minutes, *readings)
    found = setup.covering.get(key)
    if found is None:
        held: dict[int, list[setup_cache.Hours]] = {}
        for location, weekday, since in readings:
            for block in setup.blocks.get((location, weekday), ()):
                if block.start <= since and block.end >= since + seconds:
                    held.setdefault(block.practitioner_id, []).extend(block.hours)
        found = {pid: tuple(rows) for pid, rows in held.items()}
        setup.remember(key, found)
    return found


def _zone(name: str | None) -> ZoneInfo | None:
    """The time zone of that name, or None when there is none (no name, or not a zone here)."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return None


def _steady_reading(at: datetime, zone: str | None, minutes: int) -> tuple[int, float] | None:
    """(weekday, seconds from midnight) of the clock in `zone` at `at`, when its UTC offset stays
    the same for `minutes` after; None otherwise, or for a zone not known."""
    tz = _zone(zone)
    if tz is None or len(availability.utc_offsets(tz, at, at + timedelta(minutes=minutes))) != 1:
        return None
    local = at.astimezone(tz)
    return local.weekday(), setup_cache.seconds(local.time())


def _in(vendor: str, ids: str, *, negated: bool = False) -> str:
    """SQL testing a value against the ids a subquery of the read ahead gives (a CTE's): on
    PostgreSQL against an array of them, made once (an IN would be planned as a join)."""
    if vendor == "postgresql":
        return f"<> ALL(ARRAY({ids}))" if negated else f"= ANY(ARRAY({ids}))"
    return f"NOT IN ({ids})" if negated else f"IN ({ids})"


def _ahead_sql(vendor: str) -> str:
    """The inputs' UNION for the candidates who may be free at the start (the CTE `wk`,
    _ahead_who_sql) and the rooms of the CTE `x` (service_and_places), busy time over what a slot
    at the start would block: the service's buffer before, duration and buffer after, and a minute
    more each side (parameters: _ahead_moments). No weekly hours (_read_ahead has them from the
    setup kept); the rooms' appointments of everyone else (other candidates included) come as the
    rooms' busy time."""
    p_in, not_p_in = _in(vendor, "SELECT i FROM wk"), _in(vendor, "SELECT i FROM wk", negated=True)
    r_in = _in(vendor, "SELECT i FROM x WHERE k = 'r'")
    return _inputs_text(
        p_in,
        not_p_in,
        r_in,
        _ahead_window(vendor),
        weekly=f"{WorkingHours._meta.db_table} WHERE 1 = 0",
        appointments="wa",
        room_appointments=f"ra WHERE practitioner_id {not_p_in}",
    )


def _ahead_window(vendor: str) -> tuple[str, str, str]:
    """The busy time that rules out a slot at the start, as _inputs_text's window: (its end, its
    start less MAX_BLOCK, its start), each a parameter (_ahead_moments' values). They used to be
    worked out in SQL from the service's buffers and duration as read in `sv`: fifteen one-row
    subqueries, each a node the backend set up on every booking (~37 us of its CPU)."""
    if vendor == "postgresql":
        return ("CAST(%s AS timestamp with time zone)",) * 3
    return ("%s",) * 3


def _ahead_moments(
    at: datetime, lengths: tuple[int, int, int], ops: Any, *, narrow: bool
) -> tuple[list[Any], list[Any]]:
    """_ahead_window's parameters for a slot starting `at` of a service whose buffer before,
    duration and buffer after are `lengths` (minutes): the busy time it would rule out with a
    minute's margin each side, as (its end, its start less MAX_BLOCK, its start); and (`narrow`)
    the end and start of that time without the margin (_ahead_who_sql's `wk`). In UTC, in minutes
    of elapsed time (as the database adds them, not of the wall clock), adapted."""
    before, duration, after = lengths
    utc = at.astimezone(UTC)
    end, start = utc + timedelta(minutes=duration + after), utc - timedelta(minutes=before)
    adapt = ops.adapt_datetimefield_value
    window = [adapt(end + _MINUTE), adapt(start - _MINUTE - MAX_BLOCK), adapt(start - _MINUTE)]
    return window, [adapt(end), adapt(start)] if narrow else []


@functools.cache
def _ahead_who_sql(vendor: str, narrow: bool) -> str:
    """The CTEs `wc`, `ra`, `wk` and `wa`; parameters: `wc`'s (see below), then `ra`'s (the
    occupying states, the held state, now, then the busy time's three moments: _ahead_moments'
    first list), then (`narrow`) the end and start of the time that rules the start out
    (_ahead_moments' second list), then `wa`'s (as `ra`'s).

    `wc`: the candidates given (an id list, _ids), and (`narrow`) those of a second list with extra
    hours (an exception, available) on the days read (two dates). `ra`: every appointment in the
    suitable rooms over the busy time read (one scan of the rooms' index, which the search needs
    anyway: the rooms' busy time).

    `wk`: (`narrow`) those of `wc` with no row of `ra` ruling the start out: a candidate whose
    appointment in one of these rooms rules the start out (free_slots' rule, exactly: its blocked
    range overlaps the new session's buffer before, length and buffer after) cannot be free then.
    An appointment elsewhere (a room not suitable, another location) does not leave a candidate
    out here: the engine finds it in their busy time (`wa`). Without `narrow` (a named
    practitioner: nothing to leave out), all of `wc`. `wa`: the appointments of `wk`'s candidates
    over the busy time read (the inputs' 'a' rows), wherever they are.

    Only `wk`'s candidates come, with their busy time and rows; of the others their appointments in
    the suitable rooms come as the rooms' busy time (`ra`). The engine stays the one judge: this
    only leaves out rows it could not use (tests/scheduling/test_search_slots.py compares the
    answers)."""
    ex, ap = HoursException._meta.db_table, Appointment._meta.db_table
    materialized = "MATERIALIZED " if vendor == "postgresql" else ""
    r_in, wk_in = _in(vendor, "SELECT i FROM x WHERE k = 'r'"), _in(vendor, "SELECT i FROM wk")
    # `ra` and `wa`: appointments over the busy time that could rule the start out, a minute more
    # each side (the inputs' 'r' and 'a' rows); all of their columns but `held` are the table's.
    window = _occupying_sql(_ahead_window(vendor))
    columns = f"practitioner_id, room_id, blocked_start, blocked_end, {_HELD} AS held"
    ra = f"ra AS {materialized}(SELECT {columns} FROM {ap} WHERE room_id {r_in} AND {window})"  # noqa: S608 (ours)
    wa = f"wa AS {materialized}(SELECT {columns} FROM {ap} WHERE practitioner_id {wk_in} AND {window})"  # noqa: S608
    if not narrow:
        return f"wc AS ({_IDS_ROWS[vendor]}), {ra}, wk AS (SELECT i FROM wc), {wa}"  # noqa: S608 (ours)
    # The engine's rule, exactly (availability.free_slots): an appointment's blocked range [a, b)
    # rules out a start t when a < t + duration + buffer after and b > t - buffer before.
    rules_out_end, _, rules_out_start = _ahead_window(vendor)
    # UNION ALL: a candidate in both lists comes twice, which no reader minds (`= ANY`/`IN`, and
    # _read_ahead's set of those kept); UNION's de-duplication cost the backend 6-24 us a booking.
    wc = (
        f"wc AS {materialized}({_IDS_ROWS[vendor]} UNION ALL SELECT practitioner_id FROM {ex} "  # noqa: S608
        f"WHERE practitioner_id {_IDS_IN[vendor]} AND available AND date >= %s AND date <= %s)"
    )
    # Tested against the ids of those ruled out, made once (an array on PostgreSQL; an appointment
    # always has a practitioner, so no NULL among them): NOT EXISTS was planned as a hash anti-join,
    # whose table cost the backend 9-21 us a booking more.
    ruling_out = f"blocked_start < {rules_out_end} AND blocked_end > {rules_out_start}"
    ruled_out = _in(vendor, f"SELECT practitioner_id FROM ra WHERE {ruling_out}", negated=True)  # noqa: S608 (ours)
    wk = f"wk AS {materialized}(SELECT i FROM wc WHERE i {ruled_out})"  # noqa: S608 (ours)
    return f"{wc}, {ra}, {wk}, {wa}"


def _prepared_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement run, on PostgreSQL, as a prepared statement of this connection
    (longtide.prepared): the availability endpoint's one statement, a booking's first and its search.

    PostgreSQL parsed and planned the endpoint's statement (a CTE, a UNION, ~70 columns) on every
    request, which took longer than running it (EXPLAIN: planning 0.3-1.0 ms, execution 0.25 ms),
    and the driver wrote the parameters into its 3.5 kB text (bench/README "Availability: a
    prepared statement")."""
    return prepared.rows(sql, params)


@functools.cache
def _service_and_places_sql(
    vendor: str,
    named: bool,
    styled: bool,
    limits: int = 0,
    reserve_id: bool = False,
    versions: bool = True,
    ahead: bool = False,
) -> str:
    """service_and_places' statement (its text worked out once per backend and kind of read);
    parameters: slug, service id (3 more times), the practitioner's id if named, the style if
    given, then the limits' (key, window) pairs. `ahead` (_read_ahead): slug, service id (2 more
    times: no candidates' rows, their ids are parameters), the limits', then _ahead_who_sql's, then
    the inputs'."""
    # Placeholder limits: only their number shapes the text (the keys and windows are parameters).
    stand_ins = [Limit("", 0, timedelta(hours=1))] * limits
    sql, _ = _places_sql(
        f"(SELECT {_SV_PRACTICE} FROM sv)",  # noqa: S608 (a column name of ours)
        0,
        practitioner_id=0 if named else None,
        style="styled" if styled else None,
        limits=stand_ins,
        now=datetime(2000, 1, 1, tzinfo=UTC) if limits else None,
        reserve_id=reserve_id,
        versions=versions,
        practitioners=not ahead,
    )
    # `sv FULL JOIN x ON false`: the service's row (x's columns NULL), then each place's row (sv's
    # columns NULL), typed by both. With no such service the places still come (their rooms none:
    # they are the service's practice's); the caller then answers None.
    if not ahead:
        return f"{_sv_sql(vendor)} SELECT x.*, sv.* FROM sv FULL JOIN ({sql}) x ON false ORDER BY 1, 3, 4, 2"  # noqa: S608
    # The places as the CTE `x` (its columns named: the inputs read its rooms; on PostgreSQL a CTE
    # read twice, and one with nextval, is run once), a row 'p' per candidate of `wk` (only the id:
    # the rest is in the setup kept), then the inputs' rows.
    width = _places_width()
    names = ", ".join(["k", "i", "o", "n", *(f"x{at}" for at in range(4, width))])
    inputs = 10  # _inputs_text's columns
    served = len(_SERVICE_FIELDS) + len(_PRACTICE_FIELDS) + 1  # and the setup's number
    people = f"SELECT 'p', i, 0, '', {', '.join(['NULL'] * (width - 4))} FROM wk"  # noqa: S608 (ours)
    return (
        f"{_sv_sql(vendor, setup=True)}, x ({names}) AS ({sql}), {_ahead_who_sql(vendor, not named)} "  # noqa: S608
        f"SELECT y.*, sv.*, {', '.join(['NULL'] * inputs)} FROM sv FULL JOIN (SELECT * FROM x UNION ALL {people}) y "
        f"ON false UNION ALL SELECT {', '.join(['NULL'] * (width + served))}, i.* FROM ({_ahead_sql(vendor)}) i "
        "ORDER BY 1, 3, 4, 2"
    )


@functools.cache
def _sv_sql(vendor: str, *, setup: bool = False) -> str:
    """The `sv` CTE: the practice's active service (its columns, then its practice's, as c0, c1, ...);
    with `setup`, then the practice's setup number (BusyVersion SETUP; 0 before its first change)."""
    quote = connection.ops.quote_name
    columns = [
        *(f"s.{quote(str(f.column))}" for f in _SERVICE_FIELDS),
        *(f"p.{quote(str(f.column))}" for f in _PRACTICE_FIELDS),
    ]
    if setup:
        columns.append(
            f"COALESCE((SELECT v.version FROM {BusyVersion._meta.db_table} v "  # noqa: S608 (ours, an int constant)
            f"WHERE v.kind = {BusyVersion.SETUP} AND v.ref = p.id), 0)"
        )
    named = ", ".join(f"{column} AS c{i}" for i, column in enumerate(columns))
    return (
        f"WITH sv AS (SELECT {named} FROM {quote(Service._meta.db_table)} s "  # noqa: S608 (our tables, placeholders)
        f"JOIN {quote(Practice._meta.db_table)} p ON p.id = s.practice_id "
        "WHERE p.slug = %s AND s.id = %s AND s.active)"
    )


# The service's practice id column in `sv` (c0, c1, ... in _sv_sql's order).
_SV_PRACTICE = f"c{[f.attname for f in _SERVICE_FIELDS].index('practice_id')}"


def _places_width() -> int:
    """The number of columns of a _PLACES_SQL row: kind, id, order, name, location, practitioner, version."""
    return 4 + len(_LOCATION_FIELDS) + len(_PRACTITIONER_EXTRA) + 1


def _places_sql(
    practice: str,
    service_id: int,
    *,
    practitioner_id: int | None = None,
    style: str | None = None,
    limits: Sequence[Limit] = (),
    now: datetime | None = None,
    reserve_id: bool = False,
    versions: bool = False,
    practitioners: bool = True,
) -> tuple[str, list[Any]]:
    """_PLACES_SQL (without ORDER BY) for the practice given as SQL (`practice`), and its parameters
    after it; without `practitioners`, the rooms (and counters, id) only."""
    extra, params = "", list[Any]([service_id, service_id])
    if practitioners:
        params.append(service_id)
        if practitioner_id is not None:
            extra, params = extra + " AND p.id = %s", [*params, practitioner_id]
        if style:
            extra, params = extra + " AND p.style = %s", [*params, style]
    tables = _tables(
        practitioner=Practitioner,
        offers=Service.practitioners.through,
        room=Room,
        location=Location,
        chosen=Service.rooms.through,
    )
    counters = reserve = ""
    nulls = f"{', '.join(['NULL'] * len(_LOCATION_FIELDS))}, {_PRACTITIONER_NULLS}, 0"
    if limits:
        used_sql, used_params = used_query(limits, now or timezone.now())
        counters = f"UNION ALL SELECT 'l', u.window_start, u.count, u.key_hash, {nulls} FROM ({used_sql}) u "  # noqa: S608
        params = [*params, *used_params]
    if reserve_id and connection.vendor == "postgresql":
        sequence = _appointment_sequence().replace("'", "''")
        reserve = f"UNION ALL SELECT 'i', nextval('{sequence}'::regclass), 0, '', {nulls} "
    columns = {
        "location_columns": _LOCATION_COLUMNS,
        "location_nulls": ", ".join(["NULL"] * len(_LOCATION_FIELDS)),
        "practitioner_columns": _PRACTITIONER_COLUMNS,
        "practitioner_nulls": _PRACTITIONER_NULLS,
        "room_version": _VERSION_SQL.format(kind=BusyVersion.ROOM, ref="r.id") if versions else "0",
        "practitioner_version": _VERSION_SQL.format(kind=BusyVersion.PRACTITIONER, ref="p.id") if versions else "0",
    }
    branch = _PRACTITIONERS_SQL.format(extra=extra, **columns, **tables) if practitioners else ""
    sql = _PLACES_SQL.format(
        practice=practice, practitioners=branch, counters=counters, reserve=reserve, **columns, **tables
    )
    return sql, params


@functools.cache
def _appointment_sequence() -> str:
    """The name of the appointments' id sequence (PostgreSQL), looked up once per process: the
    statement then names it, where pg_get_serial_sequence searched the catalogue on every booking
    (~16 buffers, ~0.03-0.2 ms of the first statement)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Appointment._meta.db_table])
        return str(cursor.fetchone()[0])


def _places_from_rows(
    rows: Sequence[Sequence[Any]],
    practice_id: int,
    limits: Sequence[Limit],
    now: datetime | None,
    versions: bool,
    candidates: tuple[list[int], dict[int, tuple[Any, ...]], int] | None = None,
) -> Places:
    """Places from _PLACES_SQL's rows; with `candidates` (_read_ahead: rows without the
    candidates'), those instead: their ids, their display rows and how many others were left out."""
    ids: list[int] = []
    rooms: list[tuple[int, int, str]] = []
    locations: dict[int, Location] = {}
    counted: list[tuple[str, int, int]] = []
    people: dict[int, tuple[Any, ...]] = {}
    reserved: int | None = None
    room_versions: list[int] = []
    practitioner_versions: list[int] = []
    width = len(_LOCATION_FIELDS)
    for kind, pk, order, name, *rest in rows:
        if kind is None:  # service_and_places: the service, with no candidates and no rooms
            continue
        if kind == "l":
            counted.append((name, pk, order))  # key, window, count
            continue
        if kind == "p":
            ids.append(pk)
            people[pk] = (pk, practice_id, name, order, *rest[width:-1])
            practitioner_versions.append(rest[-1])
            continue
        if kind == "i":
            reserved = pk
            continue
        location = rest[:width]
        if location[0] not in locations:
            locations[location[0]] = db_rows.instance(Location, connection.alias, _LOCATION_FIELDS, location)
        rooms.append((pk, location[0], location[_ZONE_AT]))
        room_versions.append(rest[-1])
    used = counts_of(limits, now or timezone.now(), counted) if limits else []
    version_numbers = (*room_versions, *practitioner_versions) if versions else None
    if candidates is None:
        return Places(ids, rooms, locations, used, people, reserved, version_numbers)
    ids, people, others = candidates
    return Places(ids, rooms, locations, used, people, reserved, version_numbers, others=others)


@dataclass
class _Inputs:
    weekly: dict[tuple[int, int], list[WeeklyHours]] = field(default_factory=lambda: defaultdict(list))
    extra: dict[tuple[int, int], list[DatedHours]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[int, list[DatedHours]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    room_busy: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    # The first hold_until of the holds counted as busy: from then on the answer differs.
    holds_until: datetime | None = None


@functools.cache
def _inputs_sql(vendor: str, practitioners: int, rooms: int) -> str:
    """_fetch_inputs' statement, written once per backend (on SQLite, per number of practitioners
    and rooms: their ids are placeholders in IN lists; on PostgreSQL each list is an array)."""
    if vendor == "postgresql":
        p_in, not_p_in, r_in = (
            "= ANY(CAST(%s AS bigint[]))",
            "<> ALL(CAST(%s AS bigint[]))",
            "= ANY(CAST(%s AS bigint[]))",
        )
    else:
        p_in = f"IN ({', '.join(['%s'] * practitioners)})"
        not_p_in = f"NOT {p_in}"
        r_in = f"IN ({', '.join(['%s'] * rooms)})"
    return _inputs_text(p_in, not_p_in, r_in, ("%s", "%s", "%s"))


_HELD = f"CASE WHEN status = '{Status.HELD.value}' THEN hold_until END"


def _occupying_sql(window: tuple[str, str, str]) -> str:
    """The condition on an appointment's row that it occupies busy time over the window given as
    SQL (its end, its start less MAX_BLOCK, its start): an occupying state, a hold not lapsed.
    Parameters: _occupying_params'."""
    busy_end, busy_floor, busy_start = window
    return (
        f"status IN ({', '.join(['%s'] * len(OCCUPYING))}) AND (status <> %s OR hold_until > %s) "
        f"AND blocked_start < {busy_end} AND blocked_start > {busy_floor} AND blocked_end > {busy_start}"
    )


def _occupying_params(now: datetime, window: Sequence[Any]) -> list[Any]:
    """_occupying_sql's parameters: the states, the hold's (a hold stops holding its time at
    hold_until: models.OCCUPYING), then the window's."""
    return [*(str(s) for s in OCCUPYING), str(Status.HELD), connection.ops.adapt_datetimefield_value(now), *window]


def _inputs_text(
    p_in: str,
    not_p_in: str,
    r_in: str,
    window: tuple[str, str, str],
    weekly: str | None = None,
    appointments: str | None = None,
    room_appointments: str | None = None,
) -> str:
    """The inputs' UNION for the practitioners (`p_in`, `not_p_in`) and rooms (`r_in`) given as SQL,
    busy time over the window given as SQL: (its end, its start less MAX_BLOCK, its start).
    `weekly`, `appointments`, `room_appointments`: where the weekly hours, the practitioners'
    appointments and the others' appointments in the rooms come from instead of the tables (a CTE
    of their rows, with their columns' names, and `held` for the appointments; without parameters)."""
    busy_end, _, busy_start = window
    wh, ex, off, ap = (m._meta.db_table for m in (WorkingHours, HoursException, TimeOff, Appointment))
    occupying = _occupying_sql(window)
    if appointments:
        own = f"held FROM {appointments} "
    else:
        own = f"{_HELD} FROM {ap} WHERE practitioner_id {p_in} AND {occupying} AND id <> %s "
    if room_appointments:
        others = f"held FROM {room_appointments}"
    else:
        others = f"{_HELD} FROM {ap} WHERE room_id {r_in} AND practitioner_id {not_p_in} AND {occupying} AND id <> %s"
    # Only placeholders and our own table names are interpolated; every value is a parameter.
    # PostgreSQL types a UNION column by its first branches, so that branch casts its NULLs.
    return (
        "SELECT 'w', practitioner_id, location_id, CAST(NULL AS timestamp with time zone), "  # noqa: S608
        "CAST(NULL AS timestamp with time zone), CAST(NULL AS date), start_time, end_time, weekday, "
        "CAST(NULL AS timestamp with time zone) "
        + (f"FROM {weekly} " if weekly else f"FROM {wh} WHERE practitioner_id {p_in} ")
        + "UNION ALL "  # noqa: S608 (placeholders and our table names)
        f"SELECT 'x', practitioner_id, location_id, NULL, NULL, date, start_time, end_time, "
        f"CASE WHEN available THEN 1 ELSE 0 END, NULL FROM {ex} "
        f"WHERE practitioner_id {p_in} AND date >= %s AND date <= %s "
        "UNION ALL "
        f"SELECT 'o', practitioner_id, NULL, start, \"end\", NULL, NULL, NULL, NULL, NULL FROM {off} "
        f'WHERE practitioner_id {p_in} AND start < {busy_end} AND "end" > {busy_start} '
        "UNION ALL "
        # Appointments of the practitioners, then the other appointments in the rooms: two indexed
        # branches, where one OR across the two columns would scan the table.
        f"SELECT 'a', practitioner_id, room_id, blocked_start, blocked_end, NULL, NULL, NULL, NULL, {own}"
        "UNION ALL "
        f"SELECT 'r', practitioner_id, room_id, blocked_start, blocked_end, NULL, NULL, NULL, NULL, {others}"
    )


def _inputs_params(
    pids: list[Any],
    rids: list[Any],
    first_day: date,
    last_day: date,
    ignore_appointment: int | None,
    now: datetime,
    window: list[Any],
    *,
    appointments: bool = True,
) -> list[Any]:
    """_inputs_text's parameters: the ids' (as its id lists take them), the window's (end, floor,
    start); without `appointments`, none for the appointments' branches (read from CTEs)."""
    busy_end, _, busy_start = window
    occupying = _occupying_params(now, window)
    return [
        *pids,
        *pids,
        *_exception_days(first_day, last_day),
        *pids,
        busy_end,
        busy_start,
        *(
            [*pids, *occupying, ignore_appointment or 0, *rids, *pids, *occupying, ignore_appointment or 0]
            if appointments
            else []
        ),
    ]


def _exception_days(first_day: date, last_day: date, ops: Any = None) -> list[Any]:
    """The first and the last day of the hours exceptions the inputs read, as parameters (`ops`:
    the connection's, when the caller has it: not through the `connection` proxy's look-ups)."""
    ops = connection.ops if ops is None else ops
    return [ops.adapt_datefield_value(first_day - MARGIN), ops.adapt_datefield_value(last_day + MARGIN)]


def _fetch_inputs(
    practitioner_ids: Sequence[int],
    room_ids: Sequence[int],
    first_day: date,
    last_day: date,
    ignore_appointment: int | None,
    now: datetime,
    busy_over: tuple[datetime, datetime] | None = None,
    *,
    prepare: bool = False,
) -> _Inputs:
    """Read hours, exceptions, time off and appointments for the range in one round trip.

    `prepare`: run it as a prepared statement on PostgreSQL (a booking's search, the same few
    rows each time: parsing and planning it took 3-4 times as long as running it).

    One raw UNION ALL instead of four ORM queries: on the whole-clinic search this halves the time
    spent outside the engine (each ORM query costs ~0.5 ms of Python, and on SQLite Django's
    per-value datetime converters cost more than the query itself).
    """
    ops = connection.ops
    range_start = datetime.combine(first_day, time.min, UTC) - MARGIN
    range_end = datetime.combine(last_day + timedelta(days=1), time.min, UTC) + MARGIN
    # Busy time (time off, appointments) over the whole range, or only over `busy_over`.
    busy_start, busy_end = busy_over or (range_start, range_end)
    postgres = connection.vendor == "postgresql"
    sql = _inputs_sql(connection.vendor, 0 if postgres else len(practitioner_ids), 0 if postgres else len(room_ids))
    # PostgreSQL: each list of ids is one array parameter, so the text is the same for any number of them.
    pids: list[Any] = [list(practitioner_ids)] if postgres else list(practitioner_ids)
    rids: list[Any] = [list(room_ids)] if postgres else list(room_ids)
    window = [
        ops.adapt_datetimefield_value(busy_end),
        ops.adapt_datetimefield_value(busy_start - MAX_BLOCK),
        ops.adapt_datetimefield_value(busy_start),
    ]
    params = _inputs_params(pids, rids, first_day, last_day, ignore_appointment, now, window)
    if prepare:
        rows = _prepared_rows(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    return _inputs_from_rows(rows, room_ids)


def _inputs_from_rows(rows: Sequence[Sequence[Any]], room_ids: Sequence[int]) -> _Inputs:
    """The engine's inputs from the rows of _inputs_text."""
    # PostgreSQL hands back typed values (aware datetimes in UTC). SQLite hands back text, except
    # where sqlite3 finds a declared column type to convert by (the first branch's time columns).
    as_dt = _sqlite_datetime if connection.vendor == "sqlite" else _same
    as_time = _text_or(time.fromisoformat)
    as_date = _text_or(date.fromisoformat)
    rooms_wanted = set(room_ids)
    got = _Inputs()
    for kind, pid, other, a, b, day, t1, t2, n, held_until in rows:
        if kind == "a" or kind == "r":
            interval = Interval(as_dt(a), as_dt(b))
            if held_until is not None:
                lapses = as_dt(held_until)
                if got.holds_until is None or lapses < got.holds_until:
                    got.holds_until = lapses
            if kind == "a":
                got.busy[pid].append(interval)
            if other in rooms_wanted:
                got.room_busy[other].append(interval)
        elif kind == "w":
            got.weekly[(pid, other)].append(WeeklyHours(n, as_time(t1), as_time(t2)))
        elif kind == "o":
            got.busy[pid].append(Interval(as_dt(a), as_dt(b)))
        elif n:
            got.extra[(pid, other)].append(DatedHours(as_date(day), True, _opt(as_time, t1), _opt(as_time, t2)))
        else:
            # A day off (or hours off) applies wherever the practitioner would have worked.
            got.removed[pid].append(DatedHours(as_date(day), False, _opt(as_time, t1), _opt(as_time, t2)))
    return got


def _same(value: Any) -> Any:
    return value


def _sqlite_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _text_or[T](parse: Callable[[str], T]) -> Callable[[Any], T]:
    return lambda value: parse(value) if isinstance(value, str) else value


def _opt(convert: Callable[[Any], time], value: Any) -> time | None:
    return None if value is None else convert(value)


def places_for(
    service: Service, *, practitioner_id: int | None = None, style: str | None = None, offered_only: bool = True
) -> Places:
    """The candidates and rooms search_slots searches (see there), in one round trip."""
    if offered_only or practitioner_id is None:
        return candidates_and_rooms(service, practitioner_id=practitioner_id, style=style)
    return Places([practitioner_id], suitable_rooms(service), {}, [])


def search_slots(
    *,
    practice: Practice,
    service: Service,
    first_day: date,
    last_day: date,
    now: datetime,
    practitioner_id: int | None = None,
    style: str | None = None,
    offered_only: bool = True,
    for_staff: bool = False,
    any_practitioner: bool | None = None,
    ignore_appointment: int | None = None,
    places: Places | None = None,
    at: datetime | None = None,
    fresh_places: Places | None = None,
    inputs: _Inputs | None = None,
) -> Found:
    """The one way to search: the candidate practitioners and suitable rooms (one round trip), then
    one search across all of them (one more), first_day..last_day local.

    `practitioner_id` names one practitioner; without it, every active practitioner offering the
    service (of `style`, when given) is a candidate. `offered_only=False` searches the named
    practitioner whether or not they (still) offer the service: moving an existing appointment
    keeps to its practitioner. `any_practitioner` (by default: when none is named) keeps the first
    practitioner free at each start, in display order; False lists every practitioner's slots (the
    staff calendar). `places` (a Found's, or a booking's candidates_and_rooms) skips the first
    round trip. Found.places carries them back for a second search. `at`: only the slots starting
    then (find_slots). `fresh_places`: the candidates and rooms with their numbers, read by the
    caller just before, for these very arguments (service_and_places): the
    search then reads nothing more on a cache hit, as if it had read them itself. `inputs`: the
    search's inputs read ahead for `at` with `places` (Places.ahead; find_slots).
    """
    any_one = practitioner_id is None if any_practitioner is None else any_practitioner
    key = None
    # The availability cache (slot_cache): only for counters read now, in this call, outside a transaction.
    if places is None:
        cached = at is None and slot_cache.usable() and (offered_only or practitioner_id is None)
        if fresh_places is not None and fresh_places.versions is not None:
            places = fresh_places
        elif cached:
            places = candidates_and_rooms(service, practitioner_id=practitioner_id, style=style, versions=True)
        else:
            places = places_for(service, practitioner_id=practitioner_id, style=style, offered_only=offered_only)
        if cached and places.versions is not None and places.practitioner_ids and places.rooms:
            key = slot_cache.key_for(
                service.pk,
                service.duration,
                service.buffer_before,
                service.buffer_after,
                practice.slot_step,
                tuple(places.practitioner_ids),
                tuple(places.rooms),
                places.versions,
                first_day,
                last_day,
                any_one,
                ignore_appointment,
            )
            kept = slot_cache.get(key, now)
            if kept is not None:
                slots = slot_cache.within(kept, policy_for(practice, for_staff=for_staff), now)
                location_of = {room_id: loc for room_id, loc, _ in places.rooms}
                zone_of = {loc: ZoneInfo(zone) for _, loc, zone in places.rooms}
                return Found(slots, location_of, zone_of, places)
    found = find_slots(
        practice=practice,
        service=service,
        practitioner_ids=places.practitioner_ids,
        first_day=first_day,
        last_day=last_day,
        now=now,
        for_staff=for_staff,
        any_practitioner=any_one,
        ignore_appointment=ignore_appointment,
        rooms=places.rooms,
        at=at,
        whole_days=key is not None,
        inputs=inputs,
    )
    slots = found.slots
    if key is not None:
        rows = slot_cache.put(key, now, found.holds_until, slots)
        slots = slot_cache.within(rows, policy_for(practice, for_staff=for_staff), now)
    return Found(slots, found.location_of, found.zone_of, places)


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
    rooms: list[tuple[int, int, str]] | None = None,
    at: datetime | None = None,
    whole_days: bool = False,
    inputs: _Inputs | None = None,
) -> Found:
    """Return the free slots for the service with any of the practitioners, first_day..last_day local.

    The engine's part of search_slots, for callers that already hold exact practitioner ids (the
    benchmarks, tests). `ignore_appointment` leaves one appointment out of the busy time: the one being moved.
    `rooms` may pass in `suitable_rooms(service)` when the caller already has it. `at`: only the
    slots starting then are wanted (a booking's re-search), so busy time is read only over what
    such a slot would block, not the whole days. `whole_days`: every slot of the days, whatever the
    notice and the horizon (the availability cache applies them after; `now` still decides which
    holds have lapsed). `inputs`: the hours and busy time read already, for `at` with these
    practitioners and rooms as of `now` (service_and_places with `at`): nothing is read then.
    """
    rooms = suitable_rooms(service) if rooms is None else rooms
    if not practitioner_ids or not rooms:
        return Found([], {}, {})
    zones = {location_id: zone for _, location_id, zone in rooms}
    # Busy time matters only where a slot starting in the range would block: from the first local
    # midnight less the buffer before, to the last one plus a whole session and its buffer after
    # (an hour more each side, for zones whose clocks change at midnight). Reading the margin of
    # whole days around the range instead read about three days of every room for a one-day search.
    if at is not None:
        busy_over = (at - service.buffer_before, at + service.duration + service.buffer_after)
    else:
        local_zones = [ZoneInfo(zone) for zone in zones.values()]
        first = min(datetime.combine(first_day, time.min, zone) for zone in local_zones)
        after = max(datetime.combine(last_day + timedelta(days=1), time.min, zone) for zone in local_zones)
        busy_over = (
            first - service.buffer_before - _SLACK,
            after + service.duration + service.buffer_after + _SLACK,
        )
    if inputs is not None and at is None:
        raise ValueError("inputs read ahead are for one start (at) only")
    got = (
        inputs
        if inputs is not None
        else _fetch_inputs(
            practitioner_ids,
            [r for r, _, _ in rooms],
            first_day,
            last_day,
            ignore_appointment,
            now,
            busy_over,
            prepare=at is not None,
        )
    )
    weekly, extra, removed, busy, room_busy = got.weekly, got.extra, got.removed, got.busy, got.room_busy

    rule = ServiceRule(service.duration, service.buffer_before, service.buffer_after)
    policy = policy_for(practice, for_staff=for_staff)
    engine_now = now
    if whole_days:
        # A booking window from two days before the first day to three after the last: every grid
        # point of the days is inside it, so the engine clamps nothing.
        engine_now = datetime.combine(first_day - timedelta(days=2), time.min, UTC)
        policy = BookingPolicy(
            min_notice=timedelta(0), horizon=timedelta(days=(last_day - first_day).days + 5), step=policy.step
        )
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
        local_rooms = [RoomSchedule(room_id, room_busy[room_id]) for room_id, loc, _ in rooms if loc == location_id]
        if not schedules or not local_rooms:
            continue
        slots.extend(
            availability.free_slots(
                tz=ZoneInfo(zone_name),
                first_day=first_day,
                last_day=last_day,
                now=engine_now,
                service=rule,
                policy=policy,
                practitioners=schedules,
                rooms=local_rooms,
                any_practitioner=any_practitioner,
                only=at,
            )
        )
    if len(zones) > 1:
        slots.sort(key=lambda s: (s.start, order[s.practitioner_id]))
        if any_practitioner:
            slots = _first_per_start(slots)
    if at is not None:  # other starts were judged without the busy time around them
        slots = [s for s in slots if s.start == at]
    return Found(
        slots,
        {room_id: loc for room_id, loc, _ in rooms},
        {loc: ZoneInfo(z) for loc, z in zones.items()},
        holds_until=got.holds_until,
    )


def _first_per_start(slots: list[Slot]) -> list[Slot]:
    result: list[Slot] = []
    for slot in slots:
        if not result or result[-1].start != slot.start:
            result.append(slot)
    return result
