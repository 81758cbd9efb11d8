"""Booking workflows: book, move and cancel appointments. The HTML views, the staff calendar and
the API all call these, so every rule is applied in one place (the rules themselves are in
booking_rules.py, the manage-link tokens in manage_links.py)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from longtide import db_rows, db_values, prepared
from longtide.audit.models import Action
from longtide.audit.trail import Actor
from longtide.audit.trail import record as audit_record
from longtide.clients.by_email import find_or_insert, found_in_use_sql, insert_values, instance
from longtide.clients.models import Client
from longtide.lib.text import CONTROL_MESSAGE, has_control, one_line
from longtide.lib.tracebacks import bare_traceback
from longtide.notifications import outbox
from longtide.practice.models import Practice, Practitioner, Service
from longtide.ratelimit.counters import Limit, counted, hit_query, hits_of
from longtide.scheduling.availability import Slot
from longtide.scheduling.booking_limits import (
    BookingLimit,
    booking_limits,
    check_counted,
    check_room_left,
    count_booking,
    refusal,
)
from longtide.scheduling.booking_messages import COMPOSED_AT_SEND, about, queue_booking_message, unwritten_request
from longtide.scheduling.booking_rules import (
    BookingError,
    IdempotencyKeyReused,
    NotSaved,
    PolicyRefused,
    SlotTaken,
    check_policy,
    first_visit_refusal,
    refused,
)
from longtide.scheduling.history import ChangedBy, record, record_expired
from longtide.scheduling.locks import lock_for_booking, locks_sql
from longtide.scheduling.manage_links import hash_token, new_nonce, token_for, token_from_nonce
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import (
    MAX_BLOCK,
    OCCUPYING,
    OVERRIDE_REASON_MAX,
    Appointment,
    Decider,
    EventKind,
    OpeningCause,
    OpeningStatus,
    Source,
    Status,
    TimeOff,
    WaitlistEntry,
    WaitlistOpening,
    WaitlistStatus,
)
from longtide.scheduling.search import Places, candidates_and_rooms, places_for, search_slots

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    # Staff booking for a client they found in the client list: that client, whatever is typed.
    client_id: int | None = None


@dataclass(frozen=True, slots=True)
class Booked:
    appointment: Appointment
    manage_token: str | None  # None only for bookings made before tokens were derivable
    created: bool


def _new_client(practice: Practice, details: ClientDetails, *, now: datetime) -> Client:
    """The client record a booking by email inserts when its address is new (not saved here)."""
    return db_rows.new(
        Client,
        {
            "first_name": details.first_name,
            "last_name": details.last_name,
            "email": details.email,
            "phone": details.phone,
            "created_at": now,
        },
        {"practice": practice},
    )


def _find_or_create_client(practice: Practice, details: ClientDetails, *, now: datetime) -> Client:
    """Return the practice's client with this email address, creating one from the details if none.

    An existing client is never changed: anyone can type an email address. What was typed is kept
    on the appointment, and staff see where it differs from the client record. Without an email
    address (staff bookings only: a client who has only a phone) a new client is made, unless
    staff chose an existing one (`client_id`).

    Called inside the booking's transaction. With an address: no SAVEPOINT, an
    `INSERT … ON CONFLICT DO NOTHING` instead (PostgreSQL: in one statement with the look-up).
    """
    if details.client_id is not None:
        # A record merged into another: the one kept (the staff form and the staff API name a
        # client by id; a booking filed under the merged-away record was missing from the client's
        # page, and its consent and intake were read from the wrong record).
        return Client.objects.select_related("merged_into").get(practice=practice, pk=details.client_id).in_use
    if not details.email:
        return Client.objects.create(
            practice=practice, first_name=details.first_name, last_name=details.last_name, phone=details.phone
        )
    made = _new_client(practice, details, now=now)
    found = find_or_insert(made, email_lower=details.email.lower())
    if found is None:  # made concurrently by a booking not yet committed when this one looked
        found = Client.objects.with_email(practice, details.email).get()
    return found.in_use  # an address of a record merged into another: the one kept


def _client_message_and_locks(
    practice: Practice,
    details: ClientDetails,
    appointment: Appointment,
    purpose: Purpose,
    slot: Slot,
    *,
    now: datetime,
) -> Client | None:
    """PostgreSQL, one statement: _find_or_create_client (an address, no client chosen), the
    request to confirm (queue_booking_message: COMPOSED_AT_SEND, written to the client's address
    when it has one), then the booking locks (lock_for_booking), in that order. Returns the client
    in use; None, with nothing written and no lock taken, when a concurrent booking's new client
    for this address was not committed when the statement began (find_or_insert's None).

    Why the order holds: each lock is taken in the select list of a query over the client's row,
    so only once the client is found or inserted (an insert of the same address waits for the
    other transaction first), as when the locks had a statement of their own after it: a booking
    never holds a lock while it waits for a client row, so two bookings by one address cannot
    deadlock. The re-checking insert is the next statement: its snapshot is taken under the locks.
    """
    sql, params = _client_message_and_locks_sql(practice, details, appointment, purpose, slot, now=now)
    # Prepared (longtide.prepared): its text is fixed.
    rows = prepared.rows(sql, params)
    return instance(rows[0]) if rows else None


def _client_message_and_locks_sql(
    practice: Practice,
    details: ClientDetails,
    appointment: Appointment,
    purpose: Purpose,
    slot: Slot,
    *,
    now: datetime,
) -> tuple[str, list[Any]]:
    """_client_message_and_locks's statement (its rows: the client's columns) and params."""
    made = _new_client(practice, details, now=now)
    kept, cols = found_in_use_sql()
    message_sql, message_params = outbox.insert_one_from(
        practice.pk,
        unwritten_request(appointment, purpose, now=now),
        recipient="kept.email",
        source="kept WHERE kept.email <> ''",
    )
    lock_sql, lock_params = locks_sql(practitioner_id=slot.practitioner_id, room_ids=[slot.room_id], over="kept")
    sql = (
        f"WITH {kept}, message AS ({message_sql}) "  # noqa: S608 (statements of ours, placeholders)
        f"SELECT {cols} FROM kept, ({lock_sql} OFFSET 0) AS locked"
    )
    return sql, [*insert_values(made), details.email.lower(), practice.pk, *message_params, *lock_params]


def request_fingerprint(
    *,
    service: Service,
    practitioner_id: int | None,
    start: datetime,
    client: ClientDetails,
    note: str,
    style: str | None,
    source: str,
) -> str:
    """Return the SHA-256 of a booking request in a canonical form (what an idempotency key binds)."""
    canonical = {
        "service": service.pk,
        "practitioner": practitioner_id if practitioner_id is not None else "any",
        "start": start.astimezone(UTC).isoformat(),
        "style": style or "",
        "client": [client.first_name, client.last_name, client.email.casefold(), client.phone, client.client_id],
        "note": note,
        "source": str(source),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _slot_at(
    *,
    practice: Practice,
    service: Service,
    places: Places,
    start: datetime,
    now: datetime,
    for_staff: bool,
    ignore_appointment: int | None = None,
) -> tuple[Slot, int] | None:
    """Return the free slot at `start` (and its location) with the first of the candidates free
    then, in their order: one search across all of them, or None."""
    days = {start.astimezone(ZoneInfo(zone)).date() for _, _, zone in places.rooms} or {start.date()}
    # The inputs read with the places for this start (the API's first statement), once: a second
    # search (after a lost race) reads them afresh, for the same candidates: with those inputs
    # came only the candidates with hours near the start (Places.others, the rest).
    ahead = places.ahead.pop(start, None) if ignore_appointment is None else None
    found = search_slots(
        practice=practice,
        service=service,
        first_day=min(days),
        last_day=max(days),
        now=now,
        for_staff=for_staff,
        any_practitioner=places.candidates > 1,
        ignore_appointment=ignore_appointment,
        places=places,
        at=start,
        inputs=ahead,
    )
    for slot in found.slots:
        if slot.start == start:
            return slot, found.location_of[slot.room_id]
    return None


def _at(moment: datetime) -> Any:
    return connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value(moment)


# Plain SQL for the overlap checks under the booking locks: the ORM took ~7 ms to build what the
# database answers in ~0.1 ms. One EXISTS per column: an OR across practitioner and room in a
# single subquery could use neither index. The lower bound on blocked_start (no appointment holds
# MAX_BLOCK or more) keeps each index scan to a day's rows.
def _occupied(
    slot: Slot, blocked: tuple[datetime, datetime], ignore: int | None, column: str, which: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    """A subquery finding an appointment of the slot's practitioner or room (`column`) over `blocked`."""
    ops = connections[DEFAULT_DB_ALIAS].ops  # once: each attribute of the `connection` proxy is a look-up
    start, end = blocked
    value = slot.practitioner_id if column == "practitioner_id" else slot.room_id
    at = ops.adapt_datetimefield_value
    return _occupied_sql(column, which[0]), [
        value,
        *_OCCUPYING_STATES,
        at(end),
        at(start - MAX_BLOCK),
        at(start),
        ignore or 0,
        *which[1],
    ]


