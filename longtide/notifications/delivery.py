"""Delivery: claim due messages one at a time, send each, record how it went.

Claims are a compare-and-set on the row (Message.claim), so two workers never both send one
message. A claim is a lease: a worker that dies mid-send leaves the message `sending` until its
lease runs out, and then any worker takes it over and sends it again.

At-least-once, by choice. A worker killed after the mail server accepted a message but before
the worker recorded it cannot tell whether the message went; sending it again risks one
duplicate, not sending it risks a lost reminder or a client without their confirmation and
manage link. A duplicate is the lesser harm here, so such a message is sent again — with the same
Message-ID, so mail systems that deduplicate by it (Gmail among them) show it once. Only that
window (accepted by the server, not yet recorded) can produce a duplicate, at most one per crash;
a message whose worker died before the server accepted it is simply sent once, later. A message
whose sending stops its worker again and again is given up after MAX_ATTEMPTS (a poison message)
and shown to staff.

Temporary failures (a server that is down, busy or says 4xx) are retried with back-off;
permanent ones (a 5xx for the recipient, an address that cannot be sent to, a number that
replied STOP) stop at once and show in the practice's outbox. Log lines name messages by id and
failures by a short code: never an address, a name, a text or a token.

A message queued with `compose_at_send` is written by its subject's hooks right before its first
send (after the still-wanted check) and the text is stored on the row before it goes, so a retry
sends the same message and the outbox shows what was sent. A failure to write it is retried
like any unexpected error and, after MAX_ATTEMPTS, the message is marked failed with the reason.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation

from longtide.lib.tracebacks import bare_traceback
from longtide.notifications import links as link_placeholders
from longtide.notifications import subjects
from longtide.notifications.models import Channel, Message, SmsOptOut, State
from longtide.notifications.sms import sms_transport
from longtide.notifications.subjects import hooks_for
from longtide.notifications.transports import (
    DeliveryFailure,
    EmailTransport,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
)

log = logging.getLogger(__name__)

# Waits before the 2nd, 3rd, … attempt after a temporary failure: about 22 hours in all.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720)]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def lease() -> timedelta:
    """How long a claim holds: far longer than one send can take (mail and SMS time out at 10 s)."""
    return timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 300))


def worker_name() -> str:
    """Return a name for this worker process, unique enough to tell claims apart."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(slots=True)
class Report:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    withdrawn: int = 0
    lost: int = 0

    def add(self, other: Report) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Transports:
    """One open transport per channel for a batch, closed at its end."""

    def __init__(self) -> None:
        self._open: dict[str, Transport] = {}

    def for_channel(self, channel: str) -> Transport:
        if channel not in self._open:
            self._open[channel] = EmailTransport() if channel == Channel.EMAIL else sms_transport()
        return self._open[channel]

    def close(self) -> None:
        for transport in self._open.values():
            transport.close()
        self._open.clear()


def deliver_due(*, worker: str | None = None, limit: int = 50, transports: Transports | None = None) -> Report:
    """Send up to `limit` due messages (oldest first); return what happened to them."""
    worker = worker or worker_name()
    report = Report()
    candidates = list(
        Message.objects.claimable(timezone.now()).order_by("send_after", "id").values_list("pk", flat=True)[:limit]
    )
    own = transports is None
    transports = transports or Transports()
    try:
        for pk in candidates:
            # Claimed one at a time, just before sending, so a slow batch never holds the rest.
            if not Message.claim(pk, worker=worker, now=timezone.now(), lease=lease()):
                continue  # another worker won it
            report.claimed += 1
            _deliver(Message.objects.get(pk=pk), worker, transports, report)
    finally:
        if own:
            transports.close()
    return report


def _deliver(message: Message, worker: str, transports: Transports, report: Report) -> None:
    now = timezone.now()
    label = f"message {message.pk} ({message.purpose} by {message.channel})"
    if message.attempts > MAX_ATTEMPTS:
        _finish(message, worker, State.FAILED, report, label, now, error=_stopped_text(message))
        return
    reason = _unwanted_because(message, now)
    if reason:
        _finish(message, worker, State.WITHDRAWN, report, label, now, error=reason)
        return
    try:
        if message.compose_at_send:
            _compose(message, worker, label, now)
        outgoing = _prepare(message)
        provider_id = transports.for_channel(message.channel).send(outgoing)
    except PermanentFailure as failure:
        _finish(message, worker, State.FAILED, report, label, now, failure=failure)
    except TemporaryFailure as failure:
        _retry_or_give_up(message, worker, report, label, failure)
    except Exception as error:
        # A bug, not the server: retried like a temporary failure, logged without the exception's
        # message (which may hold the address or the text).
        log.error("%s: unexpected error while sending: %s", label, bare_traceback(error))
        unexpected = TemporaryFailure(type(error).__name__, f"Unexpected error ({type(error).__name__}).")
        _retry_or_give_up(message, worker, report, label, unexpected)
    else:
        _finish(message, worker, State.SENT, report, label, timezone.now(), provider_id=provider_id)


