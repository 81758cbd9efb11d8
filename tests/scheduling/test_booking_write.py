"""A booking's client, request to confirm and locks (PostgreSQL: one statement,
booking._client_message_and_locks): the client record in use, the message as queue_booking_message
writes it, and a concurrent booking's uncommitted new client for the same address. And the whole
write as one call of the booking function (PostgreSQL, booking._book_in_one_call): its statements
in order, a snapshot under the locks, the limits checked inside it, nothing left by a refusal."""

import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import time_machine
from django.db import connection, connections
from django.db.models import F

from conftest import Cast
from longtide.clients.models import Client
from longtide.notifications.models import Message
from longtide.practice.models import Practice
from longtide.ratelimit.models import Counter
from longtide.scheduling import booking as booking_module
from longtide.scheduling.booking import Booked, ClientDetails, book_appointment
from longtide.scheduling.booking_messages import new_message
from longtide.scheduling.booking_rules import SlotTaken, TooManyBookings
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Source, Status

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def book(cast: Cast, email: str, start: datetime = TEN, **more: Any) -> Booked:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", email),
        source=Source.ONLINE,
        client_address="203.0.113.9",
        **more,
    )


@pytest.mark.django_db
def test_an_address_of_a_merged_record_books_for_the_record_kept(cast: Cast) -> None:
    kept = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email="kept@example.test"
    )
    Client.objects.create(
        practice=cast.tidewater, first_name="C", last_name="Park", email="old@example.test", merged_into=kept
    )
    booked = book(cast, "OLD@example.test")
    assert booked.appointment.client.pk == kept.pk and booked.appointment.client.email == "kept@example.test"
    [message] = Message.objects.all()
    assert message.recipient == "kept@example.test", "to the record in use, as route() sends it"


@pytest.mark.django_db
def test_the_request_to_confirm_is_the_message_queue_booking_message_writes(cast: Cast) -> None:
    booked = book(cast, "Cleo.Park@example.test")
    written = Message.objects.values().get()
    appointment = booked.appointment
    expected = new_message(appointment, Purpose.REQUEST, now=NOW)
    assert expected is not None
    assert written["recipient"] == appointment.client.email == "Cleo.Park@example.test"
    for name in ("purpose", "channel", "dedupe_key", "about", "subject", "body_text", "body_html", "reply_to"):
        assert written[name] == getattr(expected, name), name
    assert (written["send_after"], written["expires_at"], written["compose_at_send"]) == (NOW, None, True)
    assert written["attachments"] == [] and written["practice_id"] == cast.tidewater.pk
    assert Message.objects.get().status == "pending"


