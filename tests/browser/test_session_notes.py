"""Session notes in a real browser: on a tablet-sized screen Maya writes yesterday's note (the draft
saves itself as she types), closes the tab, comes back to the draft, signs it, cannot edit it, and
adds an addendum; the owner reads it and prints it. Without JavaScript the same note can be saved
and signed with the buttons. axe-core checks the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, Request, Route, ViewportSize, expect

if TYPE_CHECKING:
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 820, "height": 1180}


@pytest.fixture
def yesterday(demo_practice: Practice) -> Appointment:
    """The demo's past visits with their signed notes, and Tom's visit with Maya yesterday, unwritten."""
    from longtide.clients.models import Client
    from longtide.sampledata.demo_notes import seed_past_visits

    clients = {
        first: Client.objects.create(
            practice=demo_practice, first_name=first, last_name=last, email=f"{first}@example.invalid"
        )
        for first, last in (("Cleo", "Park"), ("Eli", "Moss"), ("Rosa", "Vance"), ("Tom", "Ibe"), ("Iris", "Lund"))
    }
    made = seed_past_visits(demo_practice, clients)
    return next(a for a in made if a.client.first_name == "Tom")


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_a_practitioner_writes_signs_and_amends_a_note_and_the_owner_prints_it(
    new_page: Callable[..., Page],
    yesterday: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    from longtide.notes.models import SessionNote

    page = new_page("desktop", has_touch=True)
    page.set_viewport_size(TABLET)
    sign_in(page, "maya")
    page.goto(f"/staff/demo/appointments/{yesterday.pk}/")
    page.get_by_role("link", name="Write the session note").click()
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_role("heading", name="Session note: Tom Ibe")).to_be_visible()
    assert_accessible(page)

    # Keyboard only: focus the field, type; the draft saves itself a moment after typing stops.
    page.get_by_label("In the client's words").focus()
    page.keyboard.type("Lower back stiff after moving house; wants to garden without aching.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    note_url = page.url.split("#")[0]

    # The tab closes mid-way; the draft is there when she comes back.
    assert console_errors(page) == []
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(note_url)
    expect(page.get_by_label("In the client's words")).to_have_value(
        "Lower back stiff after moving house; wants to garden without aching."
    )

    page.get_by_label("Ongoing consent confirmed").check()
    page.get_by_label("Supine").check()
    for region in ("Hips / pelvis", "Sacrum", "Spine"):
        page.get_by_label(region, exact=True).check()
    page.get_by_label("Sacral hold").check()
    page.get_by_label("Rhythm: rate, amplitude, symmetry").fill("Slow, even.")
    page.get_by_label("Assessment").fill("Reported the back feeling easier by the end. No flags.")
    page.get_by_label("Plan").fill("Two weeks. Short breaks when gardening.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    screenshot(page, "draft")
    page.get_by_role("button", name="Sign and lock").click()

    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    note = SessionNote.objects.get(appointment=yesterday)
    assert note.is_signed and note.hash_matches() and note.signer_credential == "LMT, CST-D"
    expect(page.locator(".signature")).to_contain_text("Signed by Maya Okafor, LMT, CST-D")
    expect(page.locator(".signature")).to_contain_text(note.content_hash)
    expect(page.get_by_text("Practitioner impression", exact=False).first).to_be_visible()
    assert_accessible(page)

    # Editing is gone: no form, and the back button brings back the signed note, not the draft.
    expect(page.get_by_role("button", name="Sign and lock")).to_have_count(0)
    expect(page.get_by_label("In the client's words")).to_have_count(0)
    page.go_back()
    page.reload()
    expect(page.get_by_role("button", name="Sign and lock")).to_have_count(0)
    page.goto(note_url)

    page.get_by_label("Reason").fill("Client emailed the next day")
    page.get_by_label("Addendum", exact=True).fill("Some soreness the evening after; gone by morning.")
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    addendum = page.locator(".addendum")
    expect(addendum).to_contain_text("Client emailed the next day")
    expect(addendum).to_contain_text("Maya Okafor")
    note.refresh_from_db()
    assert note.hash_matches()  # the note itself is unchanged

    owner = new_page("desktop")
    sign_in(owner, "owner")
    owner.goto(note_url)
    expect(owner.locator(".signature")).to_contain_text("Maya Okafor")
    owner.emulate_media(media="print")
    expect(owner.locator(".site-header")).to_be_hidden()
    expect(owner.locator(".addendum")).to_be_visible()
    expect(owner.get_by_role("button", name="Add the addendum")).to_be_hidden()
    screenshot(owner, "print")
    assert owner.pdf(format="A4")[:4] == b"%PDF"
    owner.emulate_media(media="screen")
    with owner.expect_download() as downloading:  # the server's own PDF, from the note's link
        owner.locator("#pdf-link").click()
    download = downloading.value
    assert download.suggested_filename == f"session-note-{note.pk}.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    from longtide.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="print", object_id=str(note.pk), detail="PDF download").count() == 1
    assert console_errors(owner) == []


def test_without_javascript_a_note_is_saved_and_signed_with_the_buttons(
    new_page: Callable[..., Page], yesterday: Any, assert_accessible: Callable[[Page], None]
) -> None:
    from longtide.notes.models import SessionNote

    page = new_page("desktop", java_script_enabled=False)
    sign_in(page, "maya")
    page.goto(f"/staff/demo/appointments/{yesterday.pk}/note/")
    page.get_by_role("button", name="Start the note").click()
    page.get_by_label("In the client's words").fill("Back stiff.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert SessionNote.objects.get(appointment=yesterday).subjective == "Back stiff."
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Please correct the")).to_be_visible()
    expect(page.get_by_text("Write the plan section.")).to_be_visible()
    expect(page.get_by_label("In the client's words")).to_have_value("Back stiff.")
    page.get_by_label("Ongoing consent confirmed").check()
    page.get_by_label("Seated").check()
    page.get_by_label("Feet", exact=True).check()
    page.get_by_label("Assessment").fill("Comfortable throughout.")
    page.get_by_label("Plan").fill("As needed.")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    assert SessionNote.objects.get(appointment=yesterday).is_signed


def test_typing_then_tabbing_onto_sign_and_lock_saves_the_draft_and_does_not_sign(
    new_page: Callable[..., Page], yesterday: Any, console_errors: Callable[[Page], list[str]]
) -> None:
    """htmx sends an autosave to the formaction of the form's last focused button: typing in the plan
    and tabbing past "Save draft" onto "Sign and lock" within the autosave's delay used to sign the
    note without the button being pressed."""
    from longtide.notes.models import SessionNote

    page = _maya_starts_the_note(new_page, yesterday)
    page.get_by_label("Plan").focus()
    page.keyboard.type("Weekly for three sessions.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign and lock")).to_be_focused()
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    note = SessionNote.objects.get(appointment=yesterday)
    assert note.plan == "Weekly for three sessions." and not note.is_signed
    expect(page.get_by_role("heading", name="Session note: Tom Ibe")).to_be_visible()
    assert console_errors(page) == []


def test_no_autosave_races_the_sign_and_lock_button(
    new_page: Callable[..., Page], yesterday: Any, console_errors: Callable[[Page], list[str]]
) -> None:
    """Clicking "Sign and lock" straight after typing blurs the field: its change event schedules an
    autosave 200 ms later, while the page's own submission is still on its way. The signing POST is
    held here for 1.5 s; no autosave may leave the page meanwhile (note-form.js drops it)."""
    from longtide.notes.models import SessionNote

    page = _maya_starts_the_note(new_page, yesterday)
    page.get_by_label("In the client's words").fill("Jaw tight on waking.")
    page.get_by_label("Ongoing consent confirmed").check()
    page.get_by_label("Supine").check()
    page.get_by_label("Neck", exact=True).check()
    page.get_by_label("Assessment").fill("Reported the jaw softer by the end.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    held: list[Route] = []
    page.route("**/note/sign/", lambda route: held.append(route))
    autosaves: list[str] = []
    page.on("request", lambda r: autosaves.append(r.url) if _is_autosave(r) else None)
    page.get_by_label("Plan").fill("Fortnightly, twice more.")
    page.get_by_role("button", name="Sign and lock").click(no_wait_after=True)
    page.wait_for_timeout(1500)
    assert len(held) == 1 and autosaves == []
    held[0].continue_()
    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    note = SessionNote.objects.get(appointment=yesterday)
    assert note.is_signed and note.plan == "Fortnightly, twice more."
    assert console_errors(page) == []


def _maya_starts_the_note(new_page: Callable[..., Page], visit: Any) -> Page:
    """Maya signed in on a desktop page, her note for `visit` just started."""
    page = new_page("desktop")
    sign_in(page, "maya")
    page.goto(f"/staff/demo/appointments/{visit.pk}/")
    page.get_by_role("link", name="Write the session note").click()
    page.get_by_role("button", name="Start the note").click()
    return page


def _is_autosave(request: Request) -> bool:
    return request.method == "POST" and request.headers.get("hx-request") == "true"


def test_a_refused_autosave_says_so_and_a_signed_out_one_too(new_page: Callable[..., Page], yesterday: Any) -> None:
    """htmx leaves 4xx answers out by default: the last "Draft saved at" stayed over text that was not
    saved. A refused autosave shows why; one after signing out says the text is not saved (not the
    sign-in page inside the form)."""
    from longtide.notes.models import SessionNote

    page = _maya_starts_the_note(new_page, yesterday)
    page.get_by_label("Plan").fill("Weekly.")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    page.get_by_label("Pain today").fill("12")
    page.get_by_label("Plan").fill("Weekly, then review.")
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")
    expect(page.locator("#save-status")).to_contain_text("10")
    assert SessionNote.objects.get(appointment=yesterday).plan == "Weekly."
    page.get_by_label("Pain today").fill("3")
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    # Signed out (as by another tab): the session cookie goes, the CSRF cookie stays.
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)  # type: ignore[arg-type]
    page.get_by_label("Plan").fill("Weekly, then review with the client.")
    expect(page.locator("#save-status")).to_contain_text("you are signed out")
    expect(page.locator("#save-status")).not_to_contain_text("Sign in")
    expect(page.locator("#note-form input[name=username]")).to_have_count(0)
    assert SessionNote.objects.get(appointment=yesterday).plan == "Weekly, then review."
    # Without the CSRF cookie either, the refusal is a whole page: not put inside the form.
    page.context.clear_cookies()
    page.get_by_label("Plan").fill("Fortnightly.")
    expect(page.locator("#save-status")).to_contain_text("Not saved: something went wrong")
    expect(page.locator("#save-status")).not_to_contain_text("CSRF")