_OCCUPYING_STATES = [str(s) for s in OCCUPYING]


@functools.cache
def _occupied_sql(column: str, which: str) -> str:
    """_occupied's text, written once per column and condition (its quoting is the same on both databases)."""
    table = connection.ops.quote_name(Appointment._meta.db_table)
    return (
        f"SELECT 1 FROM {table} WHERE {column} = %s "  # noqa: S608 (our table and columns, placeholders)
        f"AND status IN ({', '.join(['%s'] * len(OCCUPYING))}) "
        f"AND blocked_start < %s AND blocked_start > %s AND blocked_end > %s AND id <> %s AND {which}"
    )


def _time_off(slot: Slot, blocked: tuple[datetime, datetime]) -> tuple[str, list[Any]]:
    at = connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value
    return _time_off_sql(), [slot.practitioner_id, at(blocked[1]), at(blocked[0])]


@functools.cache
def _time_off_sql() -> str:
    table = connection.ops.quote_name(TimeOff._meta.db_table)
    return f'SELECT 1 FROM {table} WHERE practitioner_id = %s AND start < %s AND "end" > %s'  # noqa: S608


class _NotFree(Exception):
    """The guarded insert found the time occupied (or a lapsed hold in the way): nothing written."""


@functools.cache
def _insert_head(vendor: str, with_id: bool) -> tuple[list[Any], str]:
    """The appointment's columns and `INSERT … SELECT <placeholders> WHERE `, worked out once.

    On PostgreSQL each placeholder is cast to its column's type (without a length, so that a value
    too long still fails as it would in a VALUES list): the statement runs prepared, with
    server-side binding, where an untyped parameter in a SELECT list (a None, a str) is text."""
    fields = [f for f in Appointment._meta.concrete_fields if (with_id or not f.primary_key) and not f.generated]
    quote = connection.ops.quote_name
    if vendor == "postgresql":
        holders = ", ".join(f"CAST(%s AS {str(f.db_type(connection)).partition('(')[0]})" for f in fields)
    else:
        holders = ", ".join(["%s"] * len(fields))
    head = (
        f"INSERT INTO {quote(Appointment._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"SELECT {holders} WHERE "
    )
    return fields, head


def _insert_if_free(
    appointment: Appointment,
    slot: Slot,
    blocked: tuple[datetime, datetime],
    *,
    counting: Sequence[Limit] = (),
    now: datetime | None = None,
) -> list[int]:
    """INSERT the appointment only if nothing occupies its practitioner or room over `blocked` and
    the practitioner has no time off then: the re-check under the locks and the write in one
    statement. Any held row counts as occupying here, lapsed or not (lapsed holds are marked
    expired by still_free, which the caller runs on the next round). Raises _NotFree.

    `counting` (PostgreSQL): rate limits hit by the same statement when the row is inserted (a
    data-modifying CTE, ratelimit.counters.hit_query); their new counts are returned, in order."""
    sql, params = _insert_if_free_sql(appointment, slot, blocked, counting=counting, now=now)
    # Prepared on PostgreSQL (its text is fixed per number of limits): planning it took as long as running it.
    rows = prepared.rows(sql, params)
    if not rows:
        raise _NotFree()
    appointment.pk = rows[0][0]
    appointment._state.adding = False
    appointment._state.db = connection.alias
    return hits_of(counting, now or timezone.now(), [row[1:] for row in rows]) if counting else []


def _insert_if_free_sql(
    appointment: Appointment,
    slot: Slot,
    blocked: tuple[datetime, datetime],
    *,
    counting: Sequence[Limit] = (),
    now: datetime | None = None,
) -> tuple[str, list[Any]]:
    """_insert_if_free's statement and params. Its rows: none when not free; else the new id, and
    with `counting` one row per limit (id, key_hash, window_start, count)."""
    anything: tuple[str, list[Any]] = ("1 = 1", [])
    checks = [
        _occupied(slot, blocked, None, "practitioner_id", anything),
        _occupied(slot, blocked, None, "room_id", anything),
        _time_off(slot, blocked),
    ]
    # With its id reserved beforehand (book_appointment on PostgreSQL), the id is written too.
    fields, head = _insert_head(connection.vendor, appointment.pk is not None)
    # The connection itself, not the `connection` proxy, whose every attribute is a thread-local
    # look-up. Each field's get_db_prep_save, decided once per field (db_values: ~0.06 ms a booking).
    db = connections[DEFAULT_DB_ALIAS]
    values = db_values.insert_values(appointment, fields, db)
    sql = head + " AND ".join(f"NOT EXISTS({check})" for check, _ in checks) + " RETURNING id"
    params = [*values, *(p for _, params in checks for p in params)]
    if counting:
        hit_sql, hit_params = hit_query(counting, now or timezone.now(), when="EXISTS (SELECT 1 FROM made)")
        sql = (
            f"WITH made AS ({sql}), hit AS ({hit_sql}) "  # noqa: S608 (statements of ours, placeholders)
            "SELECT made.id, hit.key_hash, hit.window_start, hit.count FROM made LEFT JOIN hit ON 1 = 1"
        )
        params = [*params, *hit_params]
    return sql, params


