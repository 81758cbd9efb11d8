"""Outcomes in a real browser (issue 12's "done when"): the practitioner sends a questionnaire and
the diary link; the client, on a phone, opens them from their booking's page, answers the
questionnaire and fills in a few diary days (catching up on missed ones); the practitioner sees
the chart with its SVG, the words and the table; the owner reads the practice report with its
caveat. axe-core checks each page; screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


@pytest.fixture
def cleo(demo_practice: Any) -> dict[str, Any]:
    """Cleo: a first visit with Maya 20 days ago, a neck-pain episode with a baseline pain of 7
    (two days before it), and her next visit booked."""
    from longtide.measurement.models import Episode, Response
    from longtide.outcomes import instruments
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment, Source

    zone = demo_practice.locations.first().zone
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    maya = demo_practice.practitioners.get(slug="maya-okafor")
    service = demo_practice.services.get(slug="cst-60")
    booked = book_appointment(
        practice=demo_practice,
        service=service,
        practitioner=maya,
        start=datetime.combine(day, time(10), tzinfo=zone),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment
    first = today - timedelta(days=20)
    start = datetime.combine(first, time(7), tzinfo=zone)
    Appointment.objects.create(
        practice=demo_practice,
        location=booked.location,
        service=service,
        practitioner=maya,
        room=booked.room,
        client=booked.client,
        start=start,
        end=start + timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + timedelta(hours=1),
        status="completed",
        source="staff",
        manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
        manage_nonce=nonce,
    )
    episode = Episode.objects.create(
        practice=demo_practice,
        client=booked.client,
        concern="neck_back_pain",
        primary_instrument="nprs_pain",
        opened_on=first,
    )
    nprs = instruments.get("nprs_pain")
    Response.objects.create(
        practice=demo_practice,
        client=booked.client,
        episode=episode,
        instrument="nprs_pain",
        version=nprs.version,
        content_hash=nprs.content_hash(),
        timepoint="baseline",
        answers={"rating": 7},
        total=7,
        band="severe",
        taken_on=first - timedelta(days=2),
        submitted_at=timezone.now(),
    )
    return {"client": booked.client, "manage": f"/p/demo/manage/{token_from_nonce(booked.manage_nonce)}/"}


def test_client_answers_on_a_phone_practitioner_sees_the_chart_owner_the_report(
    new_page: Callable[..., Page],
    cleo: dict[str, Any],
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    client_id = cleo["client"].pk
    outcomes = f"/staff/demo/clients/{client_id}/outcomes/"

    maya = new_page()
    sign_in(maya, "maya")
    maya.goto(outcomes)
    expect(maya.get_by_role("heading", level=1)).to_have_text("Outcomes of Cleo Park")
    form = maya.locator("form.send-form").first
    form.get_by_label("Questionnaire").select_option(label="Pain")
    form.get_by_label("For").select_option(label="Ad hoc")
    form.get_by_role("button", name="Send the link").click()
    expect(maya.get_by_role("status")).to_contain_text("on its way")
    form = maya.locator("form.send-form").first
    form.get_by_label("Questionnaire").select_option(label="Headache diary (daily link)")
    form.get_by_role("button", name="Send the link").click()
    expect(maya.get_by_role("status")).to_contain_text("on its way")
    assert_accessible(maya)

    phone = new_page("phone")
    phone.goto(cleo["manage"])
    panel = phone.locator("#outcomes-panel")
    expect(panel).to_be_visible()
    panel.get_by_role("link", name="A short questionnaire").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Send my answers").click()  # nothing ticked: stored, honestly not scorable?
    expect(phone.locator("#thanks")).to_be_visible()
    screenshot(phone, "questionnaire-sent")

    phone.goto(cleo["manage"])
    phone.get_by_role("link", name="Your daily diary (a few taps a day)").click()
    expect(phone.locator("#diary-day")).to_contain_text("Today")
    assert_accessible(phone)
    phone.locator("#item-headache").get_by_label("Yes").check()
    phone.locator('input[name="peak"][value="5"]').check()
    phone.locator("#item-migraine").get_by_label("No").check()
    phone.locator("#item-medication").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    expect(phone.get_by_role("status")).to_contain_text("Saved")
    expect(phone.locator("#diary-day")).not_to_contain_text("Today")  # on to yesterday: catch-up
    for _ in range(2):
        phone.locator("#item-headache").get_by_label("No").check()
        phone.get_by_role("button", name="Save this day").click()
        expect(phone.get_by_role("status")).to_contain_text("Saved")
    screenshot(phone, "diary")

    maya.goto(f"/staff/demo/clients/{client_id}/chart/")
    section = maya.locator("#outcomes")
    expect(section).to_contain_text("Headache diary")
    expect(section).to_contain_text("3 of 28 days filled in")
    expect(section).to_contain_text("at least 23 are needed")
    expect(section.locator("table.outcome-table").first).to_be_visible()
    expect(section.locator("svg.outcome-chart")).to_have_count(1)  # the pain chart (the diary has no month yet)
    expect(section).to_contain_text("Not scorable")
    assert_accessible(maya)
    screenshot(maya, "chart")
    assert console_errors(maya) == [] and console_errors(phone) == []


def test_the_practitioner_sees_improvement_words_and_the_owner_the_report(
    new_page: Callable[..., Page],
    cleo: dict[str, Any],
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.measurement import links
    from longtide.measurement.models import Episode

    episode = Episode.objects.get(client=cleo["client"])
    maya = new_page()
    sign_in(maya, "maya")
    maya.goto(f"/staff/demo/clients/{cleo['client'].pk}/outcomes/")
    maya.locator("form.send-form").first.get_by_role("button", name="Send the link").click()
    link = episode.links.get()
    phone = new_page("phone")
    phone.goto(links.path_of(link))
    phone.locator('input[name="rating"][value="3"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#thanks")).to_be_visible()
    phone.go_back()
    phone.reload()
    expect(phone.locator("#thanks")).to_be_visible()  # the back button: the same thanks, nothing new

    maya.goto(f"/staff/demo/clients/{cleo['client'].pk}/chart/")
    series = maya.locator("#outcomes .series").first
    expect(series).to_contain_text("improved by at least the minimal important change")
    expect(series.locator("svg.outcome-chart title")).to_contain_text("Lower is better")
    expect(series.locator('path[data-shape="diamond"]')).to_have_count(1)
    expect(series.locator('path[data-shape="triangle_down"]')).to_have_count(1)
    screenshot(maya, "chart-improved")

    owner = new_page()
    sign_in(owner, "owner")
    owner.goto("/staff/demo/reports/outcomes/?concern=neck_back_pain")
    expect(owner.locator("#caveat")).to_contain_text("What these figures can and cannot tell you")
    expect(owner.locator("#n-started")).to_have_text("1")
    expect(owner.locator("#n-baseline")).to_have_text("1")
    expect(owner.locator("#window-week_12")).to_contain_text("Fewer than 10 clients: counts only")
    assert_accessible(owner)
    screenshot(owner, "report")
    assert console_errors(owner) == []
