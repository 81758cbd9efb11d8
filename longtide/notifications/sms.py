"""Text messages: the Twilio adapter (its Messages API over HTTPS), a console transport for the demo,
an in-memory one for tests, and the check of Twilio's signature on the webhooks it calls.

Configured by SMS_URL (longtide/sms_url.py). One sender per deployment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from collections.abc import Iterable
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

from longtide.notifications.transports import Outgoing, PermanentFailure, TemporaryFailure, redact

# Messages kept by the locmem transport (tests read and clear it).
outbox: list[Outgoing] = []

TIMEOUT_SECONDS = 10

# The GSM 03.38 alphabet: texts written only in it fit 160 characters a part (153 when split);
# anything else (most emoji, many scripts) sends as UCS-2, 70 a part (67 when split).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")


_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "})


def gsm_friendly(text: str) -> str:
    """Replace typographic punctuation (dashes, curly quotes) that would make a text UCS-2, which
    fits 70 characters a part instead of 160."""
    return text.translate(_PLAIN)


def segments(text: str) -> tuple[int, str]:
    """Return how many parts a text is sent in, and its encoding ("GSM-7" or "UCS-2")."""
    if all(char in _GSM7 or char in _GSM7_EXTENDED for char in text):
        length = len(text) + sum(1 for char in text if char in _GSM7_EXTENDED)
        return (1 if length <= 160 else -(-length // 153)), "GSM-7"
    length = len(text.encode("utf-16-le")) // 2
    return (1 if length <= 70 else -(-length // 67)), "UCS-2"


class ConsoleSms:
    """Print each text instead of sending it (development and the demo)."""

    def send(self, message: Outgoing) -> str:
        print(
            f"--- Text message to {message.recipient} (printed, not sent) ---\n{message.text}\n---",
            file=sys.stdout,
            flush=True,
        )
        return ""

    def close(self) -> None:
        pass


class LocmemSms:
    """Keep each text in `outbox` (tests)."""

    def send(self, message: Outgoing) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"

    def close(self) -> None:
        pass


class NoSms:
    """No SMS provider is configured: every text fails permanently, and staff see why."""

    def send(self, message: Outgoing) -> str:
        raise PermanentFailure("sms off", "Text messages are not set up on this server (SMS_URL).")

    def close(self) -> None:
        pass


class TwilioSms:
    """Twilio's Messages API: a form-encoded POST with HTTP basic auth (account SID, auth token)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.sid = config["ACCOUNT_SID"]
        self.token = config["AUTH_TOKEN"]
        self.sender = {"From": config["FROM"]} if "FROM" in config else {}
        if "MESSAGING_SERVICE_SID" in config:
            self.sender = {"MessagingServiceSid": config["MESSAGING_SERVICE_SID"]}
        self.url = f"{config['BASE_URL']}/2010-04-01/Accounts/{self.sid}/Messages.json"

    def send(self, message: Outgoing) -> str:
        form = urlencode({"To": message.recipient, **self.sender, "Body": message.text}).encode()
        credentials = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        request = Request(  # noqa: S310  (the URL is built from SMS_URL's https or loopback base)
            self.url,
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except HTTPError as error:
            raise self._failure(error, message.recipient) from None
        except (URLError, TimeoutError, OSError) as error:
            raise TemporaryFailure(
                "sms connection", f"Could not reach the SMS provider ({type(error).__name__})."
            ) from None
        return str(answer.get("sid", ""))[:64]

    def _failure(self, error: HTTPError, recipient: str) -> TemporaryFailure | PermanentFailure:
        status = error.code
        try:
            answer = json.loads(error.read() or b"{}")
        except (ValueError, OSError):
            answer = {}
        code = answer.get("code") if isinstance(answer, dict) else None
        text = redact(str(answer.get("message", "")) if isinstance(answer, dict) else "", recipient)
        label = f"twilio {code}" if code else f"twilio http {status}"
        if status == 429 or status >= 500:
            return TemporaryFailure(label, f"The SMS provider is busy or down ({status}). {text}".strip())
        if status in (401, 403):
            # Our credentials, not this message: keep texts queued until an operator fixes SMS_URL.
            return TemporaryFailure(label, "The SMS provider refused our credentials (check SMS_URL).")
        # 400 and friends: this message cannot go (a number that is not valid, not a mobile, opted out).
        return PermanentFailure(label, f"The SMS provider refused this text ({code or status}). {text}".strip())

    def close(self) -> None:
        pass


def sms_transport() -> ConsoleSms | LocmemSms | NoSms | TwilioSms:
    """Return the transport SMS_URL configures."""
    config: dict[str, Any] = getattr(settings, "SMS", {"BACKEND": "off"})
    backend = config.get("BACKEND", "off")
    if backend == "twilio":
        return TwilioSms(config)
    if backend == "console":
        return ConsoleSms()
    if backend == "locmem":
        return LocmemSms()
    return NoSms()


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Return Twilio's X-Twilio-Signature for a form POST to `url`: base64(HMAC-SHA1(auth token,
    url + each parameter's name and value, sorted by name, with no separators))."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(signature: str, url: str, params: Iterable[tuple[str, str]]) -> bool:
    """Return whether a webhook's signature is Twilio's for this deployment (constant-time compare)."""
    config: dict[str, Any] = getattr(settings, "SMS", {})
    token = config.get("AUTH_TOKEN", "")
    if config.get("BACKEND") != "twilio" or not token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(token, url, params).encode(), signature.encode())
