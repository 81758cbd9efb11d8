"""The owner publishes a new version of the treatment consent from Settings; a visit under way for
a client who signed only the old one cannot be marked completed until the owner records why it went
ahead (shown in its history); the client then signs just the new version from their link on a phone
(docs/intake.md, "Consent before the session"). axe-core checks each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from longtide.intake.models import Signature
from longtide.scheduling.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]


def _client_with_intake(practice: Any) -> tuple[Any, Any, str]:
    from longtide.audit.trail import Origin
    from longtide.clients.models import Client
    from longtide.intake import actions, links
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment
    from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

    client = Client.objects.create(practice=practice, first_name="Nina", last_name="Ferreira", email="n@example.test")
    intake = actions.draft_for(client)
    today = timezone.now().date()
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        actions.save_step(intake, step, data, today=today)
    documents = actions.current_documents(practice)
    answer = actions.ConsentAnswer({d.pk for d in documents if d.kind != "intraoral"}, "Nina Ferreira")
    actions.submit(intake, answer, origin=Origin(None, "test"), today=today, alert=False)
    location = practice.locations.get()
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    visit = Appointment.objects.create(
        practice=practice,
        location=location,
        service=practice.services.order_by("sort_order").first(),
        practitioner=practice.practitioners.get(slug="maya-okafor"),
        room=location.rooms.first(),
        client=client,
        start=start,
        end=start + timedelta(minutes=60),
        blocked_start=start,
        blocked_end=start + timedelta(minutes=60),
        source="staff",
        manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
        manage_nonce=nonce,
    )
    return client, visit, links.intake_path(links.link_or_new(client))


def test_a_new_consent_version_an_override_and_signing_again(
    new_page: Callable[..., Page],
    demo_practice: Any,
    assert_accessible: Callable[[Page], None],
    console_errors: Callable[[Page], list[str]],
    screenshot: Callable[..., Path],
) -> None:
    client, visit, intake_path = _client_with_intake(demo_practice)
    page = new_page("desktop")
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.goto("/staff/demo/settings/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake and consent")
    assert_accessible(page)
    page.get_by_label("Local emergency number").fill("call us")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("as it is dialled")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Local emergency number").fill("911")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the emergency number and crisis line.")).to_be_visible()

    page.get_by_role("link", name="Your own questions and safety questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your own intake questions")
    page.get_by_label("Question", exact=True).fill("How did you hear about us?")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("Published form version")).to_be_visible()
    expect(page.locator("#own-questions")).to_contain_text("How did you hear about us?")
    assert_accessible(page)
    page.goto("/staff/demo/settings/intake/")

    page.locator("#documents a").first.click()
    expect(page.get_by_role("heading", name="Publish a new version")).to_be_visible()
    assert_accessible(page)
    text = page.get_by_label("Text")
    text.fill(text.input_value() + "\n\nWe will ask before each new hand position.")
    page.get_by_role("button", name="Publish the new version").click()
    expect(page.get_by_text("Published version 2")).to_be_visible()

    page.goto(f"/staff/demo/appointments/{visit.pk}/")
    expect(page.locator("#consent-needed")).to_be_visible()
    expect(page.get_by_role("button", name="Mark completed", exact=True)).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Why the session went ahead").fill("Read the new wording aloud; she agreed before we began.")
    page.get_by_role("button", name="Record the override and mark completed").click()
    expect(page.get_by_text("Marked completed.")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Went ahead without current treatment consent")
    expect(page.locator("#history")).to_contain_text("she agreed before we began")
    visit.refresh_from_db()
    assert visit.status == Status.COMPLETED

    phone = new_page("phone")
    phone.goto(intake_path)
    expect(phone).to_have_url(re.compile(r"/sign-again/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Updated consent")
    expect(phone.get_by_text("We will ask before each new hand position.")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Type your full name to sign").fill("Nina Ferreira")
    phone.get_by_role("button", name="Sign and send").click()
    expect(phone.get_by_text("is needed before a session")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("checkbox").check()
    phone.get_by_role("button", name="Sign and send").click()
    expect(phone.locator("#signed-again")).to_be_visible()
    screenshot(phone, "signed-again")
    assert Signature.objects.filter(client=client, document__version=2, agreed=True).count() == 1
    # Only the answers to the bad input typed on purpose (400 on the settings form, 422 on signing).
    unexpected = [e for e in console_errors(page) + console_errors(phone) if not re.search(r"status of (400|422)", e)]
    assert unexpected == []
