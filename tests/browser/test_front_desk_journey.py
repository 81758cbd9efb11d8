"""A front desk's day in a real browser, on a desktop and on a phone: find a client in the client list,
book a client who has only a phone (no email goes anywhere, and the pages say so), then move and cancel
the visit from the team calendar. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from longtide.clients.models import Client
    from longtide.practice.models import Practice

pytestmark = pytest.mark.browser


def _next_weekday(zone: Any) -> date:
    day = timezone.now().astimezone(zone).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def clients(demo_practice: Practice) -> Client:
    from longtide.clients.models import Client

    Client.objects.create(practice=demo_practice, first_name="Cleo", last_name="Park", email="cleo@example.test")
    return Client.objects.create(practice=demo_practice, first_name="Jo", last_name="Rivera", phone="(718) 555-0142")


def _sign_in(page: Page) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, f"the page scrolls {width}px sideways"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_front_desk_books_a_phone_only_client_found_by_search_then_moves_and_cancels_from_the_calendar(
    viewport: str,
    new_page: Callable[..., Page],
    demo_practice: Any,
    clients: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.notifications.models import Message
    from longtide.scheduling.models import Appointment, Status

    page = new_page(viewport)
    jo = clients
    zone = demo_practice.locations.first().zone
    day = _next_weekday(zone)
    _sign_in(page)
    page.goto("/staff/demo/calendar/")

    # 1. Find the client.
    page.get_by_role("navigation").get_by_role("link", name="Clients", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    page.get_by_label("Find a client by name, email or phone").fill("718 555")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#client-count")).to_have_text("1 client matches “718 555”.")
    assert_accessible(page)
    page.get_by_role("link", name="Rivera, Jo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jo Rivera")
    expect(page.get_by_text("Not given: no emails are sent to this client")).to_be_visible()
    assert_accessible(page)
    if viewport == "phone":
        _no_sideways_scroll(page)

    # 2. Book her: the booking starts with her chosen, nothing to retype.
    page.get_by_role("link", name="Book an appointment").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book for a client")
    expect(page.locator(".chosen-client")).to_contain_text("Jo Rivera")
    expect(page.get_by_text("No confirmation email will be sent")).to_be_visible()
    page.get_by_label("Service").select_option(label="Craniosacral session")
    page.get_by_label("Practitioner", exact=True).select_option(label="Maya Okafor")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("group", name="Maya Okafor").get_by_role("radio", name="10:00 AM").check()
    assert_accessible(page)
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Craniosacral session for Jo Rivera")
    expect(page.get_by_role("status").first).to_contain_text("No confirmation was sent: Jo Rivera has no email address")
    visit = Appointment.objects.get(client=jo)
    assert visit.status == Status.BOOKED and not Message.objects.filter(about=f"appointment:{visit.pk}").exists()

    # 3. The team calendar: her visit in Maya's column (a list on the phone); move it.
    page.get_by_role("navigation").get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("Go to date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
    maya = page.get_by_role("region", name="Maya Okafor")
    block = maya.get_by_role("link", name=re.compile(r"10:00–11:00 AM\W+Jo Rivera"))
    expect(block).to_be_visible()
    for name in ("Inès Moreau", "Jonah Lindqvist"):  # the whole team side by side (stacked on a phone)
        expect(page.get_by_role("region", name=name, exact=True)).to_have_count(1)
    assert_accessible(page)
    if viewport == "phone":
        _no_sideways_scroll(page)
    screenshot(page, f"calendar-{viewport}")
    block.click()
    page.get_by_role("link", name="Move to another time").click()
    page.get_by_role("group", name="Maya Okafor").get_by_role("radio", name="2:00 PM").check()
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("Moved to")

    # 4. Back on the calendar at its new time; cancel it.
    page.get_by_role("link", name="← Back to the calendar").click()
    block = page.get_by_role("region", name="Maya Okafor").get_by_role(
        "link", name=re.compile(r"2:00–3:00 PM\W+Jo Rivera")
    )
    expect(block).to_be_visible()
    block.click()
    assert_accessible(page)
    cancel = page.locator("#cancel-form")
    cancel.get_by_label("The clinic").check()
    cancel.get_by_label("Reason").fill("Practitioner ill")
    cancel.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("Cancelled by the clinic.")
    screenshot(page, f"cancelled-{viewport}")
    visit.refresh_from_db()
    assert visit.status == Status.CANCELLED_CLINIC
    assert not Message.objects.filter(about=f"appointment:{visit.pk}").exists()
    assert [e for e in console_errors(page) if "favicon" not in e] == []
