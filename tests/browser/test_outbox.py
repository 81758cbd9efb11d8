"""The outbox and the message wording in a real browser: the front desk finds a failed confirmation,
reads why, and sends it again; the owner edits a reminder's wording and previews it. axe-core
checks each page; screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from longtide.notifications.models import Message
    from longtide.practice.models import Practice

pytestmark = pytest.mark.browser


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


@pytest.fixture
def failed_confirmation(demo_practice: Practice) -> Message:
    from longtide.notifications.models import Message, State
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    zone = demo_practice.locations.get().zone
    day = timezone.now().astimezone(zone).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    book_appointment(
        practice=demo_practice,
        service=demo_practice.services.get(slug="cst-60"),
        practitioner=demo_practice.practitioners.get(slug="maya-okafor"),
        start=datetime.combine(day, time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note="Private: migraines since March.",
        source=Source.STAFF,
    )
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(
        status=State.FAILED, attempts=1, last_error="550 recipient refused: 5.1.1 User unknown"
    )
    return message


def test_the_front_desk_sees_a_failed_message_and_sends_it_again(
    page: Page,
    failed_confirmation: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.notifications.models import Message

    sign_in(page, "frontdesk")
    page.goto("/staff/demo/calendar/")
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.get_by_text("1 message could not be sent.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "outbox")

    page.get_by_role("link", name="Booking confirmation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking confirmation to cleo@example.test")
    expect(page.get_by_text("550 recipient refused: 5.1.1 User unknown").first).to_be_visible()
    expect(page.get_by_text("[the client's private link to their booking]")).to_be_visible()
    assert "migraines" not in page.content().lower()
    assert_accessible(page)
    screenshot(page, "message")

    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_text("Queued to be sent again to cleo@example.test.")).to_be_visible()
    assert Message.objects.filter(resend_of=failed_confirmation).count() == 1
    assert console_errors(page) == []


def test_the_owner_rewords_a_reminder_and_previews_it(
    page: Page,
    demo_practice: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    sign_in(page, "owner")
    page.goto("/staff/demo/messages/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages and reminders")
    assert_accessible(page)
    page.get_by_role("link", name="Edit Reminder (Email)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reminder")
    page.get_by_label("Message").fill("Hi {{ client_first_name }}! See you {{ when }}.\n\n{{ manage_url }}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("pre.message-text")).to_contain_text("Hi Alex! See you")
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_text("Hi Alex! See you")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "wording-preview")
    page.get_by_label("Message").fill("Hi {{ appointment.note }}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Only placeholders of the form {{ field_name }} are supported").first).to_be_visible()
    assert_accessible(page)
    # The refused wording is answered 422 (a settings form to fix), which Chromium logs: the only error.
    assert [e for e in console_errors(page) if "status of 422" not in e] == []
