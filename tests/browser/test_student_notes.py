"""A student's note in a real browser: Kai (a student supervised by Maya) finds yesterday's session
from the staff home, writes and signs its note, and sees it await Maya's co-signature; Maya finds it
on her notes list and co-signs it. axe-core checks the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_session_notes import sign_in

if TYPE_CHECKING:
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.browser


@pytest.fixture
def kais_visit(demo_practice: Practice) -> Appointment:
    """Yesterday's completed session of Kai's with Iris (consent signed), no note yet."""
    from longtide.clients.models import Client
    from longtide.sampledata.demo_notes import _treatment_consent_before
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment, Source, Status

    location = demo_practice.locations.get()
    zone = location.zone
    iris = Client.objects.create(practice=demo_practice, first_name="Iris", last_name="Lund", email="iris@x.invalid")
    start = datetime.combine(timezone.now().astimezone(zone).date() - timedelta(days=1), time(13), tzinfo=zone)
    service = demo_practice.services.get(slug="cst-60")
    end = start + timedelta(minutes=service.duration_minutes)
    nonce = new_nonce()
    room = location.rooms.first()
    assert room is not None
    appointment = Appointment.objects.create(
        practice=demo_practice,
        location=location,
        service=service,
        practitioner=demo_practice.practitioners.get(slug="kai-brennan"),
        room=room,
        client=iris,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=Status.COMPLETED,
        source=Source.STAFF,
        manage_token_hash=hash_token(token_from_nonce(nonce)),
        manage_nonce=nonce,
    )
    _treatment_consent_before(appointment)
    return appointment


def test_a_student_writes_and_signs_and_the_supervisor_cosigns(
    new_page: Callable[..., Page],
    kais_visit: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
) -> None:
    from longtide.notes.models import NoteCosignature, SessionNote

    page = new_page("desktop")
    sign_in(page, "student")
    expect(page.get_by_role("link", name="Calendar")).to_have_count(0)  # a student has no calendar
    page.get_by_role("link", name="Your sessions' notes").click()
    page.get_by_role("link", name=re.compile("Write the note for Iris Lund")).click()
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_role("heading", name="Session note: Iris Lund")).to_be_visible()
    page.get_by_label("In the client's words").fill("Shoulders tight after a long week at the desk.")
    page.get_by_label("Ongoing consent confirmed").check()
    page.get_by_label("Supine").check()
    for region in ("Shoulders", "Neck"):
        page.get_by_label(region, exact=True).check()
    page.get_by_label("Assessment").fill("Reported the shoulders feeling lower by the end.")
    page.get_by_label("Plan").fill("Weekly for two more sessions, then review with Maya.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    page.get_by_role("button", name="Sign and lock").click()

    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    note = SessionNote.objects.get(appointment=kais_visit)
    assert note.is_signed and note.hash_matches() and note.cosign_by_name == "Maya Okafor"
    expect(page.locator(".signature")).to_contain_text("Signed by Kai Brennan, CST student (supervised)")
    expect(page.locator(".signature")).to_contain_text("Awaiting co-signature by Maya Okafor")
    expect(page.get_by_role("button", name="Co-sign the note")).to_have_count(0)
    assert_accessible(page)
    assert console_errors(page) == []

    maya = new_page("desktop")
    sign_in(maya, "maya")
    maya.goto("/staff/demo/notes/")
    table = maya.locator("table.to-cosign")
    expect(table).to_contain_text("Iris Lund")
    expect(table).to_contain_text("Kai Brennan")
    assert_accessible(maya)
    table.get_by_role("link", name=re.compile("Review and co-sign the note for Iris Lund")).click()
    maya.get_by_role("button", name="Co-sign the note").click()
    expect(maya.get_by_text("Co-signed. The note and your co-signature are locked.")).to_be_visible()
    cosignature = NoteCosignature.objects.get(note=note)
    assert cosignature.hash_matches() and cosignature.cosigner_credential == "LMT, CST-D"
    expect(maya.locator(".cosignature")).to_contain_text("Co-signed by Maya Okafor, LMT, CST-D")
    expect(maya.locator(".cosignature")).to_contain_text(cosignature.content_hash)
    expect(maya.get_by_role("button", name="Co-sign the note")).to_have_count(0)
    assert_accessible(maya)
    assert console_errors(maya) == []
