"""Manage-link tokens: unguessable, never stored.

The token is HMAC-SHA256(SECRET_KEY, a random per-booking nonce). The database keeps the nonce
and the token's SHA-256; lookups go by the hash. So a copy of the database alone yields no
working link, while the server (the web process or the email worker) can derive the token again
to put the link in a later email — the reschedule email after a staff move, say, or an email
sent by the worker from a queue that holds only the appointment's id.

Rotating SECRET_KEY keeps old links working (lookups use the stored hash) but stops the server
from re-deriving them: later emails then say to use the link in the first confirmation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment

_PURPOSE = b"longtide.manage-link:"


def new_nonce() -> str:
    """Return a fresh random nonce for a booking."""
    return secrets.token_urlsafe(16)


def token_from_nonce(nonce: str) -> str:
    """Return the manage token derived from a booking's nonce."""
    digest = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    """Return the stored form of a manage-link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(appointment: Appointment) -> str | None:
    """Return the appointment's manage token, or None when it can't be derived any more."""
    if not appointment.manage_nonce:
        return None
    token = token_from_nonce(appointment.manage_nonce)
    return token if hash_token(token) == appointment.manage_token_hash else None


def manage_path(practice: Practice, token: str) -> str:
    """Return the path of a booking's manage page."""
    return reverse("manage-booking", kwargs={"practice_slug": practice.slug, "token": token})


def manage_url(practice: Practice, token: str) -> str:
    """Return the absolute manage link for emails (PUBLIC_BASE_URL + path)."""
    return f"{settings.PUBLIC_BASE_URL}{manage_path(practice, token)}"


def find_by_token(token: str) -> Appointment | None:
    """Return the appointment a manage-link token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Appointment.objects.select_related("practice", "service", "practitioner", "room", "location", "client")
        .filter(manage_token_hash=hash_token(token))
        .first()
    )
