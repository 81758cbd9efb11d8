"""The worker's delivery against a real SMTP server on loopback: sent, refused for good (5xx),
refused for now (4xx), unreachable — and no log line carrying an address, a name, a note or a link."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from icalendar import Calendar
from pytest_django import Settings
from time_machine import TimeMachineFixture

from longtide.notifications.delivery import MAX_ATTEMPTS, RETRY_DELAYS, Report
from longtide.notifications.models import Message, State
from longtide.scheduling.booking_messages import queue_booking_message
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment
from tests.notifications.conftest import SmtpServer

from .conftest import NOTE, smtp_mailers

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CLEO = "cleo@example.test"


@pytest.fixture(autouse=True)
def _clock(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def confirmation(make_appointment: Callable[..., Appointment]) -> Appointment:
    appointment = make_appointment(note=NOTE)
    with transaction.atomic():
        queue_booking_message(Purpose.CONFIRMATION, appointment)
    return appointment


@pytest.fixture
def our_logs(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """Every record from Longtide's and Django's loggers (aiosmtpd's own, standing in for a remote
    mail server, is not ours)."""
    caplog.set_level(logging.DEBUG)

    def records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.startswith(("longtide", "django", "py.warnings"))]

    return records


def assert_nothing_private_in(records: list[logging.LogRecord], appointment: Appointment) -> None:
    private: list[str | None] = [CLEO, "cleo", "Park", "igraine", "accident", token_for(appointment), "/manage/"]
    for record in records:
        text = record.getMessage() + (record.exc_text or "") + str(record.args)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        for secret in private:
            assert secret is not None
            assert secret.lower() not in text.lower(), f"{secret!r} in log line {text!r}"


def test_a_message_goes_over_smtp_intact_and_is_marked_sent(
    confirmation: Appointment,
    smtp_mailer: SmtpServer,
    deliver: Callable[..., Report],
    our_logs: Callable[[], list[logging.LogRecord]],
) -> None:
    report = deliver()

    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = smtp_mailer.collector.messages
    assert received.rcpt_tos == [CLEO]
    mime = email.message_from_bytes(received.data, policy=email.policy.default)
    assert isinstance(mime, EmailMessage)
    stored = Message.objects.get()
    assert mime["Message-ID"] == f"<{stored.uid}@longtide.invalid>"
    assert mime.get_content_type() == "multipart/mixed"
    text = mime.get_body(preferencelist=("plain",))
    html = mime.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert token_for(confirmation) in text.get_content()
    assert token_for(confirmation) in html.get_content()
    [attachment] = list(mime.iter_attachments())
    assert Calendar.from_ical(attachment.get_content())["METHOD"] == "REQUEST"
    assert b"igraine" not in received.data
    assert (stored.status, stored.attempts, stored.sent_at, stored.last_error) == (State.SENT, 1, NOW, "")
    assert stored.claimed_by == "" and stored.lease_until is None
    assert_nothing_private_in(our_logs(), confirmation)


def test_a_permanent_refusal_stops_at_once_and_shows_why(
    confirmation: Appointment,
    smtp_mailer: SmtpServer,
    deliver: Callable[..., Report],
    our_logs: Callable[[], list[logging.LogRecord]],
) -> None:
    smtp_mailer.collector.refuse[CLEO] = f"550 5.1.1 <{CLEO}>: Recipient address rejected: User unknown"

    report = deliver()

    assert (report.sent, report.failed, report.retrying) == (0, 1, 0)
    stored = Message.objects.get()
    assert stored.status == State.FAILED
    assert stored.attempts == 1
    assert stored.last_error.startswith("550 recipient refused")
    assert "User unknown" in stored.last_error
    assert CLEO not in stored.last_error  # staff see the address in its own column
    assert smtp_mailer.collector.messages == []
    assert deliver().claimed == 0  # nothing left to try, ever
    assert_nothing_private_in(our_logs(), confirmation)
    assert any("failed permanently (smtp 550 recipient refused)" in r.getMessage() for r in our_logs())


def test_a_permanent_refusal_of_the_message_itself_stops_at_once(
    confirmation: Appointment,
    smtp_mailer: SmtpServer,
    deliver: Callable[..., Report],
    our_logs: Callable[[], list[logging.LogRecord]],
    client: HttpClient,
) -> None:
    """A 5xx after DATA (content refused, e.g. as spam), which a server may word with the address."""
    smtp_mailer.collector.refuse_data = f"554 5.7.1 Message to {CLEO} rejected as spam"

    report = deliver()

    assert (report.sent, report.failed, report.retrying) == (0, 1, 0)
    stored = Message.objects.get()
    assert stored.status == State.FAILED and stored.attempts == 1
    assert stored.last_error == "554 5.7.1 Message to the recipient rejected as spam"
    assert deliver().claimed == 0
    assert_nothing_private_in(our_logs(), confirmation)
    assert any("failed permanently (smtp 554)" in r.getMessage() for r in our_logs())


def test_a_temporary_refusal_is_retried_with_back_off_then_sent(
    confirmation: Appointment,
    smtp_mailer: SmtpServer,
    deliver: Callable[..., Report],
    our_logs: Callable[[], list[logging.LogRecord]],
    time_machine: TimeMachineFixture,
) -> None:
    smtp_mailer.collector.refuse[CLEO] = "451 4.7.1 Greylisted, please try again later"

    assert deliver().retrying == 1
    stored = Message.objects.get()
    assert (stored.status, stored.attempts) == (State.PENDING, 1)
    assert stored.send_after == NOW + RETRY_DELAYS[0]
    assert stored.last_error.startswith("451 recipient refused")
    assert deliver().claimed == 0  # not due yet

    time_machine.move_to(NOW + RETRY_DELAYS[0], tick=False)
    assert deliver().retrying == 1
    stored.refresh_from_db()
    assert stored.send_after == NOW + RETRY_DELAYS[0] + RETRY_DELAYS[1]

    del smtp_mailer.collector.refuse[CLEO]
    time_machine.move_to(stored.send_after, tick=False)
    assert deliver().sent == 1
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.last_error) == (State.SENT, 3, "")
    assert len(smtp_mailer.collector.messages) == 1
    assert_nothing_private_in(our_logs(), confirmation)


def test_an_unreachable_server_is_a_temporary_failure(
    confirmation: Appointment,
    deliver: Callable[..., Report],
    settings: Settings,
    our_logs: Callable[[], list[logging.LogRecord]],
) -> None:
    settings.MAILERS = smtp_mailers(1)  # nothing listens on port 1: refused at once
    assert deliver().retrying == 1
    stored = Message.objects.get()
    assert (stored.status, stored.attempts) == (State.PENDING, 1)
    assert "refused the connection" in stored.last_error
    assert_nothing_private_in(our_logs(), confirmation)


def test_temporary_failures_give_up_after_the_last_attempt(
    confirmation: Appointment, deliver: Callable[..., Report], settings: Settings, time_machine: TimeMachineFixture
) -> None:
    settings.MAILERS = smtp_mailers(1)
    for _ in range(MAX_ATTEMPTS):
        stored = Message.objects.get()
        time_machine.move_to(stored.send_after, tick=False)
        assert deliver().claimed == 1
    stored = Message.objects.get()
    assert (stored.status, stored.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert stored.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts")
    total = stored.send_after - NOW
    assert timedelta(hours=20) < total < timedelta(hours=24)


def test_an_address_that_cannot_be_sent_to_fails_permanently(
    confirmation: Appointment, smtp_mailer: SmtpServer, deliver: Callable[..., Report]
) -> None:
    Message.objects.update(recipient="cleo@exa mple.test\r\nBcc: x@example.test")
    assert deliver().failed == 1
    stored = Message.objects.get()
    assert stored.last_error == "The email address is not valid."
    assert smtp_mailer.collector.messages == []


def test_one_connection_carries_a_batch(
    make_appointment: Callable[..., Appointment],
    smtp_mailer: SmtpServer,
    deliver: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smtplib

    opened: list[tuple[Any, ...]] = []
    real_init = smtplib.SMTP.__init__

    def counting_init(self: smtplib.SMTP, *args: Any, **kwargs: Any) -> None:
        opened.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "__init__", counting_init)
    for hour in range(5):
        appointment = make_appointment(start=datetime(2026, 12, 1, 14 + hour, tzinfo=UTC))
        with transaction.atomic():
            queue_booking_message(Purpose.CONFIRMATION, appointment)
    assert deliver().sent == 5
    assert len(smtp_mailer.collector.messages) == 5
    assert len(opened) == 1


@pytest.fixture
def greeting_refused() -> Iterator[int]:
    """A mail server on loopback that answers every connection with "554 ..." and hangs up: the
    server refuses service (overloaded, our address listed), not this message."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"554 5.7.1 Service unavailable; try later\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def test_a_server_that_refuses_the_connection_greeting_is_retried(
    confirmation: Appointment,
    deliver: Callable[..., Report],
    settings: Settings,
    greeting_refused: int,
    our_logs: Callable[[], list[logging.LogRecord]],
) -> None:
    settings.MAILERS = smtp_mailers(greeting_refused)
    result = deliver()
    assert (result.retrying, result.failed) == (1, 0)
    stored = Message.objects.get()
    assert (stored.status, stored.attempts) == (State.PENDING, 1)
    assert stored.last_error == "The mail server refused the connection (554 5.7.1 Service unavailable; try later)."
    assert stored.send_after > NOW
    assert_nothing_private_in(our_logs(), confirmation)
