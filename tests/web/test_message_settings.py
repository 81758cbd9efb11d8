"""The owner's message settings: reminder offsets with bounds, the practice's own wording in the
`{{ field }}` language with a preview, and a client's reminder choice recorded by staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client as HttpClient

from conftest import Cast
from longtide.clients.models import Client, ReminderChannel
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import MessageTemplate
from longtide.practice.models import Practice
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.models import Source

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WORDING = "/staff/tidewater/messages/booking.confirmation.email/"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def olga(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.olga_user)  # the owner
    return client


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ("337", "24", "Ensure this value is less than or equal to 336."),
        ("-1", "24", "Ensure this value is greater than or equal to 0."),
        ("forty", "24", "Enter a whole number."),
        ("99999999999999999999", "24", "Ensure this value is less than or equal to 336."),
    ],
)
def test_reminder_offsets_have_sane_bounds(olga: HttpClient, cast: Cast, first: str, second: str, error: str) -> None:
    response = olga.post("/staff/tidewater/messages/", {"reminder_hours_first": first, "reminder_hours_second": second})
    assert response.status_code == 422
    page = response.content.decode()
    assert error in page
    assert f'value="{first}"' in page  # what was typed is kept
    assert Practice.objects.values_list("reminder_hours_first", flat=True).get(pk=cast.tidewater.pk) == 48


def test_the_owner_sets_the_offsets(olga: HttpClient, cast: Cast) -> None:
    response = olga.post("/staff/tidewater/messages/", {"reminder_hours_first": "72", "reminder_hours_second": "0"})
    assert response.status_code == 302
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.reminder_offsets == [72]


def test_the_messages_page_lists_the_check_in_wording_it_sends(olga: HttpClient) -> None:
    page = olga.get("/staff/tidewater/messages/").content.decode()
    assert "After-session check-in" in page and "not sent yet" not in page


def test_the_wording_page_previews_the_default_with_an_example_visit(olga: HttpClient) -> None:
    page = olga.get(WORDING).content.decode()
    assert "The default wording." in page
    assert "Hello Alex," in page
    assert "/p/tidewater/manage/EXAMPLE-PRIVATE-LINK/" in page
    assert '<iframe class="preview-frame" sandbox=""' in page
    assert "{{ client_first_name }}" in page  # the placeholder list


def test_a_practices_own_wording_is_used_for_new_messages(olga: HttpClient, cast: Cast) -> None:
    body = "Dear {{ client_first_name }},\n\nSee you {{ when }} at {{ location }}.\n\n{{ changes }}"
    preview = olga.post(WORDING, {"action": "preview", "subject": "Booked: {{ when }}", "body": body})
    assert preview.status_code == 200
    assert "Dear Alex," in preview.content.decode()
    assert not MessageTemplate.objects.exists()  # a preview saves nothing

    saved = olga.post(WORDING, {"action": "save", "subject": "Booked: {{ when }}", "body": body})
    assert saved.status_code == 302
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note="Migraines since March",
        source=Source.STAFF,  # booked at once; online bookings wait for the emailed confirmation
    )
    deliver_due(worker="test")
    [message] = mail.outbox
    assert message.subject == "Booked: Wed 2 Dec, 10:00 AM"
    assert message.body.startswith("Dear Cleo,\n\nSee you Wed 2 Dec, 10:00 AM at Harbourside.")
    assert "/p/tidewater/manage/" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    assert "igraine" not in message.body and "igraine" not in str(message.alternatives)

    reset = olga.post(WORDING, {"action": "reset"})
    assert reset.status_code == 302
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Hi {{ appointment.note }}", "Only placeholders of the form {{ field_name }} are supported"),
        ("Hi {{ note }}", "Unknown placeholder {{ note }}"),
        ("{% if x %}Hi{% endif %}", "there are no conditions or loops"),
        ("{{ client.email }}", "Only placeholders of the form"),
        ("Hi {{", "Only placeholders of the form"),
        ("", "This field is required."),
        ("x" * 5001, "Ensure this value has at most 5000 characters"),
        ("Hi\x00there", "Null characters are not allowed."),
    ],
)
def test_wording_that_could_reach_anything_else_is_refused_with_a_reason(
    olga: HttpClient, body: str, error: str
) -> None:
    response = olga.post(WORDING, {"action": "save", "subject": "Hello", "body": body})
    assert response.status_code == 422
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not MessageTemplate.objects.exists()


def test_a_subject_on_two_lines_is_refused(olga: HttpClient) -> None:
    response = olga.post(WORDING, {"action": "save", "subject": "Hello\r\nBcc: x@example.test", "body": "Hi"})
    assert response.status_code == 422
    assert "Keep the subject on one line." in response.content.decode()


def test_the_text_message_preview_counts_characters_and_parts(olga: HttpClient) -> None:
    page = olga.get("/staff/tidewater/messages/booking.reminder.sms/").content.decode()
    assert "characters:" in page and "part(s), GSM-7" in page
    assert "Reply STOP to opt out." in page
    assert 'name="subject"' not in page


def test_an_unknown_message_kind_is_a_404(olga: HttpClient) -> None:
    assert olga.get("/staff/tidewater/messages/booking.nothing.email/").status_code == 404


# A client's reminder choice, recorded by staff.


@pytest.fixture
def ben(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.ben_user)
    return client


def reminders_url(cast: Cast) -> str:
    return f"/staff/tidewater/clients/{cast.cleo.pk}/reminders/"


def test_texts_need_a_number_we_can_text_and_the_clients_agreement(ben: HttpClient, cast: Cast) -> None:
    response = ben.post(reminders_url(cast), {"channel": "sms", "sms_consent": "on"})
    assert "Add the client&#x27;s mobile number first" in response.content.decode()
    Client.objects.filter(pk=cast.cleo.pk).update(phone="(207) 555-0199")
    response = ben.post(reminders_url(cast), {"channel": "sms"})
    assert "Texts need the client&#x27;s agreement" in response.content.decode()
    cast.cleo.refresh_from_db()
    assert (cast.cleo.reminder_channel, cast.cleo.sms_consent_at) == (ReminderChannel.EMAIL, None)

    assert ben.post(reminders_url(cast), {"channel": "sms", "sms_consent": "on"}).status_code == 302
    cast.cleo.refresh_from_db()
    assert (cast.cleo.reminder_channel, cast.cleo.sms_consent_at) == (ReminderChannel.SMS, NOW)

    assert ben.post(reminders_url(cast), {"channel": "email"}).status_code == 302  # agreement taken back
    cast.cleo.refresh_from_db()
    assert (cast.cleo.reminder_channel, cast.cleo.sms_consent_at) == (ReminderChannel.EMAIL, None)


def test_a_client_without_email_cannot_get_email_reminders(ben: HttpClient, cast: Cast) -> None:
    Client.objects.filter(pk=cast.cleo.pk).update(email="")
    response = ben.post(reminders_url(cast), {"channel": "email"})
    assert "This client has no email address." in response.content.decode()


@pytest.mark.parametrize("channel", ["", "fax", "sms\x00", "x" * 200])
def test_a_bad_channel_is_explained(ben: HttpClient, cast: Cast, channel: str) -> None:
    response = ben.post(reminders_url(cast), {"channel": channel})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Select a valid choice." in page or "This field is required." in page or "Null characters" in page
