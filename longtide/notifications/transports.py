"""Transports: how a message leaves. One interface, one implementation per channel.

A transport sends one prepared message and either returns (sent; maybe with the provider's id)
or raises TemporaryFailure (worth another try later: the server is down, busy, or refused for
now) or PermanentFailure (another try cannot help: the address does not exist, the number opted
out). Each failure carries a short `code` that is safe to log (no address, no server text) and a
`detail` for staff, with the recipient's address taken out.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready to go: placeholders filled, nothing left to decide."""

    uid: str
    recipient: str
    text: str
    subject: str = ""
    html: str = ""
    reply_to: str = ""
    attachments: tuple[tuple[str, str, str], ...] = field(default=())  # (filename, content, mimetype)


class DeliveryFailure(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail or code


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later."""


class PermanentFailure(DeliveryFailure):
    """Trying again cannot help; staff need to know."""


class Transport(Protocol):
    def send(self, message: Outgoing) -> str:
        """Send the message; return the provider's id for it, or ""."""
        ...

    def close(self) -> None: ...


def redact(text: str, recipient: str) -> str:
    """Return a server's message without the recipient's address in it."""
    if recipient:
        lowered, needle = text.lower(), recipient.lower()
        while needle in lowered:
            at = lowered.index(needle)
            text = text[:at] + "the recipient" + text[at + len(needle) :]
            lowered = text.lower()
    return " ".join(text.split())[:200]


def _server_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def classify_smtp_error(error: Exception, recipient: str) -> DeliveryFailure:
    """Sort an SMTP error into temporary (4xx, connection trouble including a refused greeting, bad
    credentials) or permanent (5xx
    about this message or its recipient, or an address that cannot be sent to at all)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, raw = next(iter(error.recipients.values()), (550, b""))
        detail = redact(f"{code} recipient refused: {_server_text(raw)}", recipient)
        return (PermanentFailure if code >= 500 else TemporaryFailure)(f"smtp {code} recipient refused", detail)
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused | smtplib.SMTPNotSupportedError):
        # The server's settings or ours (login, sender address, TLS), not this message: every message
        # would fail alike, so keep them queued and retrying until an operator fixes it.
        status = getattr(error, "smtp_code", 0)
        name = type(error).__name__.removeprefix("SMTP")
        said = _server_text(getattr(error, "smtp_error", b""))
        return TemporaryFailure(f"smtp {status} {name}", redact(f"{status} {name}: {said}", recipient))
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        # The server refused the connection or our greeting (overloaded, our address listed, a
        # wrong port): about the server, not this message, so it is tried again later.
        said = _server_text(error.smtp_error)
        return TemporaryFailure(
            f"smtp {error.smtp_code} connect",
            redact(f"The mail server refused the connection ({error.smtp_code} {said}).", recipient),
        )
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        detail = redact(f"{code} {_server_text(error.smtp_error)}", recipient)
        return (PermanentFailure if code >= 500 else TemporaryFailure)(f"smtp {code}", detail)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TemporaryFailure("smtp disconnected", "The mail server closed the connection.")
    if isinstance(error, ConnectionRefusedError):
        return TemporaryFailure("connection refused", "The mail server refused the connection.")
    if isinstance(error, TimeoutError | socket.timeout):
        return TemporaryFailure("timeout", "The mail server did not answer in time.")
    if isinstance(error, socket.gaierror):
        return TemporaryFailure("dns", "The mail server's name could not be looked up.")
    if isinstance(error, OSError | smtplib.SMTPException):
        return TemporaryFailure(type(error).__name__, f"Could not reach the mail server ({type(error).__name__}).")
    raise error


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "longtide.invalid"


class EmailTransport:
    """Email through Django's default mailer (MAILERS, from EMAIL_URL): SMTP in production.

    One connection serves a whole batch; it is dropped after a connection-level failure so the
    next message opens a fresh one. The Message-ID is the same for every attempt at a message.
    """

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None

    def _connection(self) -> BaseEmailBackend:
        if self._backend is None:
            self._backend = mailers.default
            self._backend.open()
        return self._backend

    def send(self, message: Outgoing) -> str:
        if "\n" in message.recipient or "\r" in message.recipient or "@" not in message.recipient:
            raise PermanentFailure("bad address", "The email address is not valid.")
        message_id = f"<{message.uid}@{_domain()}>"
        email = EmailMultiAlternatives(
            subject=" ".join(message.subject.split()),
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            reply_to=[message.reply_to] if message.reply_to else None,
            # RFC 3834: an automatic message, so out-of-office replies are not sent back. A stable
            # Message-ID lets mail systems that deduplicate by it show a crash-repeated copy once.
            headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        for filename, content, mimetype in message.attachments:
            email.attach(filename, content, mimetype)
        try:
            self._connection().send_messages([email])
        except ValueError:  # Django's address parser: not an address it can send to
            raise PermanentFailure("bad address", "The email address is not valid.") from None
        except (smtplib.SMTPException, OSError) as error:
            failure = classify_smtp_error(error, message.recipient)
            if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                self.close()
            raise failure from None
        return message_id

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                backend.close()
