"""The after-session check-in in a real browser: the client answers on a phone from the visit's
private link (a mistake first, nothing typed lost), the practitioner reads it on the appointment
page. axe-core checks the pages; screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_chart import sign_in

if TYPE_CHECKING:
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.browser


@pytest.fixture
def completed_visit(demo_practice: Practice) -> Appointment:
    """Cleo's session with Maya yesterday at 7 am (before opening: clear of the demo's visits), completed."""
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Appointment, Source, Status

    zone = demo_practice.locations.get().zone
    today = timezone.now().astimezone(zone).date()
    ahead = today + timedelta(days=3)
    while ahead.weekday() >= 5:
        ahead += timedelta(days=1)
    booked = book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=demo_practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(ahead, time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment
    shift = datetime.combine(today - timedelta(days=1), time(7), tzinfo=zone) - booked.start
    Appointment.objects.filter(pk=booked.pk).update(
        start=booked.start + shift,
        end=booked.end + shift,
        blocked_start=booked.blocked_start + shift,
        blocked_end=booked.blocked_end + shift,
        status=Status.COMPLETED,
    )
    booked.refresh_from_db()
    return booked


def test_a_client_answers_the_check_in_on_a_phone_and_the_practitioner_reads_it(
    new_page: Callable[..., Page],
    completed_visit: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.scheduling.manage_links import token_for

    phone = new_page("phone")
    phone.goto(f"/p/demo/manage/{token_for(completed_visit)}/")
    phone.get_by_role("link", name="Tell us how you have been").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("How have you been since your session?")
    assert_accessible(phone)
    phone.get_by_label("Headache").check()
    phone.get_by_role("group", name="Would you like the clinic to get in touch with you?").get_by_label("No").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#form-errors")).to_be_visible()
    expect(phone.locator("#sev-headache-error")).to_have_text("Please say how strong it was.")
    expect(phone.get_by_label("Headache")).to_be_checked()  # nothing typed is lost
    phone.locator("#sev-headache").select_option("moderate")
    phone.get_by_role("group", name="Did you need to see a doctor").get_by_label("No").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#checkin-thanks")).to_contain_text("Maya")
    assert_accessible(phone)
    screenshot(phone, "client-thanks")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    maya = new_page()
    sign_in(maya, "maya")
    maya.goto(f"/staff/demo/appointments/{completed_visit.pk}/")
    expect(maya.locator("#checkin")).to_contain_text("Headache: moderate")
    assert_accessible(maya)
    screenshot(maya, "practitioner")
    # The only failed load is the form sent back with a problem (422), on purpose.
    assert [e for e in console_errors(phone) if "status of 422" not in e] == [] and console_errors(maya) == []
