"""Fixtures for the notification tests: an appointment for cleo with ana at Tidewater, made directly;
a real SMTP server on loopback (aiosmtpd) that can refuse chosen recipients; running the worker.

- `make_appointment(start=..., note=..., **fields)`: an Appointment row, no messages.
- `smtp_server`: aiosmtpd on 127.0.0.1, an OS-chosen port; `.collector.messages` holds what it
  accepted, `.collector.refuse[address] = "550 5.1.1 ..."` makes it refuse a recipient,
  `.collector.refuse_data = "554 ..."` every message at DATA.
- `smtp_mailer`: `smtp_server`, with Django's default mailer pointed at it.
- `deliver()`: one run of the worker's delivery (`deliver_due`), in this process.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django import Settings

from conftest import Cast

if TYPE_CHECKING:
    from longtide.notifications.delivery import Report
    from longtide.scheduling.models import Appointment

# 10:00–11:00 in New York (EST, UTC−5) on Tuesday 1 December 2026.
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NOTE = "Migraines since March, worse after the car accident."
LOOPBACK = "127.0.0.1"


@pytest.fixture
def tidewater_details(cast: Cast) -> Cast:
    """Give Tidewater a contact address and its location a street address."""
    cast.tidewater.email = "hello@tidewater.test"
    cast.tidewater.phone = "+1 207 555 0142"
    cast.tidewater.save()
    cast.location.address = "12 Wharf Street"
    cast.location.city = "Portland"
    cast.location.region = "ME"
    cast.location.postal_code = "04101"
    cast.location.country = "US"
    cast.location.save()
    return cast


@pytest.fixture
def make_appointment(tidewater_details: Cast) -> Callable[..., Appointment]:
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment

    cast = tidewater_details

    def make(*, start: datetime = START, minutes: int = 60, note: str = NOTE, **fields: object) -> Appointment:
        end = start + timedelta(minutes=minutes)
        nonce = new_nonce()
        values: dict[str, object] = {
            "manage_token_hash": hash_token(token_from_nonce(nonce)),
            "manage_nonce": nonce,
            "client": cast.cleo,
        }
        values.update(fields)
        return Appointment.objects.create(
            practice=cast.tidewater,
            location=cast.location,
            service=cast.session,
            practitioner=cast.ana,
            room=cast.willow,
            start=start,
            end=end,
            blocked_start=start,
            blocked_end=end,
            note=note,
            **values,
        )

    return make


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Collector:
    """aiosmtpd handler that keeps every message it accepts and refuses the recipients in `refuse`."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_data: str = ""  # e.g. "554 5.7.1 ...": refuse every message at DATA

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data:
            return self.refuse_data
        assert envelope.original_content is not None
        self.messages.append(
            Received(
                mail_from=str(envelope.mail_from), rcpt_tos=list(envelope.rcpt_tos), data=envelope.original_content
            )
        )
        return "250 Message accepted for delivery"


class EphemeralPortController(Controller):
    """A Controller bound to port 0: the OS picks a free port, read back before the first connection."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # aiosmtpd leaves it unannotated


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


def smtp_mailers(port: int) -> dict[str, object]:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": LOOPBACK, "port": port, "use_tls": False, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_mailer(smtp_server: SmtpServer, settings: Settings) -> SmtpServer:
    # Django's test environment replaced every mailer with locmem when the session started;
    # this override, made inside the test, points the default mailer at the real server.
    settings.MAILERS = smtp_mailers(smtp_server.port)
    return smtp_server


@pytest.fixture
def deliver() -> Callable[..., Report]:
    from longtide.notifications.delivery import deliver_due

    def run(**options: Any) -> Report:
        return deliver_due(worker=options.pop("worker", f"test-{secrets.token_hex(2)}"), **options)

    return run
