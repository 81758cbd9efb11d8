"""A cancellation fills from the waitlist, in a real browser.

Uma and then Gus join the waitlist from the public booking pages (and confirm from their emails).
Cleo cancels her visit from her manage link. The worker's planner offers the freed time to Uma,
first in the queue; her hold runs out (the planner is run with the clock past it), so the time goes
to Gus, who claims it from his email; Uma's link then says the time has gone. One booking holds the
time at the end: Gus's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from longtide.notifications.delivery import deliver_due
from longtide.scheduling.booking import ClientDetails, alternatives, book_appointment
from longtide.scheduling.models import Appointment, Source, Status, WaitlistEntry, WaitlistStatus
from longtide.scheduling.waitlist import plan_offers

pytestmark = pytest.mark.browser


def latest_link(email: str, pattern: str, *, at: datetime | None = None) -> str:
    """Send what is due (at `at`, when the test drives the clock) and return the link in the latest
    email to `email`."""
    with time_machine.travel(at or timezone.now(), tick=True):
        deliver_due(worker="browser-test")
    body = next(str(m.body) for m in reversed(mail.outbox) if email in m.to)
    found = re.search(pattern, body)
    assert found is not None, body
    return found.group(0)


def join_the_waitlist(page: Page, first: str, email: str, assert_accessible: Callable[[Page], None]) -> None:
    page.goto("/p/demo/book/")
    page.get_by_role("link", name="Book First visit with intake", exact=True).click()
    page.get_by_role("button", name="See free times").click()
    page.get_by_role("link", name="Nothing suits? Join the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the waitlist")
    expect(page.get_by_label("Service")).to_have_value("first-visit")
    for day in ("Sat", "Sun"):
        page.get_by_label(day).check()
    page.get_by_label("Starting from").select_option("07:00")
    page.get_by_label("Finished by").select_option("21:00")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Waits")
    page.get_by_label("Email").fill(email)
    assert_accessible(page)
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    page.goto(latest_link(email, r"/p/demo/waitlist/[\w-]+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm your place on the waitlist")
    page.get_by_role("button", name="Confirm my place").click()
    expect(page.get_by_text("You are on the waitlist.")).to_be_visible()
    assert_accessible(page)


def test_a_cancellation_fills_from_the_waitlist(
    demo_practice: Any,
    page: Page,
    new_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
    console_errors: Callable[[Page], list[str]],
) -> None:
    practice = demo_practice
    service = practice.services.get(slug="first-visit")
    now = timezone.now()
    slot = alternatives(practice=practice, service=service, practitioner=None, around=now + timedelta(days=3))[0]
    cleo = book_appointment(
        practice=practice,
        service=service,
        practitioner=practice.practitioners.get(pk=slot.practitioner_id),
        start=slot.start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    )

    uma_page, gus_page = page, new_page()
    join_the_waitlist(uma_page, "Uma", "uma@example.test", assert_accessible)
    join_the_waitlist(gus_page, "Gus", "gus@example.test", assert_accessible)
    assert list(WaitlistEntry.objects.values_list("first_name", "status")) == [
        ("Uma", WaitlistStatus.WAITING),
        ("Gus", WaitlistStatus.WAITING),
    ]

    cleo_page = new_page()
    cleo_page.goto(f"/p/demo/manage/{cleo.manage_token}/")
    cleo_page.get_by_role("link", name="Cancel appointment").click()
    cleo_page.get_by_role("button", name="Yes, cancel it").click()
    expect(cleo_page.get_by_text("Your appointment is cancelled.")).to_be_visible()

    assert plan_offers(timezone.now()) == 1  # the worker's planner: Uma is first
    uma_offer = latest_link("uma@example.test", r"/p/demo/manage/[\w-]+/")
    uma_page.goto(uma_offer)
    expect(uma_page.get_by_role("heading", level=1)).to_have_text("A time has come free for you")
    screenshot(uma_page, "offered")

    # Uma lets her hold run out: the planner, run with the clock past it, offers the time to Gus.
    later = timezone.now() + timedelta(minutes=practice.waitlist_offer_minutes + 1)
    assert plan_offers(later) == 1
    gus_page.goto(latest_link("gus@example.test", r"/p/demo/manage/[\w-]+/", at=later))
    expect(gus_page.get_by_role("heading", level=1)).to_have_text("A time has come free for you")
    assert_accessible(gus_page)
    gus_page.get_by_role("button", name="Confirm booking").click()
    expect(gus_page.get_by_text("You're booked.")).to_be_visible()
    screenshot(gus_page, "claimed")

    uma_page.reload()
    expect(uma_page.get_by_role("heading", level=1)).to_have_text("This time has gone")
    expect(uma_page.get_by_role("button", name="Confirm booking")).to_have_count(0)
    assert_accessible(uma_page)
    screenshot(uma_page, "gone")

    holding = Appointment.objects.filter(start=slot.start, status__in=[Status.BOOKED, Status.HELD])
    assert [(a.client.first_name, a.status) for a in holding] == [("Gus", Status.BOOKED)]
    assert WaitlistEntry.objects.get(first_name="Gus").status == WaitlistStatus.BOOKED
    assert WaitlistEntry.objects.get(first_name="Uma").status == WaitlistStatus.WAITING
    for each in (uma_page, gus_page, cleo_page):
        assert console_errors(each) == []
