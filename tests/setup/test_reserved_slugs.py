"""A practice's staff pages live at /staff/<slug>/; the staff pages that are no practice's
(/staff/login/, /staff/account/, /staff/invitations/ …) share that first segment. Every such fixed
segment is a reserved slug, so no practice can be founded whose pages those would shadow."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from longtide.practice.founding import RESERVED_SLUGS, create_practice


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found = []
    for each in patterns:
        route = prefix + str(each.pattern)
        found.append(route)
        if isinstance(each, URLResolver):
            found += _routes(each.url_patterns, route)
    return found


def _fixed_staff_segments() -> set[str]:
    segments = set()
    for route in _routes(get_resolver().url_patterns):
        if route.startswith("staff/"):
            first = route.removeprefix("staff/").split("/", 1)[0]
            if first and "<" not in first:
                segments.add(first)
    return segments


def test_every_fixed_segment_under_staff_is_a_reserved_slug() -> None:
    segments = _fixed_staff_segments()
    assert {"login", "logout", "account", "invitations"} <= segments  # the walk finds them
    assert segments <= RESERVED_SLUGS, sorted(segments - RESERVED_SLUGS)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["account", "invitations"])
def test_a_practice_cannot_take_a_staff_page_s_segment(slug: str) -> None:
    with pytest.raises(ValidationError) as refused:
        create_practice(slug=slug, name="Clinic", owner_email="owner@example.org", now=timezone.now())
    assert "is reserved" in str(refused.value)
