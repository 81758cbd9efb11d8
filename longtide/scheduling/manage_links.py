"""Manage-link tokens: random, shown to the client once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse

from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment


def hash_token(token: str) -> str:
    """Return the stored form of a manage-link token."""
    return hashlib.sha256(token.encode()).hexdigest()


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