# The SQLSTATEs the booking function raises (class "LT", Longtide's own): the time is not free;
# a limit is passed (its message: which one, counting from 1).
NOT_FREE_STATE = "LT409"
OVER_LIMIT_STATE = "LT429"


def _book_in_one_call(
    practice: Practice,
    details: ClientDetails,
    appointment: Appointment,
    purpose: Purpose,
    slot: Slot,
    limits: Sequence[BookingLimit],
    *,
    now: datetime,
) -> Client | None:
    """PostgreSQL, outside a transaction: a booking's whole write in one call of a PL/pgSQL
    function (_booking_function), instead of BEGIN, _client_message_and_locks, _insert_if_free
    (with the counters) and COMMIT — one round trip instead of four. Returns the client in use,
    the appointment saved (its reserved id) and counted against `limits`; None, with nothing
    written and no lock taken, when _client_message_and_locks would return None (the caller then
    books in a transaction, the usual way), as when the database's role may not make the
    function (no TEMPORARY privilege: prepared.CannotMakeFunction). Raises _NotFree (nothing
    written: the client, the message and the counts are undone with the function's call) and
    TooManyBookings past a limit (nothing written either).

    Why the order still holds: in a VOLATILE PL/pgSQL function each statement takes a snapshot of
    its own (READ COMMITTED), so the re-checking insert, the function's second statement, sees
    every booking committed before the first statement's locks were granted, as it does when it
    is the transaction's next statement."""
    counting = [each.limit for each in limits]
    sql1, params1 = _client_message_and_locks_sql(practice, details, appointment, purpose, slot, now=now)
    sql2, params2 = _insert_if_free_sql(
        appointment, slot, (appointment.blocked_start, appointment.blocked_end), counting=counting, now=now
    )
    create, name, call, order = _booking_function(sql1, sql2)
    given = [*params1, *params2]
    params = [*map(given.__getitem__, order), [limit.key for limit in counting], [limit.most for limit in counting]]
    try:
        rows = prepared.function_rows(create, name, call, params)
    except prepared.CannotMakeFunction:
        # A role without the TEMPORARY privilege: nothing ran; booked the usual way.
        return None
    except DatabaseError as error:
        failed: Any = error.__cause__
        state = getattr(failed, "sqlstate", None)
        if state == NOT_FREE_STATE:
            raise _NotFree() from None
        if state == OVER_LIMIT_STATE:
            raise refusal(practice, limits[int(failed.diag.message_primary) - 1], now) from None
        raise
    if not rows:
        return None
    counts, *client = rows[0]
    counted(counts, now)
    appointment._state.adding = False
    appointment._state.db = connection.alias
    return instance(tuple(client))


_booking_functions: dict[tuple[str, str], tuple[str, str, str, list[int]]] = {}


def _booking_function(client_message_and_locks: str, insert_if_free: str) -> tuple[str, str, str, list[int]]:
    """The booking function of _book_in_one_call for these two statements (their texts are fixed
    per number of limits): its CREATE, its name, the statement calling it and the order of the
    statements' parameters in that call, worked out once per process (prepared.function_body asks
    the server for the placeholders' types once).

    Arguments: the parameters of the two statements (prepared.function_body: an array per type),
    then the limits' keys and their `most`s, in order. It returns one row (the counts, in the
    limits' order, then the client's columns) or none (no client row: nothing written, no lock
    taken). The limit check is booking_limits.check_counted's (a count over `most` refuses), in
    the function, so that a refusal undoes the function's writes with the call."""
    key = (client_message_and_locks, insert_if_free)
    if key in _booking_functions:
        return _booking_functions[key]
    # The appointment's client is the one the first statement found or inserted: its id column.
    outs = [f"o_{n}" for n in range(len(Client._meta.concrete_fields))]
    fields, _head = _insert_head("postgresql", True)
    client_id = client_message_and_locks.count("%s") + [f.attname for f in fields].index("client_id") + 1
    client_pk = outs[Client._meta.concrete_fields.index(Client._meta.pk)]
    made_of = prepared.function_body([client_message_and_locks, insert_if_free], given={client_id: client_pk})
    (first, second), (client_types, insert_types) = made_of.statements, made_of.results
    made, key_hash, window, count = insert_types
    columns = ", ".join(f"{o} {t}" for o, t in zip(outs, client_types, strict=True))
    body = (
        f"({made_of.arguments}, _keys text[], _most integer[]) RETURNS TABLE (o_counts integer[], {columns}) "
        "LANGUAGE plpgsql VOLATILE AS $booking$\n"
        "#variable_conflict use_column\n"
        f"DECLARE _made {made}; _key {key_hash}; _window {window}; _count {count};\n"
        "BEGIN\n"
        # The client, the message, the locks: one statement (no row: nothing written, no lock).
        f"{first} INTO {', '.join(outs)};\n"
        "IF NOT FOUND THEN RETURN; END IF;\n"
        "o_counts := array_fill(NULL::integer, ARRAY[cardinality(_keys)]);\n"
        # Under the locks, with a snapshot of its own: the re-checking insert and the counters.
        f"FOR _made, _key, _window, _count IN {second} LOOP\n"
        "  o_counts[array_position(_keys, CAST(_key AS text))] := _count;\n"
        "END LOOP;\n"
        # Not free (nothing inserted, nothing counted): raised, so the client and message are undone.
        f"IF _made IS NULL THEN RAISE EXCEPTION USING ERRCODE = '{NOT_FREE_STATE}', MESSAGE = 'not free'; END IF;\n"
        # booking_limits.check_counted's rule, here so that a refusal undoes the whole write.
        "FOR _i IN 1 .. cardinality(_keys) LOOP\n"
        "  IF o_counts[_i] > _most[_i] THEN\n"
        f"    RAISE EXCEPTION USING ERRCODE = '{OVER_LIMIT_STATE}', MESSAGE = CAST(_i AS text);\n"
        "  END IF;\n"
        "END LOOP;\n"
        "RETURN NEXT;\n"
        "END $booking$"
    )
    name = "longtide_booking_" + hashlib.sha256(body.encode()).hexdigest()[:16]
    create = f"CREATE OR REPLACE FUNCTION pg_temp.{name}{body}"
    call = (
        f"SELECT o_counts, {', '.join(outs)} FROM pg_temp.{name}("  # noqa: S608 (our function, placeholders)
        f"{made_of.call}, CAST(%s AS text[]), CAST(%s AS integer[]))"
    )
    _booking_functions[key] = create, name, call, made_of.order
    return _booking_functions[key]


