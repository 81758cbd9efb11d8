"""A new client books, reschedules and cancels in the demo clinic, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message
from longtide.scheduling.models import Appointment, Status

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]


def choose_first_free_time(page: Page) -> str:
    # Next week's first time: beyond the 24-hour cancellation window whatever the clock says.
    page.get_by_role("link", name="Later →").click()
    expect(page.get_by_role("link", name="← Earlier")).to_be_visible()
    first = page.locator("a.time").first
    label = first.inner_text()
    first.click()
    return label


def book_a_first_visit(page: Page, assert_accessible: Callable[[Page], None], screenshot: Callable[..., Path]) -> None:
    page.goto("/p/demo/")
    page.get_by_role("link", name="Book online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    assert_accessible(page)
    page.get_by_role("link", name="Book First visit with intake", exact=True).click()
    expect(page.get_by_role("radio", name=re.compile("^Anyone"))).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="See free times").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("choose a time")
    assert_accessible(page)
    screenshot(page, "times")
    choose_first_free_time(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Ferreira")
    page.get_by_label("Email").fill("nina@example.test")
    page.get_by_label("Phone").fill("+1 718 555 0101")
    page.get_by_label("Anything we should know before your visit?").fill("First time trying CST.")
    assert_accessible(page)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")


def open_the_emailed_link(page: Page, email: str) -> str:
    """Send the outbox and follow the link in the latest email to `email`; return the link's path."""
    deliver_due(worker="browser-test")
    body = next(str(m.body) for m in reversed(mail.outbox) if email in m.to)
    found = re.search(r"/p/demo/manage/[\w-]+/", body)
    assert found is not None, body
    path = found.group(0)
    page.goto(path)
    return path


def test_a_new_client_books_confirms_reschedules_and_cancels(
    page: Page,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
    console_errors: Callable[[Page], list[str]],
) -> None:
    book_a_first_visit(page, assert_accessible, screenshot)
    screenshot(page, "requested")
    assert_accessible(page)
    appointment = Appointment.objects.get(client__email="nina@example.test")
    assert appointment.status == Status.HELD
    assert appointment.service.is_first_visit
    assert Message.objects.filter(recipient="nina@example.test", purpose="booking.request").exists()
    manage_url = open_the_emailed_link(page, "nina@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm your booking")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("You're booked.")).to_be_visible()
    screenshot(page, "booked")
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    assert Message.objects.filter(recipient="nina@example.test", purpose="booking.confirmation").exists()

    page.get_by_role("link", name="Reschedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reschedule your appointment")
    assert_accessible(page)
    page.get_by_role("link", name="Later →").click()  # HTMX swaps the week in place
    expect(page.get_by_role("link", name="← Earlier")).to_be_visible()
    # Its own time is offered too (moving nowhere is harmless); take a later one.
    page.locator("button.time").nth(4).click()
    expect(page.get_by_text("Your appointment is moved to")).to_be_visible()
    moved = Appointment.objects.get(pk=appointment.pk)
    assert moved.start != appointment.start
    assert moved.sequence == 1

    expect(page.locator("#add-to-calendar")).to_contain_text("Google Calendar")
    page.get_by_role("link", name="Cancel appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    page.get_by_role("link", name="No, keep it").click()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text("Your appointment is cancelled.")).to_be_visible()
    expect(page.get_by_text("Cancelled by client")).to_be_visible()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED_CLIENT
    expect(page.get_by_role("link", name="Book another time")).to_be_visible()
    page.goto(manage_url)
    expect(page.get_by_role("link", name="Cancel appointment")).to_have_count(0)
    assert console_errors(page) == []


def test_booking_works_on_a_phone(
    phone_page: Page, assert_accessible: Callable[[Page], None], screenshot: Callable[..., Path]
) -> None:
    book_a_first_visit(phone_page, assert_accessible, screenshot)
    screenshot(phone_page, "requested")


def test_the_back_button_and_a_second_submit_book_nothing_new(
    page: Page, assert_accessible: Callable[[Page], None], screenshot: Callable[..., Path]
) -> None:
    book_a_first_visit(page, assert_accessible, screenshot)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("You already sent this booking request.")).to_be_visible()
    expect(page.get_by_text("that time was just taken")).to_have_count(0)
    screenshot(page, "again")
    assert Appointment.objects.filter(client__email="nina@example.test").count() == 1


def test_booking_works_without_javascript(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/p/demo/book/first-visit/")
    page.get_by_role("button", name="See free times").click()
    choose_first_free_time(page)
    page.get_by_label("First name").fill("Omar")
    page.get_by_label("Last name").fill("Said")
    page.get_by_label("Email").fill("omar@example.test")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    open_the_emailed_link(page, "omar@example.test")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("You're booked.")).to_be_visible()


def test_bad_details_are_explained_and_kept(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    page.goto("/p/demo/book/first-visit/times/?practitioner=any")
    choose_first_free_time(page)
    page.get_by_label("First name").fill("Pia")
    page.get_by_label("Last name").fill("Lund")
    page.get_by_label("Email").fill("pia@")
    page.get_by_label("Anything we should know before your visit?").fill("Evenings are best.")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Pia")
    expect(page.get_by_label("Anything we should know before your visit?")).to_have_value("Evenings are best.")
    assert_accessible(page)
    assert not Appointment.objects.filter(client__email__startswith="pia").exists()


def test_a_returning_service_sends_a_new_client_to_the_first_visit(page: Page) -> None:
    page.goto("/p/demo/book/cst-60/times/?practitioner=any")
    choose_first_free_time(page)
    expect(page.locator("#returning-only")).to_contain_text("is for returning clients")
    page.get_by_label("First name").fill("Ravi")
    page.get_by_label("Last name").fill("Das")
    page.get_by_label("Email").fill("ravi@example.test")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    open_the_emailed_link(page, "ravi@example.test")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("alert")).to_contain_text("New clients start with a first visit")
    page.get_by_role("link", name="Book “First visit with intake”").click()
    expect(page).to_have_url(re.compile(r"/p/demo/book/first-visit/$"))
