"""A booking confirmation sent over real SMTP to a local aiosmtpd server, and read back as mail."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from icalendar import Calendar

from longtide.notifications.booking_emails import send_booking_confirmation

LOOPBACK = "127.0.0.1"
MANAGE_URL = "https://clinic.example.test/p/tidewater/manage/Zm9vYmFy/"
NOTE = "Migraines since March, worse after the car accident."


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Collector:
    """aiosmtpd handler that keeps every message it is given."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(
            Received(
                mail_from=envelope.mail_from,  # type: ignore[attr-defined]
                rcpt_tos=list(envelope.rcpt_tos),  # type: ignore[attr-defined]
                data=envelope.original_content,  # type: ignore[attr-defined]
            )
        )
        return "250 Message accepted for delivery"


class EphemeralPortController(Controller):
    """A Controller bound to port 0: the OS picks a free port, read back before the first connection."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    port: int
    collector: Collector


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    controller = EphemeralPortController(collector, hostname=LOOPBACK, port=0, server_hostname="localhost")
    controller.start()
    try:
        assert controller.port != 0
        yield SmtpServer(port=controller.port, collector=collector)
    finally:
        controller.stop()


@pytest.fixture
def smtp_mailer(smtp_server: SmtpServer, settings) -> SmtpServer:
    # Django's test environment replaced every mailer with locmem when the session started;
    # this override, made inside the test, points the default mailer at the real server.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": LOOPBACK, "port": smtp_server.port, "use_tls": False, "timeout": 5},
        }
    }
    return smtp_server


def test_a_confirmation_arrives_over_smtp_intact(make_appointment, smtp_mailer: SmtpServer, settings) -> None:
    settings.DEFAULT_FROM_EMAIL = "Tidewater via Longtide <bookings@longtide.test>"
    outbox_before = len(getattr(mail, "outbox", []))
    # A month ahead at 15:00 UTC: mid-morning in New York, far from any clock change at night.
    start = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=30)
    appointment = make_appointment(start=start, note=NOTE)
    local_start = appointment.start.astimezone(appointment.location.zone)

    send_booking_confirmation(appointment, MANAGE_URL)

    assert len(getattr(mail, "outbox", [])) == outbox_before, "the message went to locmem, not SMTP"
    [received] = smtp_mailer.collector.messages
    assert received.mail_from == "bookings@longtide.test"
    assert received.rcpt_tos == ["cleo@example.test"]
    assert NOTE.encode() not in received.data and b"igraine" not in received.data

    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == (
        f"Your appointment at Tidewater Craniosacral on {local_start:%a} {local_start.day} {local_start:%b}, "
        f"{local_start:%H:%M}"
    )
    assert parseaddr(message["From"]) == ("Tidewater via Longtide", "bookings@longtide.test")
    assert message["To"] == "cleo@example.test"
    assert message["Reply-To"] == "hello@tidewater.test"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/mixed"

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    text_body, html_body = text.get_content(), html.get_content()
    for body in (text_body, html_body):
        assert "Tidewater Craniosacral" in body
        assert "Ana Silva, RCST" in body
        assert f"{local_start:%H:%M}–" in body
        assert local_start.tzname() in body
        assert MANAGE_URL in body
        assert "24 hours before the start" in body
        assert "igraine" not in body

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "appointment.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == f"appointment-{appointment.pk}@tidewater.longtide"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == appointment.start
    assert event.decoded("DTEND") == appointment.end
    assert "igraine" not in attachment.get_content()
