"""System checks that stop an unsafe production start (ids longtide.E001…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from longtide.email_url import CONSOLE_BACKEND, DJANGO_CONSOLE_BACKEND, LOCMEM_BACKEND


@register()
def production_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Return an error for each unsafe setting when LONGTIDE_PRODUCTION is on."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    if settings.SECRET_KEY == settings.INSECURE_DEV_KEY or len(settings.SECRET_KEY) < 32:
        errors.append(
            Error(
                "SECRET_KEY is missing or too short for production.",
                hint="Set SECRET_KEY to a random string of 50+ characters, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id="longtide.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on in production: error pages would show code and settings.",
                hint="Unset DEBUG (or set DEBUG=0).",
                id="longtide.E002",
            )
        )
    if getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND") in {
        CONSOLE_BACKEND,
        DJANGO_CONSOLE_BACKEND,
        LOCMEM_BACKEND,
    }:
        errors.append(
            Error(
                "Email goes to the console in production: clients would get no confirmations.",
                hint="Set EMAIL_URL, e.g. smtp://user:password@mail.example.org:587.",
                id="longtide.E003",
            )
        )
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "testserver"}:
        errors.append(
            Error(
                "ALLOWED_HOSTS names only local addresses.",
                hint="Set ALLOWED_HOSTS to your public host name(s), comma-separated.",
                id="longtide.E004",
            )
        )
    if getattr(settings, "SMS", {}).get("BACKEND") in {"console", "locmem"}:
        errors.append(
            Warning(
                "Text messages are printed, not sent (SMS_URL is console or locmem).",
                hint="Set SMS_URL to your provider (twilio://SID:TOKEN@api.twilio.com?from=%2B1...) or to off.",
                id="longtide.W002",
            )
        )
    return errors