def still_free(
    practice: Practice,
    slot: Slot,
    blocked: tuple[datetime, datetime],
    ignore_appointment: int | None,
    *,
    now: datetime | None = None,
) -> bool:
    """Return whether nothing occupies the practitioner or the room over the blocked range.

    Holds whose time has lapsed do not occupy it: when one overlaps, it is marked expired here
    (the caller holds the booking locks), so that the database's own overlap guard agrees.
    """
    now = now or timezone.now()
    holding = ("(status <> %s OR hold_until IS NULL OR hold_until > %s)", [str(Status.HELD), _at(now)])
    lapsed = ("status = %s AND hold_until <= %s", [str(Status.HELD), _at(now)])
    parts = [
        _occupied(slot, blocked, ignore_appointment, "practitioner_id", holding),
        _occupied(slot, blocked, ignore_appointment, "room_id", holding),
        _time_off(slot, blocked),
        _occupied(slot, blocked, ignore_appointment, "practitioner_id", lapsed),
        _occupied(slot, blocked, ignore_appointment, "room_id", lapsed),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"EXISTS({sql})" for sql, _ in parts), [p for _, params in parts for p in params]
        )
        practitioner_busy, room_busy, off, lapsed_practitioner, lapsed_room = cursor.fetchone()
    if practitioner_busy or room_busy or off:
        return False
    if lapsed_practitioner or lapsed_room:
        let_go = (
            Appointment.objects.occupying()
            .overlapping(*blocked)
            .lapsed_holds(now)
            .exclude(pk=ignore_appointment or 0)
            .filter(Q(practitioner_id=slot.practitioner_id) | Q(room_id=slot.room_id))
        )
        ids = list(let_go.values_list("pk", flat=True))
        Appointment.objects.filter(pk__in=ids).update(status=Status.EXPIRED, updated_at=now)
        record_expired(ids, now=now, reason="Not confirmed in time; another booking took the time.")
    return True


# The longest reason a change keeps in its history.
REASON_LENGTH = 300

CHANGE_NOT_SAVED = gettext_lazy("We could not save the change just now, so the booking is as it was. Please try again.")


def _not_saved(error: DatabaseError, message: StrOrPromise | None = None) -> NotSaved:
    """The database failed mid-change (so the transaction, and the change with its messages, rolled back)."""
    log.error("booking change not saved: %s", bare_traceback(error))
    return NotSaved(str(message)) if message else NotSaved()


# A slot found free can be taken by a concurrent booking before its locks are ours; the search
# then runs again (picking another room if one is free). Three rounds is plenty in practice.
ATTEMPTS = 3


def _hold(
    *,
    practice: Practice,
    service: Service,
    places: Places,
    start: datetime,
    now: datetime,
    for_staff: bool,
    make: Callable[[Slot, int], Appointment],
    ignore_appointment: int | None = None,
    checked_by_make: bool = False,
    before_lock: Callable[[Slot, int], bool] | None = None,
    at_once: Callable[[Slot, int], Appointment | None] | None = None,
) -> Appointment | None:
    """Find the slot, then lock, re-check and write in one short transaction. None when not free.

    The search (hours, notice, grid, room choice) runs before any lock, once across all the
    practitioners ("any practitioner": the first in order free at `start`); under the locks only
    the overlap is re-checked. That keeps the locked section to a few statements, so bookings for
    different practitioners and rooms run side by side. Each transaction locks one practitioner
    (and one room), so no two bookings can deadlock. A lost race searches again: the winner's
    booking is then seen, and another practitioner or room is chosen when one is free.

    `checked_by_make`: `make` writes only if the time is free (_insert_if_free) and raises _NotFree
    otherwise, so the separate re-check is skipped — until a round finds the time taken, after
    which still_free runs first (it marks lapsed holds in the way expired).

    `before_lock` runs in the transaction before the locks are taken: work that needs no lock
    (finding the client, writing the messages) then does not hold up other bookings of the same
    practitioner or room, which wait for the locks until this transaction commits. It returns
    whether it took the locks itself, last, in its own statement (PostgreSQL: the client, the
    message and the locks in one statement, _client_message_and_locks).

    `at_once` (PostgreSQL, with `checked_by_make`) books in one call outside a transaction
    (_book_in_one_call): tried first, in the rounds that skip the separate re-check; it raises
    _NotFree as `make` does, and returns None when it wrote nothing (the round then runs here).
    """
    check_first = not checked_by_make
    # Another try per further candidate read (those left out have no hours then: Places.others).
    for _attempt in range(ATTEMPTS + len(places.practitioner_ids) - 1):
        found = _slot_at(
            practice=practice,
            service=service,
            places=places,
            start=start,
            now=now,
            for_staff=for_staff,
            ignore_appointment=ignore_appointment,
        )
        if found is None:
            return None
        slot, location_id = found
        blocked = service.blocked_range(slot.start, slot.end)
        try:
            done = at_once(slot, location_id) if at_once is not None and not check_first else None
            if done is not None:
                return done
            with transaction.atomic():
                locked = before_lock(slot, location_id) if before_lock is not None else False
                if not locked:
                    lock_for_booking(practitioner_id=slot.practitioner_id, room_ids=[slot.room_id])
                if not check_first or still_free(practice, slot, blocked, ignore_appointment, now=now):
                    return make(slot, location_id)
        except _NotFree:
            check_first = True
        except IntegrityError as exc:
            # The exclusion constraint caught an overlap the locks should have prevented (e.g. a
            # write that bypassed this module): report it as a taken slot, never a 500.
            if "overlap" not in str(exc):
                raise
            log.warning("booking overlap stopped by the database constraint: %s", exc)
    return None


def _earlier_booking(practice: Practice, idempotency_key: str | None, fingerprint: str) -> Booked | None:
    """Return the booking an earlier request with this idempotency key made, if any.

    Raises IdempotencyKeyReused when that request was a different one: a key names one request.
    """
    if not idempotency_key:
        return None
    earlier = Appointment.objects.filter(practice=practice, idempotency_key=idempotency_key).first()
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint and earlier.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(earlier)
    return Booked(earlier, token_for(earlier), created=False)


