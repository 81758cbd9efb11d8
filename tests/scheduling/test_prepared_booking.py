"""A booking's statements on PostgreSQL run prepared, with one generic plan (longtide/prepared.py,
settings' plan_cache_mode): parsed and planned once per connection, not on every booking. And the
casts the prepared insert needs keep the columns' own checks (a value too long still fails)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, DataError, connection, connections, transaction

from conftest import Cast
from longtide import prepared
from longtide.scheduling.availability import Slot
from longtide.scheduling.booking import ClientDetails, _insert_if_free, book_appointment
from longtide.scheduling.models import Appointment, Source, Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only"),
]

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _book(cast: Cast, email: str, start: datetime) -> None:
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", email),
        source=Source.ONLINE,
        client_address="203.0.113.9",
    )


def _plans() -> list[tuple[str, int, int]]:
    """(text, generic plans, custom plans) of this connection's prepared statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return [(str(text), int(generic), int(custom)) for text, generic, custom in cursor.fetchall()]


def test_a_bookings_statements_are_prepared_once_with_a_generic_plan(cast: Cast) -> None:
    for hours in range(4):
        _book(cast, f"c{hours}@example.test", TEN + timedelta(hours=2 * hours))
    plans = _plans()
    wanted = {
        "search": "SELECT 'w', practitioner_id",
        # The booking function's call (booking._book_in_one_call): the client with the request to
        # confirm and the locks, then the insert with the counters, are its statements, whose plans
        # PL/pgSQL keeps for the session (generic ones, under the same plan_cache_mode).
        "call": "SELECT o_counts, ",
    }
    for what, start in wanted.items():
        found = [(generic, custom) for text, generic, custom in plans if text.startswith(start)]
        assert len(found) == 1, f"the {what} prepared once: {plans}"
        generic, custom = found[0]
        # PostgreSQL left to itself planned the search afresh every time (its generic estimate is the higher).
        assert custom == 0 and generic >= 3, f"the {what} reuses one generic plan: {found[0]}"
    [call] = [text for text, _, _ in plans if text.startswith(wanted["call"])]
    assert "pg_temp.longtide_booking_" in call
    assert not any('INSERT INTO "scheduling_appointment"' in text for text, _, _ in plans), "inside the function"


def test_the_prepared_insert_still_refuses_a_value_too_long_for_its_column(cast: Cast) -> None:
    start, end = TEN, TEN + timedelta(hours=1)
    appointment = Appointment(
        practice=cast.tidewater,
        location=cast.location,
        service=cast.session,
        practitioner=cast.ana,
        room=cast.willow,
        client=cast.cleo,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=Status.BOOKED,
        booked_first_name="x" * 81,  # the column holds 80
        time_set_at=NOW,
    )
    slot = Slot(start=start, end=end, practitioner_id=cast.ana.pk, room_id=cast.willow.pk)
    with pytest.raises(DataError), transaction.atomic():
        _insert_if_free(appointment, slot, (start, end))
    assert not Appointment.objects.exists()


def test_ids_of_any_size_share_one_prepared_statement() -> None:
    """Every int is sent as a bigint, so an id past 32767 does not prepare the statement again."""
    for value in (1, 40_000, 2**40):
        assert prepared.rows("SELECT %s + 0", [value]) == [(value,)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1 + 0'")
        assert cursor.fetchone()[0] == 1


def test_one_driver_cursor_per_statement_text_kept_across_statements_errors_and_reconnects() -> None:
    """prepared keeps one driver cursor per connection and statement text (making one per
    statement cost ~10 us; one shared by two texts made psycopg rebuild its loaders on every
    result): it runs the next statement after a failed one, each run of a text uses the same str
    object and gives psycopg the same bytes, encoded once (psycopg keeps its Transformer only for
    the same query object), and a new connection gets cursors of its own."""
    db = connections[DEFAULT_DB_ALIAS]
    assert prepared.rows("SELECT %s + 0", [1]) == [(1,)]
    kept = vars(db)["_longtide_preparing"]
    text, first = kept["SELECT %s + 0"]
    assert prepared.rows("SELECT %s || 'b'", ["a"]) == [("ab",)]
    assert vars(db)["_longtide_preparing"] is kept and len(kept) == 2
    with pytest.raises(DataError), transaction.atomic():
        prepared.rows("SELECT 1 / %s", [0])  # division by zero
    again = "".join(["SELECT %s ", "+ 0"])  # an equal text, another object
    assert again is not text
    assert prepared.execute(again, [2]) == 1
    assert vars(db)["_longtide_preparing"] is kept
    # The first object, run again: its bytes, encoded once (psycopg encoded a str on every run).
    encoded = first._encoded
    assert kept[again][1] is first and first._text is text and first._last_query is encoded
    assert encoded == text.encode()
    tx = first._tx
    assert prepared.rows("SELECT %s + 0", [5]) == [(5,)]
    assert first._tx is tx and first._last_query is encoded  # the same Transformer: psycopg saw the same query
    db.close()
    assert prepared.rows("SELECT %s + 0", [3]) == [(3,)]
    assert vars(db)["_longtide_preparing"] is not kept and vars(db)["_longtide_preparing"].connection is db.connection


def test_kept_cursors_are_bounded_per_connection() -> None:
    """More texts than the hot paths run start the connection's kept cursors again (memory stays flat)."""
    for n in range(prepared._MOST_TEXTS + 6):
        assert prepared.rows(f"SELECT %s + {n}", [1]) == [(1 + n,)]
    kept = vars(connections[DEFAULT_DB_ALIAS])["_longtide_preparing"]
    assert 0 < len(kept) <= prepared._MOST_TEXTS
