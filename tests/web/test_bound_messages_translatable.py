"""The shared bad-input messages of the pure longtide.lib (bounds, control characters) are marked
there with gettext_noop and shown translated by the Django layer (issue 7)."""

from __future__ import annotations

import html

import pytest
from django.test import Client as HttpClient

from longtide.lib import bounds
from longtide.sampledata.demo import seed_demo
from tests.web.test_public_pages_translatable import CLOSE, OPEN, pseudo  # noqa: F401


def test_the_messages_name_the_bounds_they_check() -> None:
    # Written out so makemessages can extract them: they must still say what the bounds are.
    assert f"Choose a date from {bounds.FIRST_DAY.isoformat()} to {bounds.LAST_DAY.isoformat()}." == bounds.DATE_MESSAGE
    assert f"Use a whole number from 1 to {bounds.MAX_ID}." == bounds.ID_MESSAGE


@pytest.mark.django_db
@pytest.mark.usefixtures("pseudo")
def test_a_date_outside_the_bounds_is_refused_in_the_active_language() -> None:
    seed_demo()
    response = HttpClient().get("/p/demo/book/cst-60/times/?from=3000-01-01")
    assert response.status_code == 400
    assert f"{OPEN}{bounds.DATE_MESSAGE}{CLOSE}" in html.unescape(response.text)
