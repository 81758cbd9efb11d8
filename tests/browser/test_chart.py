"""The client chart in a real browser: the practitioner in care reads it; a colleague outside the care
team is kept out and opens it with a reason (break-glass); the front desk sees contact details only;
the owner reads who looked (break-glass first) and exports the record as a printable page and JSON.
axe-core checks each page; screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.browser

NOTE = "Private: migraines since March."


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


@pytest.fixture
def cleo_with_maya(demo_practice: Practice) -> Appointment:
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    zone = demo_practice.locations.get().zone
    day = timezone.now().astimezone(zone).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=demo_practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(day, time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note=NOTE,
        source=Source.STAFF,
    ).appointment


def test_chart_break_glass_access_report_and_export(
    new_page: Callable[..., Page],
    cleo_with_maya: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    chart = f"/staff/demo/clients/{cleo_with_maya.client_id}/chart/"

    maya = new_page()
    sign_in(maya, "maya")
    maya.goto(f"/staff/demo/appointments/{cleo_with_maya.pk}/")
    maya.get_by_role("link", name="Open the chart").click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Chart of Cleo Park")
    expect(maya.locator("#visits")).to_contain_text(NOTE)
    expect(maya.locator("#care-team")).to_contain_text("Maya")
    expect(maya.locator("#outcomes")).to_contain_text("No care episode yet.")
    expect(maya.locator("#notes").get_by_role("link", name="open the client's notes")).to_have_attribute(
        "href", f"/staff/demo/clients/{cleo_with_maya.client_id}/notes/"
    )
    assert_accessible(maya)
    screenshot(maya, "practitioner")

    jonah = new_page()
    sign_in(jonah, "jonah")
    jonah.goto(chart)
    expect(jonah.locator("#kept-out")).to_be_visible()
    expect(jonah.locator("body")).not_to_contain_text(NOTE)
    jonah.get_by_role("link", name="Open with a reason (break-glass)").click()
    assert_accessible(jonah)
    jonah.get_by_label("Why do you need this chart?").fill("cover")
    jonah.get_by_role("button", name="Open the chart").click()
    expect(jonah.get_by_role("alert")).to_contain_text("at least 10 characters")
    expect(jonah.get_by_label("Why do you need this chart?")).to_have_value("cover")
    jonah.get_by_label("Why do you need this chart?").fill("Covering Maya's session on Friday")
    jonah.get_by_role("button", name="Open the chart").click()
    expect(jonah).to_have_url(re.compile(re.escape(chart) + "$"))
    expect(jonah.locator("#visits")).to_contain_text(NOTE)
    expect(jonah.locator("#chart-basis")).to_contain_text("break-glass")

    desk = new_page("phone")
    sign_in(desk, "frontdesk")
    desk.goto(chart)
    expect(desk.locator("#contact")).to_contain_text("cleo@example.test")
    expect(desk.locator("body")).not_to_contain_text(NOTE)
    expect(desk.locator("#care-team")).to_have_count(0)
    assert_accessible(desk)
    screenshot(desk, "front-desk")

    owner = new_page()
    sign_in(owner, "owner")
    owner.goto(chart)
    owner.get_by_role("link", name="Who read this record").click()
    expect(owner.locator("#break-glass")).to_contain_text("Covering Maya's session on Friday")
    expect(owner.locator("#break-glass")).to_contain_text("jonah")
    readers = owner.locator("#readers")
    # Jonah: the chart kept out, the break-glass opening, the chart opened (records/access_report: audit_reports.LOOKS).
    for who in ("maya: 1 time", "jonah: 3 times", "frontdesk: 1 time", "owner: 1 time"):
        expect(readers).to_contain_text(who)
    assert_accessible(owner)
    screenshot(owner, "access-report")

    owner.goto(chart)
    owner.get_by_role("link", name="printable page").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Record of Cleo Park")
    expect(owner.locator("#appointments")).to_contain_text(NOTE)
    expect(owner.locator("#record-access")).to_contain_text("break_glass")
    assert_accessible(owner)
    screenshot(owner, "export")
    with owner.expect_download() as download:
        owner.get_by_role("link", name="Download as JSON").click()
    bundle = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert bundle["client"]["email"] == "cleo@example.test"
    assert bundle["appointments"][0]["note"] == NOTE

    for page in (maya, jonah, desk, owner):
        # Chromium reports a download as an aborted navigation.
        errors = [e for e in console_errors(page) if not e.endswith("/chart/export.json (net::ERR_ABORTED)")]
        assert errors == []
