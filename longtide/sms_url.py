"""Turn SMS_URL into the SMS setting (Django-free).

twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=%2B12075550100
twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?messaging_service=MGxxxxxxxx
twilio+http://SID:TOKEN@127.0.0.1:8765?from=%2B12075550100   (a local fake of the API, tests only)
console      print texts instead of sending them (the default in development and the demo)
locmem       keep them in memory (tests)
off          no texts (the default in production: clients who chose texts get none)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _number(raw: str) -> str:
    # A "+" in a query string reads as a space unless written %2B; accept both.
    digits = raw.strip().lstrip("+")
    if not digits.isdigit():
        raise ValueError(f"SMS_URL: from= must be a phone number in E.164 form, e.g. %2B12075550100, not {raw!r}")
    return f"+{digits}"


def sms_settings(url: str, *, production: bool) -> dict[str, Any]:
    """Return the SMS setting for an SMS_URL (see the module's docstring for the forms)."""
    if not url:
        return {"BACKEND": "off" if production else "console"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower() or url.strip().lower()
    if scheme in {"console", "locmem", "off"}:
        return {"BACKEND": scheme}
    if scheme not in {"twilio", "twilio+http"}:
        raise ValueError(f"SMS_URL scheme must be twilio, console, locmem or off, not {scheme!r}")
    host = parts.hostname or ""
    if scheme == "twilio+http" and host not in LOOPBACK:
        raise ValueError("SMS_URL: twilio+http is only for a local fake of the API on a loopback address")
    if not parts.username or not parts.password:
        raise ValueError("SMS_URL needs the account SID and auth token: twilio://SID:TOKEN@api.twilio.com?from=...")
    query = dict(parse_qsl(parts.query))
    config: dict[str, Any] = {
        "BACKEND": "twilio",
        "ACCOUNT_SID": unquote(parts.username),
        "AUTH_TOKEN": unquote(parts.password),
        "BASE_URL": f"{'http' if scheme == 'twilio+http' else 'https'}://{parts.netloc.rpartition('@')[2]}",
    }
    if "messaging_service" in query:
        config["MESSAGING_SERVICE_SID"] = query["messaging_service"]
    elif "from" in query:
        config["FROM"] = _number(query["from"])
    else:
        raise ValueError("SMS_URL needs ?from=%2B<sender number> or ?messaging_service=<MG...>")
    return config
