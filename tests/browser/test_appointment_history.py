"""Moving and cancelling with reasons, and seeing the appointment's history, in a real browser on a
desktop and on a phone: the front desk moves Cleo's visit (with a reason), tries to cancel without
a reason (told what is missing, the choice kept), cancels for the client, and reads who did what,
when and why; axe-core checks the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.browser


def weekday_ahead(zone: Any, days: int) -> date:
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def cleo(demo_practice: Practice) -> Appointment:
    """Cleo's session with Maya at 10:00 AM on a weekday at least three days ahead, booked by staff."""
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    zone = demo_practice.locations.get().zone
    return book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=demo_practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(weekday_ahead(zone, 3), time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_front_desk_moves_and_cancels_with_reasons_and_reads_the_history(
    new_page: Callable[..., Page],
    viewport: str,
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.scheduling.models import Status

    page = new_page(viewport)
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.goto(f"/staff/demo/appointments/{cleo.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cleo Park")
    # Days ahead, outside the cancellation window and before the start: move and cancel, nothing else.
    expect(page.get_by_role("button", name="Record a late cancellation")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark completed")).to_have_count(0)
    history = page.locator("#history")
    expect(history).to_contain_text("Booked")
    assert_accessible(page)

    page.get_by_role("link", name="Move to another time").click()
    zone = cleo.location.zone
    new_day = weekday_ahead(zone, 4 if cleo.start.astimezone(zone).weekday() != 4 else 6)
    page.get_by_label("Date").fill(new_day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    group = page.get_by_role("group", name="Maya Okafor")
    group.get_by_label("2:00 PM").check()
    page.get_by_label("Reason (optional)").fill("Client asked by phone")
    assert_accessible(page)
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_role("status").or_(page.locator(".message")).first).to_contain_text("Moved to")
    expect(history).to_contain_text("Moved")
    expect(history).to_contain_text("Client asked by phone")
    expect(history).to_contain_text(f"{new_day.day} {new_day:%B} {new_day.year}, 2:00 PM")

    # Cancelling without a reason: told precisely, the choice of who decided kept.
    cancel = page.locator("#cancel-form")
    cancel.get_by_label("The client").check()
    cancel.get_by_role("button", name="Cancel the appointment").click()
    expect(page.locator("#cancel-reason-error")).to_have_text(
        "Say why it is cancelled (for the appointment's history)."
    )
    expect(page.locator("#cancel-form").get_by_label("The client")).to_be_checked()
    assert_accessible(page)
    cleo.refresh_from_db()
    assert cleo.status == Status.BOOKED

    page.locator("#cancel-form").get_by_label("Reason").fill("Flu; will rebook next month")
    page.locator("#cancel-form").get_by_role("button", name="Cancel the appointment").click()
    expect(page.locator(".message").first).to_contain_text("Cancelled by the client.")
    expect(page.locator("#cancel-form")).to_have_count(0)
    expect(page.get_by_role("link", name="Move to another time")).to_have_count(0)
    entries = page.locator("#history li")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("Booked")
    expect(entries.nth(1)).to_contain_text("Moved")
    expect(entries.nth(2)).to_contain_text("Cancelled")
    expect(entries.nth(2)).to_contain_text("Decided by: the client.")
    expect(entries.nth(2)).to_contain_text("Reason: Flu; will rebook next month")
    expect(entries.nth(2)).to_contain_text("frontdesk")  # who: the account, not "a staff member"
    assert_accessible(page)
    screenshot(page, viewport)
    if viewport == "phone":
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    cleo.refresh_from_db()
    assert cleo.status == Status.CANCELLED_CLIENT
    # The one error is the refused cancel's 400 (a form with an error is a 400, as it should be).
    assert [e for e in console_errors(page) if "status of 400" not in e] == []