def _settings_dsn() -> str:
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sessions: PostgreSQL")
def test_a_concurrent_uncommitted_new_client_for_the_address_is_read_once_it_commits(cast: Cast) -> None:
    # Another booking inserted this address's client and has not committed: this booking's
    # statement waits for it, then finds nothing it can see (its snapshot is older). It reads the
    # client again, queues the message and takes the locks the usual way, and books.
    other = psycopg.connect(_settings_dsn())
    other.execute(
        "INSERT INTO clients_client (practice_id, first_name, last_name, email, phone, created_at, "
        "reminder_channel) SELECT %s, 'Other', 'Tx', 'race@example.test', '', now(), 'email'",
        [cast.tidewater.pk],
    )
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["booked"] = book(cast, "race@example.test")
        except Exception as error:  # reported below
            result["error"] = error
        finally:
            connections.close_all()

    booking = threading.Thread(target=run)
    booking.start()
    watcher = psycopg.connect(_settings_dsn(), autocommit=True)
    for _ in range(600):  # until the booking waits on the other transaction's row (at most a minute)
        waiting = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            ["%pg_temp.longtide_booking_%"],  # the booking function's call (its first statement)
        ).fetchone()
        if waiting and waiting[0]:
            break
        clock.sleep(0.1)
    else:
        pytest.fail("the booking never waited for the other transaction's client")
    other.commit()
    booking.join(60)
    other.close()
    watcher.close()
    assert "error" not in result, result.get("error")
    booked: Booked = result["booked"]
    client = Client.objects.get(email="race@example.test")
    assert booked.appointment.client_id == client.pk and client.first_name == "Other"
    assert Message.objects.get(about=f"appointment:{booked.appointment.pk}").recipient == "race@example.test"


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the booking function: PostgreSQL")


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_the_booking_function_runs_its_statements_apart_and_in_order(cast: Cast) -> None:
    # The re-checking insert must take its snapshot after the locks are held: it is a statement of
    # its own after the client/message/locks statement, in a VOLATILE function (a STABLE or
    # IMMUTABLE one would run every statement with the caller's snapshot, taken before the locks).
    book(cast, "order@example.test")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT provolatile, prosrc FROM pg_proc WHERE proname LIKE 'longtide_booking_%%' "
            "AND pronamespace = pg_my_temp_schema()"
        )
        [(volatility, source)] = cursor.fetchall()
    assert volatility == "v"
    statements = [part.strip() for part in source.split(";")]
    locks = next(i for i, s in enumerate(statements) if "pg_advisory_xact_lock" in s)
    insert = next(i for i, s in enumerate(statements) if 'INSERT INTO "scheduling_appointment"' in s)
    assert locks < insert, "the locks first, the insert in a later statement"
    assert '"clients_client"' in statements[locks] and '"notifications_message"' in statements[locks]
    assert '"scheduling_appointment"' not in statements[locks]
    assert '"ratelimit_counter"' in statements[insert], "the counters with the insert"


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_the_insert_sees_a_booking_committed_by_the_holder_of_the_locks(cast: Cast, caplog: Any) -> None:
    # Another session holds the practitioner's booking lock and books the time (here: a cancelled
    # appointment there becomes booked again), while this booking's search, which ran before, saw
    # the time free. This booking waits for the lock in the function's first statement; once the
    # other commits, its insert (a statement of its own, a snapshot taken under the lock) sees the
    # other's booking and inserts nothing: a lost race. With a snapshot from before the lock it
    # would insert, and only the exclusion constraint would stop it (logged as an overlap).
    earlier = book(cast, "earlier@example.test").appointment
    Appointment.objects.filter(pk=earlier.pk).update(status=Status.CANCELLED_CLINIC)
    other = psycopg.connect(_settings_dsn())
    other.execute("SELECT pg_advisory_xact_lock(1, %s)", [cast.ana.pk])  # locks.PRACTITIONER_SPACE
    other.execute("UPDATE scheduling_appointment SET status = 'booked' WHERE id = %s", [earlier.pk])
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["booked"] = book(cast, "later@example.test")
        except Exception as error:  # reported below
            result["error"] = error
        finally:
            connections.close_all()

    booking = threading.Thread(target=run)
    booking.start()
    watcher = psycopg.connect(_settings_dsn(), autocommit=True)
    for _ in range(600):  # until the booking waits for the lock (at most a minute)
        waiting = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE %s",
            ["%pg_temp.longtide_booking_%"],
        ).fetchone()
        if waiting and waiting[0]:
            break
        clock.sleep(0.1)
    else:
        pytest.fail("the booking never waited for the lock")
    other.commit()
    booking.join(60)
    other.close()
    watcher.close()
    assert isinstance(result.get("error"), SlotTaken), result
    assert "overlap" not in caplog.text, "the insert itself saw the other booking"
    assert not Appointment.objects.filter(booked_email="later@example.test").exists()
    assert not Client.objects.filter(email="later@example.test").exists(), "the new client undone"
    assert not Message.objects.filter(recipient="later@example.test").exists(), "the request undone"


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_time_taken_after_the_search_leaves_no_client_or_message(cast: Cast) -> None:
    # The API reads the search's inputs ahead; the time is booked meanwhile. The function's insert
    # finds it taken and raises, so its client and request to confirm are undone with it.
    from longtide.api import bookings as api

    api._practice_ids["tidewater"] = cast.tidewater.pk
    service, places = api._service_and_places(
        "tidewater", cast.session.pk, None, "loser@example.test", "203.0.113.9", NOW, TEN
    )
    assert places is not None and TEN in places.ahead
    book(cast, "winner@example.test")
    with pytest.raises(SlotTaken):
        book_appointment(
            practice=cast.tidewater,
            service=service,
            practitioner=None,
            start=TEN,
            client=ClientDetails("Lo", "Ser", "loser@example.test"),
            source=Source.ONLINE,
            client_address="203.0.113.9",
            places=places,
        )
    assert not Client.objects.filter(email="loser@example.test").exists()
    assert not Message.objects.filter(recipient="loser@example.test").exists()
    assert Appointment.objects.filter(start=TEN).count() == 1


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_limit_passed_in_the_function_refuses_and_writes_nothing(cast: Cast, monkeypatch: Any) -> None:
    # The check before the search is skipped here (as when concurrent bookings from one network
    # address all passed it): the function's own check refuses the booking that passes the limit,
    # and nothing of it is left: no appointment, no request to confirm, no new client, no count.
    Practice.objects.filter(pk=cast.tidewater.pk).update(online_bookings_per_ip_per_hour=1)
    cast.tidewater.refresh_from_db()
    monkeypatch.setattr(booking_module, "check_room_left", lambda *args, **kwargs: None)
    book(cast, "first@example.test")
    counts = sorted(Counter.objects.values_list("count", flat=True))
    with pytest.raises(TooManyBookings) as refused:
        book(cast, "second@example.test", start=TEN.replace(hour=18))
    assert "Your network has made as many online bookings" in str(refused.value)
    assert refused.value.retry_after > 0
    assert not Appointment.objects.filter(booked_email="second@example.test").exists()
    assert not Client.objects.filter(email="second@example.test").exists()
    assert not Message.objects.filter(recipient="second@example.test").exists()
    assert sorted(Counter.objects.values_list("count", flat=True)) == counts, "the counts undone"
    # Under the limit again, the same booking is made.
    Counter.objects.update(count=F("count") - 1)
    assert book(cast, "second@example.test", start=TEN.replace(hour=18)).created


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_role_without_the_temporary_privilege_books_the_usual_way(cast: Cast, monkeypatch: Any) -> None:
    # A hardened server (REVOKE TEMPORARY ON DATABASE … FROM PUBLIC) refuses the booking function,
    # made in pg_temp: the booking is made in a transaction instead, never a NotSaved, and the
    # process does not ask again.
    from django.test.utils import CaptureQueriesContext

    from longtide import prepared

    monkeypatch.setattr(prepared, "_refused", set())
    database = connection.settings_dict["NAME"]
    role = f"lt_no_temp_{database}"[:63]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quote(role)} NOLOGIN")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"REVOKE TEMPORARY ON DATABASE {quote(database)} FROM PUBLIC")
    connection.close()  # a new session: no temporary function made yet
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {quote(role)}")
        first = book(cast, "first@example.test")
        with CaptureQueriesContext(connection) as queries:
            second = book(cast, "second@example.test", start=TEN.replace(hour=18))
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT TEMPORARY ON DATABASE {quote(database)} TO PUBLIC")
            cursor.execute(f"DROP OWNED BY {quote(role)}")
            cursor.execute(f"DROP ROLE {quote(role)}")
    assert first.created and second.created
    assert Appointment.objects.filter(booked_email__in=["first@example.test", "second@example.test"]).count() == 2
    assert Message.objects.filter(recipient="second@example.test").count() == 1
    assert prepared._refused == {database}
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("CREATE OR REPLACE FUNCTION" in q or "pg_temp." in q for q in sql), "not asked again"
    assert any('INSERT INTO "scheduling_appointment"' in q for q in sql), "booked by the usual statements"


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_function_made_in_another_server_session_books_the_usual_way(cast: Cast, monkeypatch: Any) -> None:
    # Behind a pooler in transaction mode the CREATE and the call can reach different server
    # sessions: the call finds no function, makes it again, still finds none (here: the CREATE is
    # made to go nowhere) and the booking is made in a transaction, the usual way.
    from longtide import prepared

    connection.close()  # a new session: no temporary function made yet
    made: list[str] = []
    monkeypatch.setattr(prepared, "_create", lambda db, create: made.append(create))
    booked = book(cast, "pooled@example.test")
    assert booked.created
    assert len(made) == 2, "made before the first call, and once more when it was missing"
    assert Appointment.objects.filter(booked_email="pooled@example.test").count() == 1
    assert Message.objects.filter(recipient="pooled@example.test").count() == 1
    assert prepared._refused == set(), "not remembered: the next call may reach a session that has it"