def book_appointment(
    *,
    practice: Practice,
    service: Service,
    practitioner: Practitioner | None,
    start: datetime,
    client: ClientDetails,
    note: str = "",
    style: str | None = None,
    by: User | AnonymousUser | None = None,
    source: str = Source.ONLINE,
    idempotency_key: str | None = None,
    client_address: str = "",
    now: datetime | None = None,
    on_hold: Callable[[Appointment], None] | None = None,
    practitioner_id: int | None = None,
    places: Places | None = None,
) -> Booked:
    """Book the service at `start` with the practitioner (or the first free one when None).

    `practitioner_id` may name the practitioner instead of `practitioner` (the API: the candidates
    query reads the practitioner, so the caller need not); one that does not offer the service is
    refused with `unknown_practitioner`.

    `places`: what candidates_and_rooms would read here (with this booking's limits and
    `reserve_id`), when the caller read it already with the service (the API:
    search.service_and_places); read again here unless it holds the counts of every limit.

    Staff bookings are booked at once. Online and API bookings are *held* until the owner of the
    email address confirms them from the emailed link (confirm_booking), whoever the address
    belongs to, so that nothing the person booking sees depends on stored client data
    (docs/booking-privacy.md). The client record is found by email, or made, and never changed.

    Online and API bookings count against the practice's limits per email address and per network
    address (`client_address`; booking_limits.py): TooManyBookings (429) past them.

    A waitlist offer (`source` WAITLIST, scheduling/waitlist.py) is held like an online booking,
    for the practice's offer time, with the offer email instead of the request; it is not counted
    against the per-address limits. `on_hold` runs inside the booking's transaction with the new
    appointment (the waitlist records its offer there, so the two commit together).

    Raises BookingError with a specific code for bad requests, IdempotencyKeyReused when the key
    came with another request, SlotTaken when the time is not free and NotSaved when the database
    failed (nothing is booked then). The email (the request to confirm, or the confirmation) is
    queued in the booking's own transaction, so the two commit together. On PostgreSQL the
    appointment's id is drawn from its sequence with the first query, so the client and the email
    are written before the booking locks are taken: under the locks only the re-checking insert and
    the rate-limit counters run.
    """
    now = now or timezone.now()
    for_staff = source == Source.STAFF
    if service.practice_id != practice.pk or not service.active:
        raise BookingError("unknown_service", _("That service is not offered here."), "service")
    if practitioner is not None and practitioner.practice_id != practice.pk:
        raise BookingError("unknown_practitioner", _("That practitioner does not work here."), "practitioner")
    if practitioner is not None:
        practitioner_id = practitioner.pk
    if not for_staff and (client.client_id is not None or not client.email):
        # Online and API bookings are confirmed by the owner of an email address: they need one.
        raise BookingError("email_required", _("Enter an email address like name@example.com."), "email")
    if client.client_id is not None and not Client.objects.filter(practice=practice, pk=client.client_id).exists():
        raise BookingError("unknown_client", _("That client is not a client of this practice."), "client")
    # Only an idempotency key binds the request's fingerprint (nothing reads it without one).
    fingerprint = (
        request_fingerprint(
            service=service,
            practitioner_id=practitioner_id,
            start=start,
            client=client,
            note=note,
            style=style,
            source=source,
        )
        if idempotency_key
        else ""
    )
    if earlier := _earlier_booking(practice, idempotency_key, fingerprint):
        return earlier
    check_policy(practice, start, now, for_staff=for_staff)
    from_waitlist = source == Source.WAITLIST
    limits = [] if for_staff or from_waitlist else booking_limits(practice, email=client.email, address=client_address)
    if places is None or len(places.used) != len(limits):
        places = candidates_and_rooms(
            service,
            practitioner_id=practitioner_id,
            style=style,
            limits=[each.limit for each in limits],
            now=now,
            reserve_id=True,
        )
    check_room_left(practice, limits, now, used=places.used)
    if not places.candidates:
        raise BookingError("unknown_practitioner", _("That practitioner does not offer this service."), "practitioner")

    nonce = new_nonce()
    token = token_from_nonce(nonce)
    held = not for_staff
    purpose = Purpose.WAITLIST_OFFER if from_waitlist else Purpose.REQUEST if held else Purpose.CONFIRMATION
    # The appointment being booked in this round (before_lock makes it) and whether its message is queued.
    pending: dict[str, Any] = {}

    # PostgreSQL, an id reserved and a request to confirm (or offer) by email: the client, the
    # message and the locks in one statement (_client_message_and_locks).
    fuse = (
        connection.vendor == "postgresql"
        and places.reserved_id is not None
        and client.client_id is None
        and bool(client.email)
        and purpose in COMPOSED_AT_SEND
    )

    def new_appointment(slot: Slot, location_id: int) -> Appointment:
        blocked_start, blocked_end = service.blocked_range(slot.start, slot.end)
        # Appointment(**these), made directly (db_rows.new: Model.__init__'s keyword path was a
        # booking's largest single cost in Python, bench/README "Stop 30").
        return db_rows.new(
            Appointment,
            {
                "id": places.reserved_id,
                "room_id": slot.room_id,
                "start": slot.start,
                "end": slot.end,
                "blocked_start": blocked_start,
                "blocked_end": blocked_end,
                "note": note,
                "source": source,
                "manage_token_hash": hash_token(token),
                "manage_nonce": nonce,
                "idempotency_key": idempotency_key or None,
                "idempotency_fingerprint": fingerprint if idempotency_key else "",
                "time_set_at": now,
                "status": Status.HELD if held else Status.BOOKED,
                "hold_until": min(
                    now + (practice.waitlist_offer if from_waitlist else practice.booking_hold), slot.start
                )
                if held
                else None,
                "booked_first_name": client.first_name,
                "booked_last_name": client.last_name,
                "booked_email": client.email,
                "booked_phone": client.phone,
            },
            {
                "practice": practice,
                # The objects this request already has, so that the messages and the answer read
                # none of them again.
                "location": places.locations[location_id],
                "service": service,
                "practitioner": practitioner
                if practitioner is not None and practitioner.pk == slot.practitioner_id
                else places.practitioner(slot.practitioner_id),
                "created_by": by if isinstance(by, User) else None,
            },
        )

    def at_once(slot: Slot, location_id: int) -> Appointment | None:
        """The whole write in one call (_book_in_one_call); None when it wrote nothing."""
        appointment = new_appointment(slot, location_id)
        found = _book_in_one_call(practice, client, appointment, purpose, slot, limits, now=now)
        if found is None:
            return None
        appointment.client = found
        return appointment

    def prepare(slot: Slot, location_id: int) -> bool:
        """In the transaction, before the locks: the client, the appointment and (with an id
        reserved) its message; and the locks when fused (returns whether it took them). Rolled
        back with the round when the insert finds the time taken."""
        appointment = new_appointment(slot, location_id)
        pending["appointment"], pending["queued"] = appointment, False
        if fuse:
            found = _client_message_and_locks(practice, client, appointment, purpose, slot, now=now)
            if found is not None:
                appointment.client = found
                pending["queued"] = True
                return True
            # A concurrent booking's new client for this address, not yet committed when the
            # statement began (nothing was written, no lock taken): read again, the usual way.
        appointment.client = _find_or_create_client(practice, client, now=now)
        if appointment.pk is not None:
            # In the booking's own transaction: the booking and its email commit together.
            queue_booking_message(purpose, appointment, now=now)
            pending["queued"] = True
        return False

    def make(slot: Slot, location_id: int) -> Appointment:
        appointment: Appointment = pending["appointment"]
        blocked = (appointment.blocked_start, appointment.blocked_end)
        # On PostgreSQL with the message already queued, the rate-limit counters are hit by the
        # insert itself (one statement fewer; still the last write before the commit).
        fold = connection.vendor == "postgresql" and pending["queued"] and on_hold is None and bool(limits)
        counting = [each.limit for each in limits] if fold else []
        counts = _insert_if_free(appointment, slot, blocked, counting=counting, now=now)  # raises _NotFree
        if fold:
            check_counted(practice, limits, counts, now)  # raises, rolling back
            return appointment
        # Its creation needs no history row: who, when, how and for when are on the appointment's
        # own row (created_by, created_at, source; the first move's `from_start`), and the history
        # shows it from there (web/staff/calendar.history_rows), keeping a booking within its
        # statements.
        if not pending["queued"]:  # no id reserved (SQLite, whose writers are serialized anyway)
            queue_booking_message(purpose, appointment, now=now)
        if on_hold is not None:
            on_hold(appointment)
        # Last, right before the commit: every booking from one network address updates the same
        # counter row and holds its lock until it commits, so the row is taken as late as can be.
        # Raises (and so rolls this booking back) past a limit.
        count_booking(practice, limits, now)
        return appointment

    try:
        appointment = _hold(
            practice=practice,
            service=service,
            places=places,
            start=start,
            now=now,
            for_staff=for_staff,
            make=make,
            checked_by_make=True,
            before_lock=prepare,
            # The fused write with the counters in one call (what `make` would do after `prepare`).
            at_once=at_once if fuse and on_hold is None and limits else None,
        )
    except IntegrityError as error:
        # Two requests with one key inserted at once: the unique constraint kept one.
        if earlier := _earlier_booking(practice, idempotency_key, fingerprint):
            return earlier
        raise _not_saved(error) from None
    except DatabaseError as error:
        raise _not_saved(error) from None
    if appointment is not None:
        return Booked(appointment, token, created=True)
    # While this request waited for the lock, a concurrent request with the same key may have
    # booked: the slot is taken by this very booking, so it is a retry, not a lost race.
    if earlier := _earlier_booking(practice, idempotency_key, fingerprint):
        return earlier
    raise SlotTaken()


