"""A practice's own note fields in a real browser: the owner adds a measured field on Settings → Note
fields (a number without its unit is refused and what was typed stays), publishes it, and Maya's new
note offers it, saves it as she types, and keeps the fixed consent check and impression labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_session_notes import sign_in, yesterday  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def test_the_owner_adds_a_measured_field_and_a_new_note_offers_it(
    new_page: Callable[..., Page],
    yesterday: Any,  # noqa: F811
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
) -> None:
    from longtide.notes.models import SessionNote

    owner = new_page("desktop")
    sign_in(owner, "owner")
    owner.goto("/staff/demo/settings/note-fields/")
    expect(owner.get_by_role("heading", name="Note fields", exact=True)).to_be_visible()
    assert_accessible(owner)
    own = owner.get_by_role("group", name="Own field 1")
    own.get_by_label("Label").fill("Jaw opening")
    own.get_by_label("Kind").select_option("number")
    own.get_by_label("Part of the note").select_option("objective")
    owner.get_by_role("button", name="Publish a new version").click()
    expect(owner.locator("#form-errors")).to_be_visible()
    expect(own.get_by_label("Label")).to_have_value("Jaw opening")  # kept
    expect(own).to_contain_text("Say the unit of the number")
    own.get_by_label("Unit (for a number)").fill("mm")
    owner.get_by_role("button", name="Publish a new version").click()
    expect(owner.get_by_text(re.compile(r"Saved version \d+\."))).to_be_visible()
    # The only failed load is the form sent back with the problem (422), on purpose.
    assert [e for e in console_errors(owner) if "status of 422" not in e] == []

    page = new_page("desktop")
    sign_in(page, "maya")
    page.goto(f"/staff/demo/appointments/{yesterday.pk}/note/")
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_label("Ongoing consent confirmed")).to_be_visible()  # fixed
    expect(page.get_by_text("Practitioner impressions")).to_be_visible()
    page.get_by_label("Jaw opening (mm)").fill("34,5")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    assert_accessible(page)
    note = SessionNote.objects.get(appointment=yesterday)
    assert note.extra == {"x_jaw_opening": "34.5"} and note.template_key == "practice"
    assert console_errors(page) == []
