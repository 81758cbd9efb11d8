"""An owner sets up a new practice from nothing to its first online booking, in a real browser.

The practice is made the way an operator makes one (`longtide practice create`'s action); the owner
follows the one-time link, chooses a password, and is led by the first-run checklist through the
location, a room, a service, a practitioner with a photo, and working hours with the preview of the
bookable week. Then a client books on the practice's public pages. axe runs on every settings page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django import Settings

from longtide.notifications.delivery import deliver_due
from longtide.practice.founding import create_practice
from longtide.scheduling.models import Appointment, Status

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def photo_file(tmp_path: Path) -> Path:
    image = Image.new("RGB", (1600, 1200), (70, 110, 130))
    for x in range(500, 1100):
        for y in range(300, 900, 7):
            image.putpixel((x, y), (230, 220, 200))
    path = tmp_path / "portrait.jpg"
    out = io.BytesIO()
    image.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_owner_sets_up_a_new_practice_and_takes_the_first_online_booking(
    new_page: Callable[..., Page],
    viewport: str,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
    console_errors: Callable[[Page], list[str]],
    tmp_path: Path,
    settings: Settings,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    founded = create_practice(
        slug="harbourlight", name="Harbourlight Bodywork", owner_email="hana@example.test", now=timezone.now()
    )
    page = new_page(viewport)

    def check(name: str) -> None:
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, name)

    # The one-time link from the operator's terminal (a new login: it has no password yet).
    assert founded.link is not None
    page.goto(urlsplit(founded.link.url).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    check("1-password")
    page.get_by_label("New password", exact=True).fill("harbour-light-2026")
    page.get_by_label("New password confirmation").fill("harbour-light-2026")
    page.get_by_role("button", name="Set password and sign in").click()

    # The first-run checklist.
    expect(page.get_by_text("0 of 5 done")).to_be_visible()
    check("2-checklist")
    page.get_by_role("link", name="Add your location: its address and time zone", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New location")
    assert_accessible(page)
    page.get_by_label("Name").fill("Harbour Street")
    page.get_by_label("Street address").fill("3 Quay Lane")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_role("button", name="Add the location").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New room at Harbour Street")
    check("3-room")
    page.get_by_label("Name").fill("Tide Room")
    page.get_by_role("button", name="Add the room").click()
    expect(page.get_by_text("Saved the room Tide Room.")).to_be_visible()

    page.get_by_role("link", name="Getting started").click()
    expect(page.get_by_text("2 of 5 done")).to_be_visible()
    page.get_by_role("link", name="Add a service clients can book", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New service")
    page.get_by_label("Name").fill("First session")
    page.get_by_label("Length (minutes)").fill("0")
    page.get_by_label("Price").fill("95")
    page.get_by_label("First visit (new clients start here)").check()
    page.get_by_role("button", name="Add the service").click()
    # Server-side validation: a specific message under the field, and what was typed is kept.
    expect(page.get_by_text("A session lasts at least 5 minutes.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("First session")
    check("4-service-error")
    page.get_by_label("Length (minutes)").fill("60")
    page.get_by_role("button", name="Add the service").click()
    expect(page.get_by_text("Saved the service First session.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Getting started").click()
    page.get_by_role("link", name="Add a practitioner who offers it", exact=True).click()
    page.get_by_role("link", name="Add a practitioner").click()
    page.get_by_label("Name shown to clients").fill("Rowan Vale")
    page.get_by_label("Credentials").fill("LMT, RCST")
    page.get_by_label("Style").select_option("biodynamic")
    page.get_by_label("About them").fill("Rowan works slowly and quietly.")
    page.get_by_label("Photo", exact=True).set_input_files(photo_file(tmp_path))
    page.get_by_label("First session").check()
    assert_accessible(page)
    page.get_by_role("button", name="Add the practitioner").click()

    # Straight on to the hours, with the preview.
    expect(page.get_by_role("heading", level=1)).to_have_text("Working hours of Rowan Vale")
    for day in range(7):
        page.locator(f"#id_d{day}_0_start").fill("09:00")
        page.locator(f"#id_d{day}_0_end").fill("17:00")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_text("Saved Rowan Vale's hours at Harbour Street.")).to_be_visible()
    expect(page.get_by_text("Working 9:00 AM–5:00 PM").first).to_be_visible()
    page.get_by_role("link", name="Next week →").click()
    expect(page.locator(".preview-times span").first).to_be_visible()
    check("5-hours-preview")

    page.get_by_role("link", name="Getting started").click()
    expect(page.get_by_text("Clients can book online now.")).to_be_visible()
    check("6-ready")

    # The first online booking, as a client on the public pages.
    client = new_page(viewport)
    client.goto("/p/harbourlight/")
    client.get_by_role("link", name="Book online").click()
    client.get_by_role("link", name="Book First session", exact=True).click()
    client.get_by_role("button", name="See free times").click()
    client.get_by_role("link", name="Later →").click()
    expect(client.get_by_role("link", name="← Earlier")).to_be_visible()
    client.locator("a.time").first.click()
    client.get_by_label("First name").fill("Iris")
    client.get_by_label("Last name").fill("Moon")
    client.get_by_label("Email").fill("iris@example.test")
    client.get_by_role("button", name="Book this time").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    # Online bookings wait for the owner of the address to confirm from the email (docs/booking-privacy.md).
    deliver_due(worker="browser-test")
    body = next(str(m.body) for m in reversed(mail.outbox) if "iris@example.test" in m.to)
    link = re.search(r"/p/harbourlight/manage/[\w-]+/", body)
    assert link is not None, body
    client.goto(link.group(0))
    client.get_by_role("button", name="Confirm booking").click()
    expect(client.get_by_text("You're booked.")).to_be_visible()
    screenshot(client, "7-first-booking")
    booked = Appointment.objects.get(client__email="iris@example.test")
    assert booked.status == Status.BOOKED and booked.practice.slug == "harbourlight"
    assert booked.practitioner.display_name == "Rowan Vale" and booked.room.name == "Tide Room"

    # The practitioner's photo is on the public page.
    client.goto("/p/harbourlight/practitioners/")
    photo = client.locator("img.avatar").first
    expect(photo).to_be_visible()
    assert client.evaluate("(img) => img.naturalWidth", photo.element_handle()) > 0
    # The only failed load is the service form sent back to fix (422), on purpose.
    assert [e for e in console_errors(page) if "status of 422" not in e] == [] and console_errors(client) == []


def test_every_settings_page_of_the_demo_is_accessible_on_a_phone(
    new_page: Callable[..., Page],
    demo_practice: Any,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = new_page("phone")
    page.goto("/staff/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/staff/demo/calendar/")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_text("Clients can book online now.")).to_be_visible()
    maya = demo_practice.practitioners.get(slug="maya-okafor")
    location = demo_practice.locations.get()
    service = demo_practice.services.first()
    for path in [
        "",
        "practice/",
        "policies/",
        "home-page/",
        "locations/",
        f"locations/{location.pk}/",
        "services/",
        f"services/{service.pk}/",
        "practitioners/",
        f"practitioners/{maya.pk}/",
        f"practitioners/{maya.pk}/hours/",
        f"practitioners/{maya.pk}/time-off/",
        "note-checklists/",
        "outcomes/licensed/",
        "outcomes/licensed/hit6/",
        "staff/",
    ]:
        page.goto(f"/staff/demo/settings/{path}")
        assert_accessible(page)
        no_sideways_scroll(page)
    screenshot(page, "staff")
    page.get_by_role("button", name="Remove frontdesk@stillwater-demo.invalid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove frontdesk@stillwater-demo.invalid?")
    assert_accessible(page)
    page.get_by_role("link", name="Keep them").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    page.goto(f"/staff/demo/settings/practitioners/{maya.pk}/hours/")
    screenshot(page, "hours")
    assert re.search(r"Working 9:00 AM–12:30 PM, 1:30 PM–5:00 PM", page.content())
