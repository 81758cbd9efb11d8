"""A booking, a move and a cancellation commit together with their message, or not at all."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import pytest
import time_machine
from django.db import DatabaseError, OperationalError
from django.test import Client as HttpClient

from conftest import Cast
from longtide.clients.models import Client
from longtide.notifications import outbox
from longtide.notifications.models import Channel, Message, State
from longtide.scheduling.booking import (
    Booked,
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    move_appointment,
)
from longtide.scheduling.booking_rules import NotSaved
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WED_10 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
NINA = ClientDetails("Nina", "Ferreira", "nina@example.test")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def broken_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every insert into the outbox fail, as a full disk or a dropped connection would."""

    def fail(rows: object) -> NoReturn:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(outbox, "_insert_ignoring_conflicts", fail)
    # PostgreSQL: a booking's request to confirm is written by the statement finding its client.
    monkeypatch.setattr(outbox, "insert_one_from", lambda *args, **kw: fail(args))


def gone(rows: object) -> NoReturn:
    raise DatabaseError("gone")


def book(cast: Cast, **kw: Any) -> Booked:
    return book_appointment(
        practice=cast.tidewater, service=cast.session, practitioner=cast.ana, start=WED_10, client=NINA, **kw
    )


def confirmed(cast: Cast, **kw: Any) -> Appointment:
    return confirm_booking(appointment=book(cast, **kw).appointment)


def test_a_booking_and_its_request_to_confirm_are_one_transaction(cast: Cast) -> None:
    booked = book(cast, note="migraines since March")
    [message] = Message.objects.all()
    assert message.about == f"appointment:{booked.appointment.pk}"
    assert message.purpose == Purpose.REQUEST
    assert (message.channel, message.recipient, message.status) == (Channel.EMAIL, "nina@example.test", State.PENDING)
    assert message.send_after == NOW
    assert "igraine" not in str(Message.objects.values().get())


def test_when_the_outbox_cannot_be_written_nothing_is_booked(cast: Cast, broken_outbox: None) -> None:
    with pytest.raises(NotSaved) as raised:
        book(cast)
    assert raised.value.code == "not_saved"
    assert "nothing was booked" in raised.value.message
    assert not Appointment.objects.exists()
    assert not Client.objects.filter(email="nina@example.test").exists()
    assert not Message.objects.exists()


def test_when_the_outbox_cannot_be_written_a_confirmation_leaves_the_booking_held(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = book(cast).appointment
    monkeypatch.setattr(outbox, "_insert_ignoring_conflicts", gone)
    with pytest.raises(NotSaved):
        confirm_booking(appointment=appointment)
    assert Appointment.objects.get().status == Status.HELD
    assert appointment.status == Status.HELD


def test_when_the_outbox_cannot_be_written_a_move_leaves_the_booking_as_it_was(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = confirmed(cast)
    real = outbox._insert_ignoring_conflicts
    monkeypatch.setattr(outbox, "_insert_ignoring_conflicts", gone)
    with pytest.raises(NotSaved) as raised:
        move_appointment(appointment=appointment, start=WED_10 + timedelta(hours=2), by_client=True)
    assert "the booking is as it was" in raised.value.message
    monkeypatch.setattr(outbox, "_insert_ignoring_conflicts", real)
    stored = Appointment.objects.get()
    assert (stored.start, stored.sequence) == (WED_10, 0)
    assert (appointment.start, appointment.sequence) == (WED_10, 0)
    assert Message.objects.count() == 2  # the request to confirm and the confirmation


def test_when_the_outbox_cannot_be_written_a_cancellation_leaves_the_booking_booked(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = confirmed(cast)
    monkeypatch.setattr(outbox, "_insert_ignoring_conflicts", gone)
    with pytest.raises(NotSaved):
        cancel_appointment(appointment=appointment, by_client=True)
    assert Appointment.objects.get().status == Status.BOOKED


def test_a_confirmation_a_move_and_a_cancellation_queue_their_messages(cast: Cast) -> None:
    appointment = confirmed(cast)
    move_appointment(appointment=appointment, start=WED_10 + timedelta(hours=2), by_client=True)
    cancel_appointment(appointment=appointment, by_client=True)
    assert list(Message.objects.order_by("id").values_list("purpose", "dedupe_key")) == [
        (Purpose.REQUEST, f"appointment:{appointment.pk}:request"),
        (Purpose.CONFIRMATION, f"appointment:{appointment.pk}:confirmation"),
        (Purpose.RESCHEDULED, f"appointment:{appointment.pk}:s1:rescheduled"),
        (Purpose.CANCELLED, f"appointment:{appointment.pk}:cancelled"),
    ]


def test_the_booking_page_says_nothing_was_booked_and_keeps_what_was_typed(
    client: HttpClient, cast: Cast, broken_outbox: None
) -> None:
    response = client.post(
        "/p/tidewater/book/cst-60/details/",
        {
            "slot": f"2026-12-02T10:00:00-05:00|{cast.ana.pk}",
            "first_name": "Nina",
            "last_name": "Ferreira",
            "email": "nina@example.test",
            "phone": "",
            "note": "first time",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was booked" in page
    assert 'value="Ferreira"' in page and "first time" in page
    assert "just taken" not in page
    assert not Appointment.objects.exists()


def test_the_api_answers_503_not_saved_and_nothing_is_booked(
    client: HttpClient, cast: Cast, broken_outbox: None
) -> None:
    response = client.post(
        "/api/v1/p/tidewater/bookings",
        {
            "service": cast.session.pk,
            "practitioner": cast.ana.pk,
            "start": "2026-12-02T10:00:00-05:00",
            "client": {"first_name": "Nina", "last_name": "Ferreira", "email": "nina@example.test", "phone": ""},
        },
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "not_saved"
    assert not Appointment.objects.exists()
