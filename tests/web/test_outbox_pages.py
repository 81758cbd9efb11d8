"""The staff outbox: what was sent to whom, failures with their reason, sending again as a new message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import Cast
from longtide.clients.models import Client
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message, State
from longtide.scheduling.booking import Booked, ClientDetails, book_appointment
from longtide.scheduling.models import Source

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WED_10 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(cast: Cast) -> Booked:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=WED_10,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note="Migraines since March",
        source=Source.STAFF,  # booked at once; online bookings wait for the emailed confirmation
    )


@pytest.fixture
def ben(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.ben_user)  # front desk
    return client


def resend_key(page: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', page)
    assert found, "no send-again form"
    return found.group(1)


def test_front_desk_sees_what_was_sent_to_whom_and_when(ben: HttpClient, booked: Booked) -> None:
    deliver_due(worker="test")
    page = ben.get("/staff/tidewater/outbox/").content.decode()
    assert "Booking confirmation" in page and "cleo@example.test" in page and "Sent" in page
    assert "Migraines" not in page


def test_the_message_page_shows_the_text_but_not_the_private_link(ben: HttpClient, booked: Booked) -> None:
    message = Message.objects.get()
    page = ben.get(f"/staff/tidewater/outbox/{message.pk}/").content.decode()
    assert "Your appointment at Tidewater Craniosacral is booked." in page
    assert "[the client&#x27;s private link to their booking]" in page
    assert booked.manage_token is not None
    assert booked.manage_token not in page and "[[manage_url]]" not in page
    assert "appointment.ics" in page
    assert "Migraines" not in page


def test_a_failure_is_listed_with_its_reason(ben: HttpClient, booked: Booked) -> None:
    Message.objects.update(status=State.FAILED, attempts=1, last_error="550 recipient refused: User unknown")
    page = ben.get("/staff/tidewater/outbox/").content.decode()
    assert "1 message could not be sent." in page
    assert "550 recipient refused: User unknown" in page
    failed = ben.get("/staff/tidewater/outbox/?status=failed").content.decode()
    assert "cleo@example.test" in failed
    assert "cleo@example.test" not in ben.get("/staff/tidewater/outbox/?status=sent").content.decode()


def test_sending_again_makes_a_new_message_once_per_form_to_the_corrected_address(
    ben: HttpClient, booked: Booked, cast: Cast
) -> None:
    original = Message.objects.get()
    Message.objects.update(status=State.FAILED, last_error="550 recipient refused")
    Client.objects.filter(pk=cast.cleo.pk).update(email="cleo.park@example.test")
    Client.objects.filter(pk=booked.appointment.client_id).update(email="cleo.park@example.test")
    key = resend_key(ben.get(f"/staff/tidewater/outbox/{original.pk}/").content.decode())

    first = ben.post(f"/staff/tidewater/outbox/{original.pk}/send-again/", {"key": key})
    again = ben.post(f"/staff/tidewater/outbox/{original.pk}/send-again/", {"key": key})  # double submit

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    copy = Message.objects.exclude(pk=original.pk).get()
    assert first["Location"] == f"/staff/tidewater/outbox/{copy.pk}/"
    assert (copy.resend_of, copy.recipient, copy.status) == (original, "cleo.park@example.test", State.PENDING)
    assert copy.created_by == cast.ben_user
    assert copy.uid != original.uid
    original.refresh_from_db()
    assert (original.status, original.recipient) == (State.FAILED, "cleo@example.test")  # never edited
    assert deliver_due(worker="test").sent == 1


def test_a_waiting_message_is_not_sent_again_and_a_bad_key_is_refused(ben: HttpClient, booked: Booked) -> None:
    message = Message.objects.get()
    response = ben.post(f"/staff/tidewater/outbox/{message.pk}/send-again/", {"key": "abc"}, follow=True)
    assert "Only a sent or failed message can be sent again." in response.content.decode()
    Message.objects.update(status=State.SENT)
    for key in ["", "x" * 65, "bad key\x00"]:
        response = ben.post(f"/staff/tidewater/outbox/{message.pk}/send-again/", {"key": key}, follow=True)
        assert response.status_code == 200
        assert "This form has expired" in response.content.decode()
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "query", ["?status=nonsense", "?page=0", "?page=-1", "?page=99999999999999999999", "?page=abc"]
)
def test_bad_filters_show_the_whole_outbox_not_an_error(ben: HttpClient, booked: Booked, query: str) -> None:
    response = ben.get(f"/staff/tidewater/outbox/{query}")
    assert response.status_code == 200
    assert "Booking confirmation" in response.content.decode()


def test_a_nul_byte_in_the_filters_is_a_400_page_that_says_so(ben: HttpClient, booked: Booked) -> None:
    response = ben.get("/staff/tidewater/outbox/?status=%00")
    assert response.status_code == 400
    assert "contains a null character" in response.content.decode()
    assert 'href="/staff/tidewater/outbox/"' in response.content.decode()


def test_a_20_digit_message_id_is_a_404(ben: HttpClient, booked: Booked) -> None:
    assert ben.get("/staff/tidewater/outbox/99999999999999999999/").status_code == 404


def test_the_appointment_page_lists_its_messages(ben: HttpClient, booked: Booked) -> None:
    page = ben.get(f"/staff/tidewater/appointments/{booked.appointment.pk}/").content.decode()
    assert "Messages to the client" in page
    assert f"/staff/tidewater/outbox/{Message.objects.get().pk}/" in page
    assert "Reminders: email." in page


def test_a_request_waiting_to_be_written_says_so_then_shows_what_was_sent(ben: HttpClient, cast: Cast) -> None:
    online = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=WED_10,
        client=ClientDetails("Dee", "Lane", "dee@example.test"),
        source=Source.ONLINE,
    )
    message = Message.objects.get(recipient="dee@example.test")
    assert message.compose_at_send
    page = ben.get(f"/staff/tidewater/outbox/{message.pk}/").content.decode()
    assert 'id="written-when-sent"' in page
    deliver_due(worker="test")
    page = ben.get(f"/staff/tidewater/outbox/{message.pk}/").content.decode()
    assert 'id="written-when-sent"' not in page
    assert "Someone asked to book this appointment at Tidewater Craniosacral" in page
    assert online.manage_token is not None and online.manage_token not in page
