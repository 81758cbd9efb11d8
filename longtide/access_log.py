"""gunicorn's access log without secrets: `longtide serve` writes one line per request with no query
string, the path's tokens and addresses redacted (lib/log_redaction.py), and no header but the
user agent (docs/security.md, "Logs").

A query string can hold a client's email address (a search) or a token, and a path a manage-link,
intake, waitlist or calendar-feed token; neither belongs in a log file an operator keeps for weeks.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from longtide.lib.log_redaction import redact

# Remote address, time, method, path (no query), protocol, status, bytes, milliseconds, user agent.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def _without_query(text: str) -> str:
    return text.split("?", 1)[0]


class RedactedAccessLogger(Logger):  # type: ignore[misc]
    """Every atom a format can name is cleaned, so an operator's own access_log_format leaks nothing either."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = redact(str(environ.get("PATH_INFO") or ""))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        atoms["f"] = redact(_without_query(str(atoms.get("f", "-"))))
        atoms["a"] = redact(str(atoms.get("a", "-")))
        # Request and response headers ({name}i, {name}o) and the WSGI environ ({name}e) can carry
        # cookies, tokens and the raw query string: none are logged.
        return {key: value for key, value in atoms.items() if not key.startswith("{")}
