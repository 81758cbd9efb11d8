"""Turn EMAIL_URL (smtp://user:password@host:587) into Django email settings (Django-free)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

# Prints each email readably (the plain text decoded, links whole): longtide/notifications/console_email.py.
CONSOLE_BACKEND = "longtide.notifications.console_email.EmailBackend"
DJANGO_CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _mailer(backend: str, **options: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"BACKEND": backend}
    if options:
        config["OPTIONS"] = options
    return {"MAILERS": {"default": config}}


def email_settings(url: str) -> dict[str, Any]:
    """Return Django's MAILERS setting for an EMAIL_URL; console output when it is empty.

    Schemes: smtp (plain, STARTTLS when ?tls=1 or port 587), smtps (implicit TLS), console,
    locmem (tests).
    """
    url = url.strip()
    if not url or url.lower() in {"console", "console:", "console://"}:
        return _mailer(CONSOLE_BACKEND)
    if url.lower() in {"locmem", "locmem:", "locmem://"}:
        return _mailer(LOCMEM_BACKEND)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return _mailer(CONSOLE_BACKEND)
    if scheme == "locmem":
        return _mailer(LOCMEM_BACKEND)
    if scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL scheme must be smtp, smtps, console or locmem, not {scheme!r}")
    if not parts.hostname:
        raise ValueError("EMAIL_URL needs a host, e.g. smtp://user:password@mail.example.org:587")
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    port = parts.port or (465 if scheme == "smtps" else 25)
    return _mailer(
        SMTP_BACKEND,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_ssl=scheme == "smtps",
        use_tls=scheme == "smtp" and (query.get("tls") == "1" or port == 587),
        timeout=10,
    )
