"""Addresses of the staff calendar, and whose "my day" a member has."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from longtide.practice.models import Practice, Practitioner


def calendar_url(practice: Practice, **params: Any) -> str:
    """The calendar's address with the given parameters (empty ones left out)."""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse("staff-calendar", kwargs={"practice_slug": practice.slug}) + (f"?{query}" if query else "")


def own_practitioner(practice: Practice, user: User | AnonymousUser) -> Practitioner | None:
    """The member's own active practitioner profile in the practice, if they have one."""
    if not user.is_authenticated:
        return None
    return practice.practitioners.active().filter(user_id=user.pk).first()