MOVE_FIELDS = [
    "start",
    "end",
    "blocked_start",
    "blocked_end",
    "practitioner",
    "room",
    "location",
    "sequence",
    "time_set_at",
    "updated_at",
]


def move_appointment(
    *,
    appointment: Appointment,
    start: datetime,
    practitioner: Practitioner | None = None,
    by_client: bool,
    by: ChangedBy | None = None,
    reason: str = "",
    seen: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment to a new start (and optionally another practitioner).

    The rule is Appointment.move_refusal: a booked appointment that has not started; clients only
    outside the cancellation window and within the booking policy; staff to any free time. The
    check on `appointment` is a quick answer for the common case; the move itself locks the row,
    reads it again and re-checks it, so a cancellation (or another move) that commits meanwhile is
    never overwritten: the move then fails with `not_booked` and no "rescheduled" message is queued.
    Only the fields a move changes are written; the move is recorded in the history (`by`: who;
    the client via their link when not given and `by_client`).
    """
    now = now or timezone.now()
    if has_control(reason):
        raise BookingError("reason_control", _(CONTROL_MESSAGE), "reason")
    by = by or (ChangedBy.client_link() if by_client else ChangedBy.staff(None))
    practice = appointment.practice
    target = practitioner.pk if practitioner is not None else appointment.practitioner_id
    if appointment.status == Status.BOOKED and (appointment.start, appointment.practitioner_id) == (start, target):
        return appointment  # already there: see make()
    refused(appointment.stale_refusal(seen) or appointment.move_refusal(now, by_client=by_client))
    check_policy(practice, start, now, for_staff=not by_client)
    if practitioner is not None and practitioner.practice_id != practice.pk:
        raise BookingError("unknown_practitioner", _("That practitioner does not work here."), "practitioner")
    service = appointment.service

    def make(slot: Slot, location_id: int) -> Appointment:
        # Under the booking locks, inside the transaction: the row as it is now, locked until commit.
        locked = Appointment.objects.select_for_update().select_related("practice").get(pk=appointment.pk)
        if locked.status == Status.BOOKED and (locked.start, locked.practitioner_id) == (
            slot.start,
            slot.practitioner_id,
        ):
            # Already there (the same form sent twice, or a move to its own time): nothing to do,
            # nothing to record or tell. A double submit moved it "again" and sent a second email.
            return locked
        refused(locked.stale_refusal(seen) or locked.move_refusal(now, by_client=by_client))
        was_start, was_practitioner = locked.start, locked.practitioner_id
        locked.start, locked.end = slot.start, slot.end
        locked.blocked_start, locked.blocked_end = service.blocked_range(slot.start, slot.end)
        locked.practitioner_id = slot.practitioner_id
        locked.room_id = slot.room_id
        locked.location_id = location_id
        locked.sequence += 1
        locked.time_set_at = now
        locked.save(update_fields=MOVE_FIELDS)
        record(
            locked,
            EventKind.MOVED,
            by,
            now=now,
            from_status=locked.status,
            from_start=was_start,
            to_start=locked.start,
            from_practitioner_id=was_practitioner,
            to_practitioner_id=locked.practitioner_id,
            reason=" ".join(reason.split())[:REASON_LENGTH],
        )
        queue_booking_message(Purpose.RESCHEDULED, locked, now=now)
        return locked

    # Its own practitioner whether or not they still offer the service online; another one only if
    # they offer it and take bookings (as a new booking; a posted slot naming anyone else was taken).
    other = target != appointment.practitioner_id
    places = places_for(service, practitioner_id=target, offered_only=other)
    if other and target not in places.practitioner_ids:
        raise BookingError("unknown_practitioner", _("That practitioner does not offer this service."), "practitioner")
    try:
        moved = _hold(
            practice=practice,
            service=service,
            places=places,
            start=start,
            now=now,
            for_staff=not by_client,
            make=make,
            ignore_appointment=appointment.pk,
        )
    except BookingError:
        appointment.refresh_from_db()
        raise
    except DatabaseError as error:
        appointment.refresh_from_db()
        raise _not_saved(error, CHANGE_NOT_SAVED) from None
    if moved is None:
        appointment.refresh_from_db()
        raise SlotTaken()
    appointment.refresh_from_db()
    return appointment


def cancel_appointment(
    *,
    appointment: Appointment,
    by_client: bool,
    late: bool = False,
    reason: str = "",
    decided_by: str | None = None,
    by: ChangedBy | None = None,
    seen: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a booked appointment that has not started, and record why and who decided.

    `by_client`: the client themselves online (their link), only outside the cancellation window
    (Appointment.cancel_refusal). Otherwise the clinic records it (staff pages): `decided_by` the
    client or the clinic, with a reason (required); `late` records a late cancellation, which is the
    client's and only inside the window (Appointment.late_cancel_refusal). The row is locked and read
    again before the rules are checked, so a move or a mark that commits meanwhile is judged as it
    now is; the cancellation, its history event, the client's email and the freed time for the
    waitlist commit together.
    """
    now = now or timezone.now()
    if has_control(reason):
        raise BookingError("reason_control", _(CONTROL_MESSAGE), "reason")
    reason = " ".join(reason.split())
    if by_client:
        decided_by, by = Decider.CLIENT, by or ChangedBy.client_link()
    else:
        by = by or ChangedBy.staff(None)
        if late:
            decided_by = Decider.CLIENT
        if decided_by not in Decider.values:
            raise BookingError(
                "decided_by_required", _("Say who decided to cancel: the client or the clinic."), "decided_by"
            )
        if not reason:
            raise BookingError(
                "reason_required", _("Say why it is cancelled (for the appointment's history)."), "reason"
            )
    if len(reason) > REASON_LENGTH:
        raise BookingError(
            "reason_too_long", _("Keep the reason under %(count)d characters.") % {"count": REASON_LENGTH}, "reason"
        )
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().select_related("practice").get(pk=appointment.pk)
            refused(
                locked.stale_refusal(seen)
                or (locked.late_cancel_refusal(now) if late else locked.cancel_refusal(now, by_client=by_client))
            )
            locked.cancel(now=now, decided_by=str(decided_by), late=late)
            locked.save(update_fields=["status", "cancelled_at", "updated_at"])
            record(
                locked,
                EventKind.LATE_CANCELLED if late else EventKind.CANCELLED,
                by,
                now=now,
                from_status=Status.BOOKED,
                reason=reason,
                decided_by=str(decided_by),
            )
            queue_booking_message(Purpose.CANCELLED, locked, now=now)
            _free_for_the_waitlist(locked, now)
    except DatabaseError as error:
        raise _not_saved(error, CHANGE_NOT_SAVED) from None
    appointment.status, appointment.cancelled_at = locked.status, locked.cancelled_at
    return appointment


def _free_for_the_waitlist(cancelled: Appointment, now: datetime) -> None:
    """Record the freed time for the waitlist's planner (scheduling/waitlist.py), in the
    cancellation's transaction; a time already past or too near to offer is left alone."""
    if cancelled.start <= now + cancelled.practice.min_notice:
        return
    WaitlistOpening.objects.get_or_create(
        freed_by=cancelled,
        defaults={
            "practice_id": cancelled.practice_id,
            "practitioner_id": cancelled.practitioner_id,
            "start": cancelled.start,
            "end": cancelled.end,
            "created_at": now,
        },
    )


WAITLIST_OTHER_OFFER_RELEASED = "Booked another time offered from the waitlist."


def _claimed_from_the_waitlist(booked: Appointment, now: datetime) -> None:
    """A waitlist offer was confirmed: its entry is booked and its opening filled.

    One place on the waitlist makes one booking: the entry's other offers still held (a lapsed
    one the client did not take, or a later one made while the entry waited again) are released
    here, under their row locks and in the confirmation's transaction, and their offer emails still
    queued are withdrawn. Their openings stay open, so the planner offers those times to the next
    entry. Only this path (a waitlist booking's confirmation) pays for it."""
    entry_ids = list(WaitlistEntry.objects.filter(offers__appointment=booked).values_list("pk", flat=True))
    WaitlistEntry.objects.filter(pk__in=entry_ids).update(status=WaitlistStatus.BOOKED)
    others = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(waitlist_offer__entry_id__in=entry_ids, status=Status.HELD)
        .exclude(pk=booked.pk)
        .order_by("pk")
    )
    for other in others:
        other.status, other.hold_until, other.cancelled_at = Status.EXPIRED, None, now
        other.save(update_fields=["status", "hold_until", "cancelled_at", "updated_at"])
        record(
            other,
            EventKind.RELEASED,
            ChangedBy.system(),
            now=now,
            from_status=Status.HELD,
            reason=WAITLIST_OTHER_OFFER_RELEASED,
        )
        outbox.withdraw(
            practice_id=other.practice_id,
            about=about(other.pk),
            purposes=[Purpose.WAITLIST_OFFER],
            reason=_("Withdrawn: the client booked another time offered to them from the waitlist."),
        )
    # A cancelled visit's time is filled; new hours stay open for the next visit (waitlist.py).
    WaitlistOpening.objects.filter(
        offers__appointment=booked, status=OpeningStatus.OPEN, cause=OpeningCause.CANCELLATION
    ).update(status=OpeningStatus.FILLED, closed_at=now)


