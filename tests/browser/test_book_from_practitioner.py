"""A client books from a practitioner's page ("Book with …"), on a desktop and on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from longtide.practice.models import Practitioner
from longtide.scheduling.models import Appointment, Status

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_client_books_with_maya_from_her_page(
    new_page: Callable[..., Page],
    viewport: str,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page: Page = new_page(viewport)
    maya = Practitioner.objects.get(practice__slug="demo", slug="maya-okafor")
    page.goto("/p/demo/practitioners/")
    page.get_by_role("link", name="Maya Okafor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Okafor")
    assert_accessible(page)
    page.get_by_role("link", name="Book with Maya Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book with Maya Okafor")
    assert_accessible(page)
    screenshot(page, "services")
    # Her services go straight to her free times: the practitioner step is already answered.
    page.get_by_role("link", name="Book First visit with intake with Maya Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First visit with intake with Maya Okafor: choose a time")
    expect(page).to_have_url(re.compile(rf"practitioner={maya.pk}"))
    # Next week: beyond the cancellation window whatever the clock says.
    page.get_by_role("link", name="Later →").click()
    expect(page.get_by_role("link", name="← Earlier")).to_be_visible()
    if viewport == "phone":
        expect(page.get_by_role("navigation", name="Days")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "times")
    time = page.locator("section.day:visible a.time").first
    time.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_text("Maya Okafor").first).to_be_visible()
    page.get_by_label("First name").fill("Pia")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("Email").fill(f"pia.{viewport}@example.test")
    assert_accessible(page)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    assert_accessible(page)
    appointment = Appointment.objects.get(client__email=f"pia.{viewport}@example.test")
    assert appointment.status == Status.HELD
    assert appointment.practitioner_id == maya.pk
    assert appointment.service.slug == "first-visit"


def test_book_on_the_services_page_chooses_the_service(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    page.goto("/p/demo/services/")
    assert_accessible(page)
    page.get_by_role("link", name="Book Craniosacral session", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Craniosacral session: who would you like to see?")
    expect(page.get_by_role("radio", name=re.compile("^Anyone"))).to_be_checked()


def test_a_stale_practitioner_link_says_so(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    response = page.goto("/p/demo/book/cst-60/times/?practitioner=999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_have_text(re.compile("not taking online bookings"))
    assert_accessible(page)


def test_a_form_error_sits_under_its_field_on_a_desktop(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    page.goto("/p/demo/book/first-visit/times/?practitioner=any")
    page.get_by_role("link", name="Later →").click()
    expect(page.get_by_role("link", name="← Earlier")).to_be_visible()
    page.locator("section.day:visible a.time").first.click()
    page.get_by_label("First name").fill("Pia")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_role("button", name="Book this time").click()
    error = page.locator("#id_email_error")
    expect(error).to_have_text("Enter an email address like name@example.com.")
    field = page.get_by_label("Email").bounding_box()
    box = error.bounding_box()
    assert field is not None and box is not None
    assert box["y"] >= field["y"] + field["height"], (field, box)  # under the field, not beside it
    expect(page.get_by_label("Email")).to_have_attribute("aria-describedby", re.compile("id_email_error"))
    expect(page.get_by_label("First name")).to_have_value("Pia")
    assert_accessible(page)
