"""The staff calendar in a real browser: the front desk signs in, finds an appointment in the day
grid, moves through days with HTMX (and with plain links without JavaScript), opens the week, and
books a client; axe-core checks each page."""

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


def next_weekday(zone: Any) -> date:
    """A weekday at least two days ahead, when every demo practitioner but Jonah works mornings."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def cleo(demo_practice: Practice) -> Appointment:
    """Cleo's session with Maya at 10:00 AM on a coming weekday, with a private note."""
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    zone = demo_practice.locations.get().zone
    return book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=demo_practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(next_weekday(zone), time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note="Private: sore neck since the accident.",
        source=Source.STAFF,
    ).appointment


def sign_in(page: Page, username: str = "frontdesk") -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_the_front_desk_finds_an_appointment_and_moves_through_days_with_htmx(
    page: Page,
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    sign_in(page)
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    assert_accessible(page)

    day = cleo.start.astimezone(cleo.location.zone).date()
    page.evaluate("() => { window.stillHere = true; }")
    page.get_by_label("Go to date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"{day.day} {day:%B} {day.year}")
    assert page.evaluate("() => window.stillHere") is True, "the grid should be swapped in, not the page reloaded"
    expect(page).to_have_title(re.compile(rf"^{day:%A} {day.day} {day:%B}"))

    column = page.get_by_role("region", name="Maya Okafor")
    appointment = column.get_by_role("link", name=re.compile(r"10:00–11:00 AM\W+Cleo Park\W+Craniosacral session"))
    expect(appointment).to_be_visible()
    assert_accessible(page)
    screenshot(page, "day")

    page.get_by_role("link", name="Next day →").click()
    next_day = day + timedelta(days=1)
    expect(page).to_have_url(re.compile(rf"date={next_day.isoformat()}"))
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_have_count(0)
    page.go_back()
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Cleo Park")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Craniosacral session for Cleo Park")
    expect(page.get_by_text("The client left a note for the practitioner.")).to_be_visible()
    expect(page.get_by_text("sore neck since the accident")).to_have_count(0)
    assert_accessible(page)
    assert [e for e in console_errors(page) if "favicon" not in e] == []


def test_the_calendar_works_without_javascript(new_page: Callable[..., Page], cleo: Any) -> None:
    page = new_page(java_script_enabled=False)
    sign_in(page)
    day = cleo.start.astimezone(cleo.location.zone).date()
    page.goto(f"/staff/demo/calendar/?date={(day - timedelta(days=1)).isoformat()}")
    page.get_by_role("link", name="Next day →").click()
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Week of Monday")
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()


def test_the_week_view_and_a_staff_booking(
    page: Page,
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    sign_in(page)
    day = cleo.start.astimezone(cleo.location.zone).date()
    maya = cleo.practitioner
    page.goto(f"/staff/demo/calendar/?view=week&practitioner={maya.pk}&date={day.isoformat()}")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Maya Okafor")
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "week")

    page.get_by_role("region", name=re.compile(rf"^{day:%a} {day.day} {day:%b}")).get_by_role(
        "link", name=re.compile("^Book")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book for a client")
    page.get_by_label("Service").select_option(label="Craniosacral session")
    page.get_by_role("button", name="Show free times").click()
    # Maya's 10:00 is taken by Cleo: her next free hour starts after the 15-minute turnover.
    times = page.get_by_role("group", name="Maya Okafor")
    expect(times.get_by_role("radio", name="10:00 AM")).to_have_count(0)
    times.get_by_role("radio", name="11:15 AM").check()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("Email", exact=True).fill("dana@example.test")
    assert_accessible(page)
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Craniosacral session for Dana Reyes")
    expect(page.get_by_role("status")).to_contain_text("Booked Dana Reyes")
    assert [e for e in console_errors(page) if "favicon" not in e] == []


def test_on_a_phone_the_day_is_a_list_without_sideways_scrolling(
    new_page: Callable[..., Page],
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = new_page("phone")
    sign_in(page)
    day = cleo.start.astimezone(cleo.location.zone).date()
    page.goto(f"/staff/demo/calendar/?date={day.isoformat()}")
    maya = page.get_by_role("region", name="Maya Okafor")
    expect(maya.get_by_role("link", name=re.compile(r"10:00–11:00 AM\W+Cleo Park"))).to_be_visible()
    for name in ("Jonah Lindqvist", "Inès Moreau"):
        expect(page.get_by_role("region", name=name, exact=True)).to_have_count(1)
    sideways = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"the page scrolls {sideways}px sideways"
    assert_accessible(page)
    screenshot(page, "phone-day")
    maya.get_by_role("link", name=re.compile("Cleo Park")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Craniosacral session for Cleo Park")
    assert [e for e in console_errors(page) if "favicon" not in e] == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_everyones_week_shows_each_practitioner_each_day(
    new_page: Callable[..., Page],
    viewport: str,
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = new_page(viewport)
    sign_in(page)
    day = cleo.start.astimezone(cleo.location.zone).date()
    page.goto(f"/staff/demo/calendar/?view=week&by=team&date={day.isoformat()}")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Everyone")
    heading = f"{day:%a} {day.day} {day:%b} · Maya Okafor"
    if viewport == "desktop":
        column = page.get_by_role("region", name=heading).first
        expect(column.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()
    else:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        expect(page.locator(".cal-list").get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, viewport)
    assert console_errors(page) == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_practitioner_signs_in_to_their_own_day_and_steps_through_it(
    viewport: str,
    new_page: Callable[..., Page],
    cleo: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = new_page(viewport)
    page.goto("/staff/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/demo/calendar/\?view=day&by=practitioner&practitioner=\d+$"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("Maya Okafor")
    expect(page.get_by_role("link", name="My day")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    day = cleo.start.astimezone(cleo.location.zone).date()
    shown = timezone.now().astimezone(cleo.location.zone).date()
    while shown < day:  # one step at a time: each swap brings the next link
        shown += timedelta(days=1)
        page.get_by_role("link", name="Next day →").click()
        expect(page).to_have_url(re.compile(rf"practitioner=\d+&date={shown.isoformat()}"))
    expect(page.get_by_role("region", name="Maya Okafor", exact=True)).to_have_count(1)
    expect(page.get_by_role("region", name="Jonah Lindqvist", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Cleo Park"))).to_be_visible()
    screenshot(page, f"my-day-{viewport}")
    page.get_by_role("link", name="By practitioner").click()
    expect(page.get_by_role("region", name="Jonah Lindqvist", exact=True)).to_have_count(1)
    assert [e for e in console_errors(page) if "favicon" not in e] == []