def mark_appointment(
    *,
    appointment: Appointment,
    status: str,
    by: ChangedBy | None = None,
    seen: str | None = None,
    now: datetime | None = None,
    treatment_consent: bool = False,
    override_reason: str = "",
    actor: Actor | None = None,
) -> bool:
    """Record how an appointment that has started ended: completed or no-show (staff only). Return
    whether anything changed.

    The row is locked and read again, so a cancellation at the same moment is never overwritten by a
    stale copy; only the status is written. A completed visit may be corrected to a no-show and back.
    Marking the status it already has (a double submit, a replayed call, someone else's identical
    mark meanwhile) changes nothing and writes nothing: False, even with a stale `seen`.

    Completed means the session went ahead: that needs the client's current treatment consent
    (`treatment_consent`, which the caller asks intake for: intake.session.mark_session) or an
    override. An `override_reason` records one (an EventKind.CONSENT_OVERRIDE row of the history and
    an audit row by `actor`, in the same transaction); who may give one is the caller's question
    (practice/access.py may_override_consent). Raises PolicyRefused: `not_started` before its start,
    `not_markable` when it is cancelled, held or expired, `invalid_status` for anything but completed
    or no-show, `consent_needed` for completed without consent or override, `reason` errors
    (field "override_reason") for an empty or long reason.
    """
    now = now or timezone.now()
    if status not in (Status.COMPLETED, Status.NO_SHOW):
        raise PolicyRefused("invalid_status", _("Say whether the appointment was completed or a no-show."))
    if has_control(override_reason):
        raise PolicyRefused("override_reason", _(CONTROL_MESSAGE), "override_reason")
    reason = one_line(override_reason)
    if override_reason and status != Status.COMPLETED:
        raise PolicyRefused("override_not_needed", _("An override is recorded only when marking a session completed."))
    if override_reason and not reason:
        raise PolicyRefused("override_reason", _("Say why the session went ahead without consent."), "override_reason")
    if len(reason) > OVERRIDE_REASON_MAX:
        raise PolicyRefused(
            "override_reason",
            _("Keep the reason under %(count)d characters.") % {"count": OVERRIDE_REASON_MAX},
            "override_reason",
        )
    if reason and (actor is None or actor.user is None):
        raise PolicyRefused("override_by", _("Sign in to record a consent override."), "override_reason")
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            changed = locked.marks_change(status)
            if changed:
                refused(locked.stale_refusal(seen) or locked.mark_refusal(now))
            if changed and status == Status.COMPLETED:
                if reason and actor is not None and not treatment_consent:
                    _record_consent_override(locked, reason, by or ChangedBy.staff(actor.user), actor, now)
                refused(locked.completion_refusal(treatment_consent=treatment_consent))
            if changed:
                was = locked.status
                locked.mark(status)
                locked.save(update_fields=["status", "updated_at"])
                kind = EventKind.COMPLETED if status == Status.COMPLETED else EventKind.NO_SHOW
                record(locked, kind, by or ChangedBy.staff(None), now=now, from_status=was)
    except DatabaseError as error:
        raise _not_saved(error, CHANGE_NOT_SAVED) from None
    appointment.status = locked.status
    return changed