def _stopped_text(message: Message) -> str:
    return f"Given up after {message.attempts - 1} attempts; the last one stopped while sending."


def _unwanted_because(message: Message, now: datetime) -> str | None:
    if message.expires_at is not None and now >= message.expires_at:
        return "Not sent: its time had passed."
    return subjects.unwanted_because(message, now)


def _compose(message: Message, worker: str, label: str, now: datetime) -> None:
    """Write a message queued without its text (subjects.py `compose`) and store the text on its row."""
    hooks = hooks_for(message)
    if hooks is None or hooks.compose is None:
        raise PermanentFailure("not composable", "Nothing can write this kind of message.")
    try:
        # The site's language, as in the request that queued it (messages are never in a visitor's).
        with translation.override(settings.LANGUAGE_CODE):
            composed = hooks.compose(message, now)
    except Exception as error:
        # Logged by type and place only: the exception's message may hold data from a row.
        log.error("%s: could not be composed: %s", label, bare_traceback(error))
        raise TemporaryFailure(
            "compose failed", f"The message could not be written ({type(error).__name__}); it is tried again."
        ) from None
    if composed is None:
        raise PermanentFailure("subject gone", "Not sent: what it is about no longer exists.")
    fields: dict[str, object] = {
        "subject": composed.subject,
        "body_text": composed.text,
        "body_html": composed.html,
        "attachments": list(composed.attachments),
        "reply_to": composed.reply_to,
        "compose_at_send": False,
    }
    # Only while this worker holds the claim; a worker that lost it finds out when it finishes.
    Message.objects.filter(pk=message.pk, status=State.SENDING, claimed_by=worker).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)


def _prepare(message: Message) -> Outgoing:
    """Fill in the private links and check the recipient may be sent to on this channel."""
    if message.channel == Channel.SMS and SmsOptOut.objects.filter(number=message.recipient).exists():
        raise PermanentFailure("opted out", "This number replied STOP: no text messages are sent to it.")
    hooks = hooks_for(message)
    urls = dict(hooks.links(message)) if hooks else {}
    wanted = link_placeholders.names_in(message.body_text) | link_placeholders.names_in(message.body_html)
    if wanted - urls.keys():
        raise PermanentFailure("link missing", "A link in this message could not be made.")
    attachments = tuple(
        (item["filename"], link_placeholders.fill(item["content"], urls), item["mimetype"])
        for item in message.attachments
    )
    return Outgoing(
        uid=message.uid,
        recipient=message.recipient,
        subject=message.subject,
        text=link_placeholders.fill(message.body_text, urls),
        html=link_placeholders.fill(message.body_html, urls, escape=True),
        reply_to=message.reply_to,
        attachments=attachments,
    )


def _retry_or_give_up(message: Message, worker: str, report: Report, label: str, failure: DeliveryFailure) -> None:
    now = timezone.now()
    if message.attempts >= MAX_ATTEMPTS:
        detail = f"Gave up after {message.attempts} attempts. Last error: {failure.detail}"
        _finish(message, worker, State.FAILED, report, label, now, error=detail, code=failure.code)
        return
    retry_at = now + RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    if message.expires_at is not None and retry_at >= message.expires_at:
        detail = f"Not sent: its time passed before the next try. Last error: {failure.detail}"
        _finish(message, worker, State.WITHDRAWN, report, label, now, error=detail, code=failure.code)
        return
    if message.finish(worker=worker, status=State.PENDING, now=now, error=failure.detail, retry_at=retry_at):
        report.retrying += 1
        log.warning(
            "%s: temporary failure (%s), attempt %s; next try at %s",
            label,
            failure.code,
            message.attempts,
            retry_at.isoformat(timespec="seconds"),
        )
    else:
        _lost(label, report)


def _finish(
    message: Message,
    worker: str,
    status: State,
    report: Report,
    label: str,
    now: datetime,
    *,
    failure: DeliveryFailure | None = None,
    error: str = "",
    code: str = "",
    provider_id: str = "",
) -> None:
    if failure is not None:
        error, code = failure.detail, failure.code
    if not message.finish(worker=worker, status=status, now=now, error=error, provider_id=provider_id):
        _lost(label, report)
        return
    if status == State.SENT:
        report.sent += 1
        log.info("%s sent (attempt %s)", label, message.attempts)
    elif status == State.FAILED:
        report.failed += 1
        log.warning("%s failed permanently (%s), attempt %s", label, code or "given up", message.attempts)
    else:
        report.withdrawn += 1
        log.info("%s withdrawn", label)


def _lost(label: str, report: Report) -> None:
    report.lost += 1
    log.warning("%s: this worker's claim ran out and another worker took the message over", label)
