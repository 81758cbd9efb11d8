"""What the booking messages say: queued in the outbox, sent by the worker to Django's in-memory mailbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from icalendar import Calendar, Component
from pytest_django import Settings
from time_machine import TimeMachineFixture

from longtide.notifications.delivery import Report
from longtide.notifications.models import Message, State
from longtide.scheduling.booking_messages import queue_booking_message
from longtide.scheduling.manage_links import manage_url, token_for
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status

# The defaults of the make_appointment fixture (conftest.py): 10:00 EST on Tuesday 1 December 2026.
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NOTE = "Migraines since March, worse after the car accident."
BOOKED_AT = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_appointment(time_machine: TimeMachineFixture) -> None:
    # A month ahead of the appointment, well before the 24-hour cancellation window.
    time_machine.move_to(BOOKED_AT, tick=False)


@pytest.fixture
def send(deliver: Callable[..., Report]) -> Callable[[Purpose, Appointment], EmailMultiAlternatives]:
    def run(purpose: Purpose, appointment: Appointment) -> EmailMultiAlternatives:
        before = len(mail.outbox)
        with transaction.atomic():
            queue_booking_message(purpose, appointment)
        report = deliver()
        assert report.sent == 1, report
        assert len(mail.outbox) == before + 1
        message = mail.outbox[-1]
        assert isinstance(message, EmailMultiAlternatives)
        return message

    return run


def _token(appointment: Appointment) -> str:
    token = token_for(appointment)
    assert token is not None
    return token


def html_of(message: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def calendar_of(message: EmailMultiAlternatives, method: str) -> tuple[Calendar, Component]:
    [attachment] = message.attachments
    filename, content, mimetype = attachment
    assert filename == "appointment.ics"
    assert mimetype == f"text/calendar; method={method}"
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == method
    [event] = calendar.walk("VEVENT")
    return calendar, event


def everything_in(message: EmailMultiAlternatives) -> str:
    """Every header and every decoded part of the message as it would be sent, unfolded."""
    mime = message.message()
    chunks = [mime.as_string()]
    for part in mime.walk():
        chunks.extend(f"{name}: {value}" for name, value in part.items())
        if not part.is_multipart():
            content = part.get_content()
            chunks.append(content if isinstance(content, str) else content.decode("utf-8", "replace"))
    chunks.extend([str(message.subject), str(message.body), html_of(message)])
    chunks.extend(str(content) for _, content, _ in message.attachments)
    # Undo iCalendar and header line folding, which could split a phrase across lines.
    return re.sub(r"\r?\n[ \t]", "", "\n".join(chunks))


def test_the_confirmation_shows_local_time_with_zone_and_everything_needed(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment()
    link = manage_url(appointment.practice, _token(appointment))

    message = send(Purpose.CONFIRMATION, appointment)

    assert message.subject == "Your appointment at Tidewater Craniosacral on Tue 1 Dec, 10:00 AM"
    assert message.to == ["cleo@example.test"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.reply_to == ["hello@tidewater.test"]
    html = html_of(message)
    for part in (message.body, html):
        assert "Hello Cleo," in part
        assert "Tidewater Craniosacral" in part
        assert "CST session" in part
        assert "Ana Silva, RCST" in part
        assert "Tuesday 1 December 2026" in part
        assert "10:00 AM–11:00 AM EST" in part  # 15:00 UTC is 10:00 in New York in December.
        assert "15:00" not in part
        assert "America/New_York" in part
        assert "60 minutes" in part
        assert "Harbourside, 12 Wharf Street, Portland, ME, 04101" in part
        assert link in part
        assert "24 hours before the start (Mon 30 Nov, 10:00 AM EST)" in part
        assert "+1 207 555 0142" in part
    assert f'href="{link}"' in html
    assert "<" not in str(message.body)

    _, event = calendar_of(message, "REQUEST")
    assert event["UID"] == f"appointment-{appointment.pk}@tidewater.longtide"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(hours=1)
    assert event["SUMMARY"] == "CST session with Ana Silva (Tidewater Craniosacral)"
    assert event["LOCATION"] == "Harbourside, 12 Wharf Street, Portland, ME, 04101"
    assert str(event["ORGANIZER"]) == "mailto:hello@tidewater.test"

    mime = message.message()
    assert mime["Auto-Submitted"] == "auto-generated"
    assert mime["Reply-To"] == "hello@tidewater.test"
    stored = Message.objects.get()
    assert mime["Message-ID"] == f"<{stored.uid}@longtide.invalid>"


def test_the_outbox_stores_no_manage_link_and_the_calendar_file_carries_none(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    """A copy of the outbox (or a front-desk look at it) must not hand out a working link; a calendar
    entry is often shared, so the .ics carries none either."""
    appointment = make_appointment()
    token = _token(appointment)
    message = send(Purpose.CONFIRMATION, appointment)
    assert token in str(message.body)
    row = Message.objects.filter(pk=Message.objects.get().pk).values().get()
    assert token not in str(row)
    assert "[[manage_url]]" in row["body_text"] and "[[manage_url]]" in row["body_html"]
    [(_, ics, _)] = message.attachments
    assert token not in ics and "/manage/" not in ics


def test_summer_appointments_show_daylight_time(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment(start=datetime(2027, 1, 1, 0, 0, tzinfo=UTC) - timedelta(days=180))
    # 2026-07-05 00:00 UTC is 20:00 EDT on Saturday 4 July.
    message = send(Purpose.CONFIRMATION, appointment)
    assert message.subject == "Your appointment at Tidewater Craniosacral on Sat 4 Jul, 8:00 PM"
    assert "Saturday 4 July 2026, 8:00 PM–9:00 PM EDT" in str(message.body)


def test_a_practice_on_the_24_hour_clock_gets_24_hour_emails(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment(start=datetime(2027, 1, 1, 0, 0, tzinfo=UTC) - timedelta(days=180))
    appointment.practice.clock_hours = 24
    appointment.practice.save(update_fields=["clock_hours"])
    message = send(Purpose.CONFIRMATION, appointment)
    assert message.subject == "Your appointment at Tidewater Craniosacral on Sat 4 Jul, 20:00"
    assert "Saturday 4 July 2026, 20:00–21:00 EDT" in str(message.body)
    assert " PM" not in str(message.body)  # a link token may hold "PM"


def test_a_session_across_the_autumn_clock_change_names_both_zones(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    # 2026-11-01 05:30 UTC is 01:30 EDT; an hour later it is 01:30 EST.
    appointment = make_appointment(start=datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
    assert "1:30 AM EDT – 1:30 AM EST" in send(Purpose.CONFIRMATION, appointment).body


def test_links_use_the_public_base_url(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    settings: Settings,
) -> None:
    settings.PUBLIC_BASE_URL = "https://clinic.example.test"
    appointment = make_appointment()
    message = send(Purpose.CONFIRMATION, appointment)
    expected = f"https://clinic.example.test/p/tidewater/manage/{_token(appointment)}/"
    assert expected in str(message.body)
    assert f'href="{expected}"' in html_of(message)


def test_without_a_practice_email_there_is_no_reply_to(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    settings: Settings,
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Longtide <bookings@longtide.test>"
    appointment = make_appointment()
    appointment.practice.email = ""
    appointment.practice.save()

    message = send(Purpose.CONFIRMATION, appointment)

    assert message.reply_to == []
    assert message.from_email == "Longtide <bookings@longtide.test>"
    assert "Reply-To" not in message.message()
    assert message.message()["Message-ID"].endswith("@longtide.test>")
    _, event = calendar_of(message, "REQUEST")
    assert str(event["ORGANIZER"]) == "mailto:bookings@longtide.test"


def test_text_is_not_html_escaped_but_html_is(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment()
    appointment.practice.name = "Tide & <Co>"
    appointment.practice.save()

    message = send(Purpose.CONFIRMATION, appointment)

    assert message.subject == "Your appointment at Tide & <Co> on Tue 1 Dec, 10:00 AM"
    assert "Your appointment at Tide & <Co> is booked." in str(message.body)
    assert "&amp;" not in str(message.body)
    html = html_of(message)
    assert "Tide &amp; &lt;Co&gt;" in html
    assert "<Co>" not in html


def test_inside_the_cancellation_window_the_message_says_to_call(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(START - timedelta(hours=10), tick=False)
    appointment = make_appointment()
    message = send(Purpose.CONFIRMATION, appointment)
    for part in (str(message.body), html_of(message)):
        assert "can no longer be changed online" in part
        assert "Need to cancel or reschedule?" not in part
        assert _token(appointment) in part


def test_the_clinics_own_policy_text_is_included(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment()
    appointment.practice.cancellation_policy = "Late cancellations are charged in full."
    appointment.practice.save()
    message = send(Purpose.CONFIRMATION, appointment)
    assert "Cancellation policy: Late cancellations are charged in full." in str(message.body)
    assert "Late cancellations are charged in full." in html_of(message)


def test_a_reschedule_updates_the_same_calendar_entry(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    time_machine: TimeMachineFixture,
) -> None:
    appointment = make_appointment()
    _, booked = calendar_of(send(Purpose.CONFIRMATION, appointment), "REQUEST")

    time_machine.move_to(BOOKED_AT + timedelta(days=1), tick=False)
    appointment.start = appointment.blocked_start = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)
    appointment.end = appointment.blocked_end = appointment.start + timedelta(hours=1)
    appointment.sequence += 1  # As scheduling.booking.move_appointment does.
    appointment.save()
    message = send(Purpose.RESCHEDULED, appointment)

    assert message.subject == "Your appointment at Tidewater Craniosacral has moved to Thu 3 Dec, 2:30 PM"
    assert "has been moved" in str(message.body)
    assert "Thursday 3 December 2026, 2:30 PM–3:30 PM EST" in str(message.body)
    assert _token(appointment) in str(message.body)
    _, moved = calendar_of(message, "REQUEST")
    assert moved["UID"] == booked["UID"]
    assert moved.decoded("SEQUENCE") == 1 > booked.decoded("SEQUENCE")
    assert moved.decoded("DTSTART") == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)


def test_a_cancellation_removes_the_calendar_entry(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    time_machine: TimeMachineFixture,
) -> None:
    appointment = make_appointment()
    _, booked = calendar_of(send(Purpose.CONFIRMATION, appointment), "REQUEST")

    time_machine.move_to(BOOKED_AT + timedelta(days=2), tick=False)
    appointment.cancel(now=BOOKED_AT + timedelta(days=2), decided_by="client")
    appointment.save()
    assert appointment.status == Status.CANCELLED_CLIENT
    message = send(Purpose.CANCELLED, appointment)

    assert message.subject == "Cancelled: your appointment at Tidewater Craniosacral on Tue 1 Dec, 10:00 AM"
    assert message.to == ["cleo@example.test"]
    assert message.reply_to == ["hello@tidewater.test"]
    for part in (str(message.body), html_of(message)):
        assert "has been cancelled" in part
        assert "Tuesday 1 December 2026, 10:00 AM–11:00 AM EST" in part
        assert "manage" not in part
    _, cancelled = calendar_of(message, "CANCEL")
    assert cancelled["UID"] == booked["UID"]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") > booked.decoded("SEQUENCE")


def test_a_cancellation_after_a_move_outranks_the_move(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment(sequence=2)
    _, moved = calendar_of(send(Purpose.RESCHEDULED, appointment), "REQUEST")
    appointment.cancel(now=BOOKED_AT, decided_by="clinic")
    appointment.save()
    _, cancelled = calendar_of(send(Purpose.CANCELLED, appointment), "CANCEL")
    assert moved["SEQUENCE"] == 2
    assert cancelled["SEQUENCE"] == 3


def test_a_booking_whose_link_cannot_be_made_points_to_the_confirmation(
    make_appointment: Callable[..., Appointment], send: Callable[[Purpose, Appointment], EmailMultiAlternatives]
) -> None:
    appointment = make_appointment(sequence=1, manage_nonce="")
    message = send(Purpose.RESCHEDULED, appointment)
    html = html_of(message)
    for part in (message.body, html):
        assert "has been moved" in part
        assert "with the link in your booking confirmation email" in part
        assert "None" not in part and "[[" not in part
    assert 'href=""' not in html
    _, event = calendar_of(message, "REQUEST")
    assert event["SEQUENCE"] == 1


def test_a_link_that_can_no_longer_be_derived_at_send_time_points_to_the_practice(
    make_appointment: Callable[..., Appointment], deliver: Callable[..., Report], settings: Settings
) -> None:
    appointment = make_appointment()
    with transaction.atomic():
        queue_booking_message(Purpose.CONFIRMATION, appointment)
    settings.SECRET_KEY = "rotated-" + "x" * 50  # the nonce now derives another token
    assert deliver().sent == 1
    [message] = mail.outbox
    assert "/p/tidewater/" in message.body and "/manage/" not in str(message.body)


@pytest.mark.parametrize("purpose", [Purpose.CONFIRMATION, Purpose.RESCHEDULED, Purpose.CANCELLED])
def test_no_clinical_content_ever_leaves_in_an_email(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    purpose: Purpose,
) -> None:
    """The privacy rule: the client's booking note is in no header, body, alternative or attachment."""
    appointment = make_appointment(note=NOTE)
    assert appointment.note == NOTE
    if purpose == Purpose.CANCELLED:
        appointment.status = Status.CANCELLED_CLINIC
        appointment.save()
    everything = everything_in(send(purpose, appointment)).lower()
    assert "migraine" not in everything
    assert "car accident" not in everything
    assert "cst session" in everything  # The check does see the message's real content.
    stored = str(Message.objects.values().get()).lower()
    assert "migraine" not in stored and "accident" not in stored
    assert Message.objects.get().status == State.SENT


@pytest.mark.parametrize(
    ("locale", "subject_day", "body_date"),
    [
        ("fr-FR", "sam. 4 juil.", "samedi 4 juillet 2026"),
        ("de-DE", "Sa., 4. Juli", "Samstag, 4. Juli 2026"),
        ("en-US", "Sat 4 Jul", "Saturday 4 July 2026"),
    ],
)
def test_emails_write_dates_in_the_practices_locale(
    make_appointment: Callable[..., Appointment],
    send: Callable[[Purpose, Appointment], EmailMultiAlternatives],
    locale: str,
    subject_day: str,
    body_date: str,
) -> None:
    appointment = make_appointment(start=datetime(2027, 1, 1, 0, 0, tzinfo=UTC) - timedelta(days=180))
    appointment.practice.locale, appointment.practice.clock_hours = locale, 24
    appointment.practice.save(update_fields=["locale", "clock_hours"])
    message = send(Purpose.CONFIRMATION, appointment)
    assert message.subject == f"Your appointment at Tidewater Craniosacral on {subject_day}, 20:00"
    assert f"{body_date}, 20:00–21:00 EDT" in message.body
