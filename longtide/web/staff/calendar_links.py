"""Addresses of the staff calendar, and whose "my day" a member has."""

from __future__ import annotations

from collections.abc import Sequence
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


def own_day_urls(practices: Sequence[Practice], user: User | AnonymousUser) -> dict[int, str]:
    """The member's "my day" address in each of these practices where they have an active practitioner
    profile (as own_practitioner), by practice id: one query for all the staff home's cards."""
    if not user.is_authenticated:
        return {}
    by_id = {practice.pk: practice for practice in practices}
    found: dict[int, str] = {}
    people = Practitioner.objects.active().filter(user_id=user.pk, practice_id__in=by_id).order_by("pk")
    for practice_id, person_id in people.values_list("practice_id", "pk"):
        if practice_id not in found:
            found[practice_id] = calendar_url(by_id[practice_id], view="day", by="practitioner", practitioner=person_id)
    return found
