"""On a desktop, an intake or check-in answer that needs fixing says so under its field (not above
it): the message's box starts below the field's box, the field names the message (aria-describedby,
with its help text), and what was typed is kept."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


def assert_under(field: Locator, error: Locator) -> None:
    field_box, error_box = field.bounding_box(), error.bounding_box()
    assert field_box is not None and error_box is not None
    assert error_box["y"] >= field_box["y"] + field_box["height"], (field_box, error_box)


def _visit(practice: Any, *, days_ago: int = 0) -> Any:
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Appointment, Source, Status

    zone = practice.locations.first().zone
    today = timezone.now().astimezone(zone).date()
    ahead = today + timedelta(days=3)
    while ahead.weekday() >= 5:
        ahead += timedelta(days=1)
    booked = book_appointment(
        practice=practice,
        service=practice.services.get(slug="cst-60"),
        practitioner=practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(ahead, time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment
    if days_ago:
        shift = datetime.combine(today - timedelta(days=days_ago), time(7), tzinfo=zone) - booked.start
        Appointment.objects.filter(pk=booked.pk).update(
            start=booked.start + shift,
            end=booked.end + shift,
            blocked_start=booked.blocked_start + shift,
            blocked_end=booked.blocked_end + shift,
            status=Status.COMPLETED,
        )
        booked.refresh_from_db()
    return booked


def test_an_intake_answer_to_fix_is_explained_under_its_field(
    page: Page, demo_practice: Any, assert_accessible: Any
) -> None:
    from longtide.scheduling.manage_links import token_for

    page.goto(f"/p/demo/manage/{token_for(_visit(demo_practice))}/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.get_by_label("Date of birth").fill("1990-03-14")
    page.get_by_label("Emergency contact: name").fill("Rui Ferreira")
    page.get_by_label("Emergency contact: phone").fill("call Rui")
    page.get_by_role("button", name="Save and continue").click()
    error = page.locator("#f-emergency_phone-error")
    expect(error).to_be_visible()
    field = page.get_by_label("Emergency contact: phone")
    assert_under(field, error)
    expect(field).to_have_attribute("aria-describedby", "f-emergency_phone-error")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("call Rui")
    expect(page.get_by_label("Emergency contact: name")).to_have_value("Rui Ferreira")
    assert_accessible(page)


def test_a_date_of_birth_to_fix_names_its_error_and_its_help(page: Page, demo_practice: Any) -> None:
    from longtide.scheduling.manage_links import token_for

    page.goto(f"/p/demo/manage/{token_for(_visit(demo_practice))}/intake/")
    page.get_by_label("Emergency contact: name").fill("Rui Ferreira")
    page.get_by_role("button", name="Save and continue").click()
    error = page.locator("#f-date_of_birth-error")
    expect(error).to_be_visible()
    field = page.get_by_label("Date of birth")
    assert_under(field, error)
    expect(field).to_have_attribute("aria-describedby", "f-date_of_birth-error f-date_of_birth-help")


def test_a_check_in_answer_to_fix_is_explained_under_its_field(
    page: Page, demo_practice: Any, assert_accessible: Any
) -> None:
    from longtide.scheduling.manage_links import token_for

    page.goto(f"/p/demo/manage/{token_for(_visit(demo_practice, days_ago=1))}/")
    page.get_by_role("link", name="Tell us how you have been").click()
    page.get_by_label("If something else: what was it?").fill("x" * 5000)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#form-errors")).to_be_visible()
    error, field = page.locator("#f-other-error"), page.get_by_label("If something else: what was it?")
    expect(error).to_be_visible()
    assert_under(field, error)
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bf-other-error\b"))
    expect(field).to_have_value("x" * 5000)
    group, group_error = page.locator("#sought_care .choice-row"), page.locator("#sought_care-error")
    expect(group_error).to_be_visible()
    assert_under(group, group_error)
    assert_accessible(page)
