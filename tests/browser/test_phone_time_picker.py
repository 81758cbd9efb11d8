"""On a phone the time step is day-first: the days with free times, then the chosen day's times.

The second week of a 30-minute service with anyone used to be a single page of every time of the
week (5,592 px tall on a 390x844 phone). Without JavaScript each day is a link (?day=YYYY-MM-DD)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]

SECOND_WEEK = "/p/demo/book/head-neck-30/times/?practitioner=any"
# One day's times (43 with anyone on the demo's busiest day) and seven day links in under three
# screens; the week of every time was 6,601 px, nearly eight.
MAX_PHONE_HEIGHT = 3 * 844


def page_height(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollHeight"))


def open_second_week(page: Page) -> None:
    page.goto(SECOND_WEEK)
    page.get_by_role("link", name="Later →").click()
    expect(page.get_by_role("link", name="← Earlier")).to_be_visible()


def test_a_phone_picks_a_day_then_a_time(
    phone_page: Page,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
    console_errors: Callable[[Page], list[str]],
) -> None:
    open_second_week(phone_page)
    height = page_height(phone_page)
    print(f"phone (390x844) second week of head-neck-30 with anyone: {height} px")
    screenshot(phone_page, "second-week")
    assert height <= MAX_PHONE_HEIGHT, f"the phone's time step is {height} px tall"
    days = phone_page.get_by_role("navigation", name="Days")
    expect(days).to_be_visible()
    # One day's times are shown: the first day with free times is chosen.
    chosen = days.locator("[aria-current=date]")
    expect(chosen).to_have_count(1)
    visible_days = phone_page.locator("section.day:visible")
    expect(visible_days).to_have_count(1)
    # Pick another day.
    other = days.locator("a").last
    other_label = other.get_attribute("data-day") or ""
    other.click()
    expect(phone_page).to_have_url(re.compile(r"day=" + other_label))
    expect(phone_page.locator("section.day:visible h2")).to_have_attribute("id", f"day-{other_label}")
    assert_accessible(phone_page)
    first = phone_page.locator("section.day:visible a.time").first
    first.click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert console_errors(phone_page) == []


def test_the_day_picker_works_without_javascript(
    new_page: Callable[..., Page], assert_accessible: Callable[[Page], None]
) -> None:
    page = new_page("phone", java_script_enabled=False)
    open_second_week(page)
    days = page.get_by_role("navigation", name="Days")
    target = days.locator("a").nth(1)
    wanted = target.get_attribute("data-day")
    target.click()
    expect(page).to_have_url(re.compile(f"day={wanted}"))
    expect(page.locator("section.day:visible h2")).to_have_attribute("id", f"day-{wanted}")
    assert page_height(page) <= MAX_PHONE_HEIGHT


def test_a_desktop_keeps_the_week(page: Page, screenshot: Callable[..., Path]) -> None:
    open_second_week(page)
    expect(page.get_by_role("navigation", name="Days")).to_be_hidden()
    assert page.locator("section.day:visible").count() == 7
    screenshot(page, "desktop-week")
