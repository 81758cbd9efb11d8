"""The request to confirm and the waitlist offer are written by the worker right before sending
(booking_messages.COMPOSED_AT_SEND), not in the booking's request: the booking only inserts the
outbox row. What the client receives is what the booking used to compose; what changed in between
(the practice's name, clock, wording; a visit no longer held) is what the client reads or, for a
visit no longer waiting, nothing is sent. A failure to write follows the outbox's retry rules."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Cast, without_random_keys
from longtide.notifications import delivery, subjects
from longtide.notifications.compose import save_wording
from longtide.notifications.delivery import Report
from longtide.notifications.links import fill
from longtide.notifications.models import Channel, Message, State
from longtide.notifications.outbox import resend
from longtide.scheduling import booking_messages
from longtide.scheduling.booking import Booked, ClientDetails, book_appointment
from longtide.scheduling.booking_messages import links, new_message
from longtide.scheduling.message_texts import Purpose, kind_for
from longtide.scheduling.models import Appointment, Source, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def book(cast: Cast, email: str = "cleo.new@example.test") -> Booked:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=TEN,
        client=ClientDetails("Cleo", "Park", email),
        source=Source.ONLINE,
        client_address="203.0.113.9",
    )


def sent_one(deliver: Callable[..., Report]) -> EmailMultiAlternatives:
    before = len(mail.outbox)
    report = deliver()
    assert (report.sent, len(mail.outbox)) == (1, before + 1), report
    message = mail.outbox[-1]
    assert isinstance(message, EmailMultiAlternatives)
    return message


def test_the_booking_queues_an_unwritten_row_and_reads_no_wording(tidewater_details: Cast) -> None:
    cast = tidewater_details
    with CaptureQueriesContext(connection) as ctx:
        booked = book(cast)
    assert not any("notifications_messagetemplate" in q["sql"] for q in ctx.captured_queries), (
        "the booking reads the practice's wording: the email is composed in the request again"
    )
    row = Message.objects.get(about=f"appointment:{booked.appointment.pk}")
    assert (row.purpose, row.channel, row.recipient, row.status) == (
        Purpose.REQUEST,
        Channel.EMAIL,
        "cleo.new@example.test",
        State.PENDING,
    )
    assert row.compose_at_send
    assert (row.subject, row.body_text, row.body_html, row.attachments) == ("", "", "", [])


def test_the_delivered_request_is_byte_for_byte_what_the_booking_used_to_compose(
    tidewater_details: Cast, deliver: Callable[..., Report]
) -> None:
    cast = tidewater_details
    booked = book(cast)
    appointment = Appointment.objects.get(pk=booked.appointment.pk)
    # The composition the booking made before (in its request, with its `now`).
    old = new_message(appointment, Purpose.REQUEST, now=NOW, compose_now=True)
    assert old is not None and not old.compose_at_send and old.body_text
    row = Message.objects.get(about=f"appointment:{appointment.pk}")
    urls = links(row)
    token = booked.manage_token
    assert token and token in urls["manage_url"]

    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):  # the worker, a little later
        email = sent_one(deliver)

    assert email.subject == old.subject
    assert email.body == fill(old.body_text, urls)
    [(html, mimetype)] = email.alternatives
    assert (html, mimetype) == (fill(old.body_html, urls, escape=True), "text/html")
    assert email.to == [old.recipient]
    assert email.reply_to == [old.reply_to] == ["hello@tidewater.test"]
    assert email.attachments == []
    # What was sent is stored (links as placeholders, never the token), so a retry or a resend
    # sends the same message and the outbox shows it.
    row.refresh_from_db()
    assert not row.compose_at_send
    assert (row.subject, row.body_text, row.body_html, row.reply_to) == (
        old.subject,
        old.body_text,
        old.body_html,
        old.reply_to,
    )
    assert "[[manage_url]]" in row.body_text
    stored = " ".join(str(value) for value in Message.objects.filter(pk=row.pk).values().get().values())
    assert token not in stored
    copy = resend(message=row, by=None, key="again-1")
    assert (copy.compose_at_send, copy.body_text) == (False, old.body_text)


def test_what_changed_before_sending_is_what_the_client_reads(
    tidewater_details: Cast, deliver: Callable[..., Report]
) -> None:
    cast = tidewater_details
    book(cast)
    cast.tidewater.name = "Tidewater Bodywork"
    cast.tidewater.clock_hours = 24
    cast.tidewater.phone = "+1 207 555 0199"
    cast.tidewater.save()
    kind = kind_for(Purpose.REQUEST, Channel.EMAIL)
    save_wording(
        practice_id=cast.tidewater.pk,
        kind=kind,
        subject="Confirm your visit at {{ practice_name }} on {{ when }}",
        body="Hello,\n\n{{ details }}\n\nConfirm here: {{ manage_url }}\nHeld until {{ hold_until }}.\n\n{{ contact }}",
        by=None,
    )
    email = sent_one(deliver)
    assert email.subject == "Confirm your visit at Tidewater Bodywork on Wed 2 Dec, 10:00"
    # Not in the link's random key: it may hold the letters "AM" (as one held "PM", CI of 3f0fc9d)
    shown = without_random_keys(str(email.body))
    assert "10:00–11:00 EST" in email.body and "AM" not in shown
    assert "+1 207 555 0199" in email.body and "0142" not in shown
    assert "Tidewater Craniosacral" not in email.body
    assert "Held until Tue 1 Dec, " in email.body


@pytest.mark.parametrize("status", [Status.EXPIRED, Status.CANCELLED_CLINIC])
def test_a_request_for_a_visit_no_longer_held_is_withdrawn_unwritten(
    tidewater_details: Cast, deliver: Callable[..., Report], status: Status
) -> None:
    booked = book(tidewater_details)
    Appointment.objects.filter(pk=booked.appointment.pk).update(status=status)
    report = deliver()
    assert (report.withdrawn, report.sent, len(mail.outbox)) == (1, 0, 0)
    row = Message.objects.get(about=f"appointment:{booked.appointment.pk}")
    assert row.status == State.WITHDRAWN
    assert row.body_text == "" and row.compose_at_send


def test_a_failure_to_write_is_retried_then_given_up_and_logged_without_data(
    tidewater_details: Cast,
    deliver: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    booked = book(tidewater_details)

    detail = "Cleo Park"  # data from a row, in the exception's message

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(detail)

    monkeypatch.setattr(booking_messages, "_content", broken)
    caplog.set_level(logging.INFO)
    report = deliver()
    assert (report.retrying, report.sent, len(mail.outbox)) == (1, 0, 0)
    row = Message.objects.get(about=f"appointment:{booked.appointment.pk}")
    assert (row.status, row.attempts, row.compose_at_send) == (State.PENDING, 1, True)
    assert row.last_error == "The message could not be written (RuntimeError); it is tried again."
    assert row.send_after > NOW
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"message {row.pk} (booking.request by email): could not be composed" in logged
    assert "compose failed" in logged
    assert "Cleo" not in logged and "Park" not in logged

    # The last allowed attempt fails too: given up, shown as failed, never silently dropped.
    Message.objects.filter(pk=row.pk).update(attempts=delivery.MAX_ATTEMPTS - 1, send_after=NOW)
    report = deliver()
    assert report.failed == 1
    row.refresh_from_db()
    assert row.status == State.FAILED
    assert row.last_error.startswith(f"Gave up after {delivery.MAX_ATTEMPTS} attempts.")

    # Mended, a resend of the failed message is written and sent.
    monkeypatch.undo()
    copy = resend(message=row, by=None, key="mended-1")
    assert copy.compose_at_send
    email = sent_one(deliver)
    assert email.subject.startswith("Please confirm your booking at Tidewater Craniosacral")


def test_a_visit_gone_before_writing_fails_the_message_plainly(
    tidewater_details: Cast, deliver: Callable[..., Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    booked = book(tidewater_details)
    # Still wanted by the check (say, deleted between the check and the writing).
    monkeypatch.setattr(subjects, "unwanted_because", lambda message, now: None)
    Appointment.objects.filter(pk=booked.appointment.pk).delete()
    report = deliver()
    assert report.failed == 1
    row = Message.objects.get(about=f"appointment:{booked.appointment.pk}")
    assert (row.status, row.last_error) == (State.FAILED, "Not sent: what it is about no longer exists.")
