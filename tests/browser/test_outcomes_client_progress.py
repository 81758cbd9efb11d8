"""Outcomes in a real browser, the parts the client and the owner see: the owner switches on the
crisis protocol; the practitioner sends the PHQ-9; the client, on a phone, answers its last
question "several days" and sees the crisis resources first; then sees their own progress (chart
and table) and the printable report with its caveat. axe-core checks each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_outcomes_journey import cleo, sign_in

pytestmark = pytest.mark.browser
__all__ = ["cleo"]  # the fixture, used by name


def test_crisis_protocol_phq9_and_the_clients_progress(
    new_page: Callable[..., Page],
    cleo: dict[str, Any],
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.measurement.models import Episode, Response
    from longtide.notifications.models import Message
    from longtide.outcomes import instruments

    owner = new_page()
    sign_in(owner, "owner")
    owner.goto("/staff/demo/settings/outcomes/")
    assert_accessible(owner)
    owner.get_by_label("Crisis protocol: offer the PHQ-9").check()
    owner.get_by_role("button", name="Save").click()
    expect(owner.get_by_role("status")).to_contain_text("Saved the outcome settings")
    expect(owner.get_by_label("Crisis protocol: offer the PHQ-9")).to_be_checked()

    maya = new_page()
    sign_in(maya, "maya")
    maya.goto(f"/staff/demo/clients/{cleo['client'].pk}/outcomes/")
    form = maya.locator("form.send-form").first
    form.get_by_label("Questionnaire").select_option(label="PHQ-9")
    form.get_by_label("For").select_option(label="Ad hoc")
    form.get_by_role("button", name="Send the link").click()
    expect(maya.get_by_role("status")).to_contain_text("on its way")

    phone = new_page("phone")
    phone.goto(cleo["manage"])
    phone.locator("#outcomes-panel").get_by_role("link", name="A short questionnaire").click()
    for n in range(1, 9):
        phone.locator(f'input[name="q{n}"][value="0"]').check()
    phone.locator('input[name="q9"][value="1"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    crisis = phone.locator("#crisis-resources")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    crisis_box, thanks_box = crisis.bounding_box(), phone.locator("#thanks").bounding_box()
    assert crisis_box is not None and thanks_box is not None
    assert crisis_box["y"] < thanks_box["y"]  # first on the page
    assert_accessible(phone)
    screenshot(phone, "crisis-resources")
    # Cleo has no intake here, so no flag: her practitioner is emailed (measurement/crisis.py).
    assert Message.objects.filter(purpose="outcomes.alert").count() == 1

    # A later pain answer, then the client's own progress from their booking page.
    episode = Episode.objects.get(client=cleo["client"])
    nprs = instruments.get("nprs_pain")
    Response.objects.create(
        practice=episode.practice,
        client=episode.client,
        episode=episode,
        instrument="nprs_pain",
        version=nprs.version,
        content_hash=nprs.content_hash(),
        timepoint="ad_hoc",
        answers={"rating": 3},
        total=3,
        band="mild",
        taken_on=episode.opened_on + timedelta(days=14),
        submitted_at=timezone.now(),
    )
    phone.goto(cleo["manage"])
    phone.get_by_role("link", name="See your progress").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your progress")
    expect(phone.locator("svg.outcome-chart").first).to_be_visible()
    expect(phone.locator("table.outcome-table").first).to_be_visible()
    expect(phone.locator(".change-words").first).to_contain_text("improved by at least the minimal important change")
    expect(phone.locator("#progress-caveat")).to_contain_text("cannot show whether your sessions made the difference")
    assert_accessible(phone)
    screenshot(phone, "my-progress")
    phone.get_by_role("link", name="A printable progress report").click()
    expect(phone).to_have_url(re.compile(r"/progress/print/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Progress report for Cleo Park")
    expect(phone.locator("#progress-caveat")).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "progress-report")
    assert console_errors(owner) == [] and console_errors(maya) == [] and console_errors(phone) == []
