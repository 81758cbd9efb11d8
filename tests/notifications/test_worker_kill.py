"""Kill a real `longtide worker` process (SIGKILL) in the middle of sending, against a real SMTP
server on loopback, then start another: nothing is lost, and nothing is sent twice except the one
documented case (delivery.py: at-least-once).

The SMTP server stops answering at a chosen point of the third message's conversation, the test
kills the worker there, lets the claim's lease (2 s here) run out, and runs a fresh worker with
`--once`. Two points:

- before the server accepted the message (it waits in RCPT): the second worker sends it; the
  server holds every message exactly once;
- after the server accepted it (it waits before answering the end of DATA, as a real server that
  has already queued the message but whose 250 never reached the dying client): the second
  worker sends it again, so the server holds that one message twice — both copies with the same
  Message-ID — and every other message once.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection, transaction
from django.utils import timezone

from conftest import Cast
from longtide.notifications.models import Channel, Message, State
from longtide.notifications.outbox import NewMessage, queue

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
COUNT = 5
VICTIM = 2  # the third message is the one in flight when the worker dies
WAIT = 90.0
PRIVATE = ["@example.test", "Client Two", "secret-note"]


@dataclass
class StallingHandler:
    """Accepts mail like a server would, except that it stalls once on the victim's recipient,
    at `stage` ("rcpt": before accepting; "data": after accepting, before answering)."""

    stage: str
    victim: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    stalled: bool = False
    accepted: list[bytes] = field(default_factory=list)

    async def _stall(self, envelope_rcpts: list[str]) -> None:
        if not self.stalled and self.victim in envelope_rcpts:
            self.stalled = True
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.stage == "rcpt":
            await self._stall([address])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert envelope.original_content is not None
        self.accepted.append(envelope.original_content)
        if self.stage == "data":
            await self._stall(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class EphemeralPortController(Controller):
    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # aiosmtpd leaves it unannotated


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = quote(settings.get("USER") or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def start_worker(port: int, *args: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")}
    environment.update(
        DATABASE_URL=database_url(),
        EMAIL_URL=f"smtp://{LOOPBACK}:{port}",
        OUTBOX_LEASE_SECONDS="2",
        LOG_LEVEL="INFO",
    )
    return subprocess.Popen(
        # --development: this test's settings are not production's (no SECRET_KEY, local hosts).
        [sys.executable, "-m", "longtide.cli", "worker", "--development", "--poll", "0.1", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def recipient(i: int) -> str:
    return f"client{i}@example.test"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_only_what_the_server_had_accepted(
    cast: Cast, stage: str
) -> None:
    now = timezone.now()
    with transaction.atomic():
        queue(
            practice_id=cast.tidewater.pk,
            messages=[
                NewMessage(
                    purpose="test.kill",
                    channel=Channel.EMAIL,
                    recipient=recipient(i),
                    dedupe_key=f"kill-{i}",
                    subject=f"Message {i}",
                    body_text="Hello Client Two. Nothing clinical here.",
                    # Oldest first, so the worker sends them in this order.
                    send_after=now - timedelta(minutes=COUNT - i),
                )
                for i in range(COUNT)
            ],
        )
    handler = StallingHandler(stage=stage, victim=recipient(VICTIM))
    controller = EphemeralPortController(handler, hostname=LOOPBACK, port=0, server_hostname="localhost")
    controller.start()
    outputs: list[str] = []
    try:
        first = start_worker(controller.port)
        try:
            assert handler.reached.wait(WAIT), "the worker never reached the third message"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=WAIT)
        finally:
            if first.poll() is None:
                first.kill()
            if first.stdout:
                outputs.append(first.stdout.read())
                first.stdout.close()
        assert first.returncode == -signal.SIGKILL
        handler.release.set()

        victim = Message.objects.get(dedupe_key=f"kill-{VICTIM}")
        assert victim.status == State.SENDING  # the dead worker's claim
        assert victim.attempts == 1
        assert list(Message.objects.filter(status=State.SENT).values_list("dedupe_key", flat=True).order_by("id")) == [
            "kill-0",
            "kill-1",
        ]
        # Wait for the dead worker's lease to run out (a wait, not a timing assertion).
        deadline = time.monotonic() + WAIT
        while victim.lease_until is not None and timezone.now() <= victim.lease_until and time.monotonic() < deadline:
            time.sleep(0.2)

        second = start_worker(controller.port, "--once")
        out, _ = second.communicate(timeout=WAIT)
        outputs.append(out)
        assert second.returncode == 0, out
    finally:
        handler.release.set()
        controller.stop()

    rows = {m.dedupe_key: m for m in Message.objects.all()}
    assert {key: m.status for key, m in rows.items()} == {f"kill-{i}": State.SENT for i in range(COUNT)}
    assert rows[f"kill-{VICTIM}"].attempts == 2

    received = [email.message_from_bytes(data, policy=email.policy.default) for data in handler.accepted]
    per_recipient = Counter(str(m["To"]) for m in received)
    expected = {recipient(i): 1 for i in range(COUNT)}
    if stage == "data":
        expected[recipient(VICTIM)] = 2
        copies = [m for m in received if str(m["To"]) == recipient(VICTIM)]
        assert copies[0]["Message-ID"] == copies[1]["Message-ID"] == f"<{rows[f'kill-{VICTIM}'].uid}@longtide.invalid>"
    assert dict(per_recipient) == expected

    # The workers' own output (INFO and up) names messages by id, never by address or content.
    text = "\n".join(outputs)
    assert f"message {rows[f'kill-{VICTIM}'].pk} " in text
    for secret in PRIVATE:
        assert secret not in text