def _record_consent_override(locked: Appointment, reason: str, by: ChangedBy, actor: Actor, now: datetime) -> None:
    """The session went ahead without current treatment consent: who, when and why, in the
    appointment's history and the practice's audit trail (one override per appointment)."""
    if locked.consent_override() is not None:
        return
    event = record(locked, EventKind.CONSENT_OVERRIDE, by, now=now, from_status=locked.status, reason=reason)
    audit_record(
        by=actor,
        action=Action.CHANGE,
        object_type="consent_override",
        object_id=event.pk,
        practice_id=locked.practice_id,
        client_id=locked.client_id,
        reason=reason,
        detail=f"appointment {locked.pk} marked completed without current treatment consent",
    )


HOLD_RELEASED = gettext_lazy(
    "This booking request was not confirmed in time, and its time was released. Please book again."
)


def _confirm_refusal(locked: Appointment, now: datetime) -> BookingError | None:
    """Why a held booking (locked) may not be confirmed now, or None."""
    if locked.status == Status.HELD and locked.start <= now:
        return PolicyRefused("in_past", _("This time has already passed. Please book another one."))
    if locked.status == Status.HELD:
        return first_visit_refusal(locked)
    if locked.status != Status.BOOKED:
        return PolicyRefused("hold_released", str(HOLD_RELEASED))
    return None


def confirm_booking(
    *, appointment: Appointment, by: ChangedBy | None = None, now: datetime | None = None
) -> Appointment:
    """Confirm a held booking, from the link emailed to its address: it becomes booked and the
    confirmation (with the calendar file) is queued. Confirming twice is harmless.

    A hold past its time can still be confirmed while nobody has taken the time: a booking that
    takes it marks the hold expired first, under the same row lock. Raises PolicyRefused when the
    hold was released or the time has passed, and the first-visit BookingError when the practice
    starts new clients with a first visit and this client has had none (the hold is released then).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = (
                Appointment.objects.select_for_update()
                .select_related("practice", "service", "client", "location", "practitioner")
                .get(pk=appointment.pk)
            )
            refusal = _confirm_refusal(locked, now)
            if locked.status == Status.HELD:
                # The history keeps the reason in the site's language, whatever the visitor reads.
                with translation.override(settings.LANGUAGE_CODE):
                    history = _confirm_refusal(locked, now) if refusal else None
                locked.status = Status.EXPIRED if refusal else Status.BOOKED
                locked.hold_until = None
                locked.time_set_at = now  # the client takes the time now (reminders count from here)
                locked.save(update_fields=["status", "hold_until", "time_set_at", "updated_at"])
                record(
                    locked,
                    EventKind.EXPIRED if refusal else EventKind.CONFIRMED,
                    by or ChangedBy.client_link(),
                    now=now,
                    from_status=Status.HELD,
                    reason=history.message if history else "",
                )
                if refusal is None:
                    queue_booking_message(Purpose.CONFIRMATION, locked, now=now)
                    if locked.source == Source.WAITLIST:
                        _claimed_from_the_waitlist(locked, now)
    except DatabaseError as error:
        raise _not_saved(error, CHANGE_NOT_SAVED) from None
    appointment.status, appointment.hold_until = locked.status, locked.hold_until
    if refusal is not None:
        raise refusal
    return appointment


def release_hold(
    *, appointment: Appointment, by: ChangedBy | None = None, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Release a held booking's time at once, from the emailed link ("I did not ask for this"), or
    when its waitlist entry leaves (`by` says who; the client via their link when not given)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if locked.status != Status.HELD:
                raise PolicyRefused("not_held", _("This booking request is no longer waiting for confirmation."))
            locked.status, locked.hold_until, locked.cancelled_at = Status.EXPIRED, None, now
            locked.save(update_fields=["status", "hold_until", "cancelled_at", "updated_at"])
            record(
                locked,
                EventKind.RELEASED,
                by or ChangedBy.client_link(),
                now=now,
                from_status=Status.HELD,
                reason=reason,
            )
    except DatabaseError as error:
        raise _not_saved(error, CHANGE_NOT_SAVED) from None
    appointment.status, appointment.hold_until = locked.status, locked.hold_until
    return appointment


def alternatives(
    *,
    practice: Practice,
    service: Service,
    practitioner: Practitioner | None,
    around: datetime,
    now: datetime | None = None,
    limit: int = 6,
) -> list[Slot]:
    """Return up to `limit` free slots from the day of `around` onwards (for a lost race)."""
    now = now or timezone.now()
    zone = practice.locations.first()
    day = timezone.localtime(around, timezone=zone.zone).date() if zone else around.date()
    found = search_slots(
        practice=practice,
        service=service,
        practitioner_id=practitioner.pk if practitioner is not None else None,
        first_day=day,
        last_day=day + timedelta(days=13),
        now=now,
    )
    return found.slots[:limit]
