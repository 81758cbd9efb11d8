"""Merging a duplicate in a real browser, on a desktop and on a phone: the front desk opens the
phone-only client's page, searches for the record the client made online, reads what moves,
confirms, and sees the merge on the kept record; axe-core checks each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_front_desk_merges_a_duplicate_found_by_search(
    new_page: Callable[..., Page],
    viewport: str,
    demo_practice: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.clients.models import Client
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    marta = Client.objects.create(practice=demo_practice, first_name="Marta", last_name="Ruiz", phone="718 555 0199")
    visit = book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=None,
        start=_a_free_time(demo_practice),
        client=ClientDetails("Marta", "Ruiz", "marta.ruiz@example.test"),
        source=Source.STAFF,
    ).appointment
    online = visit.client
    assert online != marta

    page = new_page(viewport)
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.goto(f"/staff/demo/clients/{marta.pk}/")
    page.get_by_role("link", name="Merge a duplicate into this record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge a duplicate into Marta Ruiz")
    assert_accessible(page)
    page.get_by_label("Find the duplicate by name, email or phone").fill("marta")
    page.get_by_role("button", name="Search").click()
    page.locator("#merge-matches").get_by_role("link", name="Marta Ruiz").click()
    moves = page.locator("#merge-moves")
    expect(moves).to_contain_text("1 appointments")
    expect(page.get_by_text("takes the duplicate's email")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"preview-{viewport}")
    page.get_by_role("button", name="Merge Marta Ruiz into Marta Ruiz").click()

    expect(page).to_have_url(re.compile(rf"/staff/demo/clients/{marta.pk}/$"))
    expect(page.locator("#merges-in")).to_contain_text("Merged in: Marta Ruiz's record (marta.ruiz@example.test")
    expect(page.get_by_role("link", name="marta.ruiz@example.test")).to_be_visible()
    assert_accessible(page)
    if viewport == "phone":
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    visit.refresh_from_db()
    assert visit.client_id == marta.pk
    assert console_errors(page) == []


def _a_free_time(practice: Any) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from longtide.scheduling.search import candidate_practitioners, find_slots

    service = practice.services.get(slug="cst-60")
    today = timezone.now().astimezone(practice.locations.first().zone).date()
    found = find_slots(
        practice=practice,
        service=service,
        practitioner_ids=candidate_practitioners(service),
        first_day=today + timedelta(days=2),
        last_day=today + timedelta(days=9),
        now=timezone.now(),
        for_staff=True,
    )
    return found.slots[0].start
