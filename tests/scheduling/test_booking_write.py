"""A booking's client, request to confirm and locks (PostgreSQL: one statement,
booking._client_message_and_locks): the client record in use, the message as queue_booking_message
writes it, and a concurrent booking's uncommitted new client for the same address."""

import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import time_machine
from django.db import connection, connections

from conftest import Cast
from longtide.clients.models import Client
from longtide.notifications.models import Message
from longtide.scheduling.booking import Booked, ClientDetails, book_appointment
from longtide.scheduling.booking_messages import new_message
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Source

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def book(cast: Cast, email: str) -> Booked:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=TEN,
        client=ClientDetails("Cleo", "Park", email),
        source=Source.ONLINE,
        client_address="203.0.113.9",
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
            ['WITH made AS (INSERT INTO "clients_client"%'],
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
