"""A new client books in the demo on a phone, opens the intake link from the confirmation email,
answers the health questions and the safety screen, signs the consents — and each flag level shows
its effect on both sides: the client's page, and the staff's appointment page and calendar, where
the practitioner acknowledges the flag (docs/intake.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from longtide.intake.models import Flag, Signature
from longtide.notifications.delivery import deliver_due
from longtide.scheduling.models import Appointment
from tests.browser.test_booking_journey import book_a_first_visit, open_the_emailed_link

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]

EMAIL = "nina@example.test"
LEVELS = {
    # level: (the item answered "yes", the client's heading, front desk's words, the practitioner's words)
    "none": ("", "Thank you: your answers are with your practitioner", None, None),
    "precaution": ("pregnant", "Thank you: your practitioner will take this into account", None, "PRECAUTION flag"),
    "refer": (
        "headache_pattern",
        "Thank you: your practitioner will be in touch before your session",
        "Needs the practitioner's review before the session",
        "Needs review: REFER flag",
    ),
    "emergency": (
        "thunderclap",
        "Please get medical help now",
        "Held: the practitioner must review before the session",
        "Held: EMERGENCY flag",
    ),
}


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("longtide-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def book_and_confirm(page: Page, assert_accessible: Any, screenshot: Any) -> Appointment:
    book_a_first_visit(page, assert_accessible, screenshot)
    open_the_emailed_link(page, EMAIL)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("You're booked.")).to_be_visible()
    expect(page.get_by_role("link", name="Fill in the form")).to_be_visible()
    return Appointment.objects.get(client__email=EMAIL)


def open_intake_from_the_confirmation(page: Page) -> None:
    deliver_due(worker="browser-test")
    body = next(str(m.body) for m in reversed(mail.outbox) if EMAIL in m.to and "is booked" in m.body)
    assert "health questions" in body
    link = re.search(r"/p/demo/manage/[\w-]+/intake/", body)
    assert link, body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")


def complete_intake(page: Page, yes: str, assert_accessible: Any, screenshot: Any) -> None:
    assert_accessible(page)
    page.get_by_label("Date of birth").fill("1990-03-14")
    page.get_by_label("Emergency contact: name").fill("Rui Ferreira")
    page.get_by_label("Emergency contact: phone").fill("+1 718 555 0199")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Why you are coming")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()  # nothing ticked: explained
    expect(page.get_by_text("Please tick at least one reason for coming")).to_be_visible()
    page.get_by_label("Headaches or migraines").check()
    page.locator("#sev-headache").select_option("7")
    page.get_by_label("What would you like to be different").fill("Fewer headache days; sleeping through")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your health")
    page.get_by_label("Have you had craniosacral therapy or other bodywork before?").select_option("none")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Safety questions")
    assert_accessible(page)
    questions = page.locator("fieldset.screen-q")
    count = questions.count()
    assert count == 29
    for i in range(count - 1):  # the last one left unanswered: explained, the others kept
        fieldset = questions.nth(i)
        key = fieldset.get_attribute("id")
        fieldset.locator(f"input[value={'yes' if key == f'q_{yes}' else 'no'}]").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Please check one answer below.")).to_be_visible()
    first = questions.nth(0)
    kept = "yes" if first.get_attribute("id") == f"q_{yes}" else "no"
    expect(first.locator(f"input[value={kept}]")).to_be_checked()
    last = questions.nth(count - 1)
    last.locator(f"input[value={'yes' if last.get_attribute('id') == f'q_{yes}' else 'no'}]").check()
    screenshot(page, "screen")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Consent")
    assert_accessible(page)
    page.get_by_role("button", name="Sign and send").click()  # nothing ticked, no name: explained
    expect(page.get_by_text("Please type your full name to sign.")).to_be_visible()
    page.get_by_label("I have read this and agree to receive craniosacral therapy.").check()
    page.get_by_label("I have read the privacy notice.").check()
    page.get_by_label("Yes, please send me appointment reminders.").check()
    page.get_by_label("Type your full name to sign").fill("Nina Ferreira")
    screenshot(page, "consent")
    page.get_by_role("button", name="Sign and send").click()


@pytest.mark.parametrize("level", list(LEVELS))
def test_intake_on_a_phone_and_each_flag_level_on_both_sides(
    level: str, new_page: Any, assert_accessible: Any, screenshot: Any, console_errors: Any
) -> None:
    yes, heading, front_desk, clinical = LEVELS[level]
    phone = new_page("phone")
    appointment = book_and_confirm(phone, assert_accessible, screenshot)
    open_intake_from_the_confirmation(phone)
    complete_intake(phone, yes, assert_accessible, screenshot)

    # The client's side.
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(phone)
    screenshot(phone, "result")
    if level == "emergency":
        expect(phone.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    signed = Signature.objects.filter(client=appointment.client)
    assert {s.document.kind for s in signed if s.agreed} == {"treatment", "privacy", "reminders"}
    assert {s.typed_name for s in signed} == {"Nina Ferreira"}
    # Going back to a step of the sent form changes nothing: it shows this answer again.
    phone.goto(phone.url.replace("/done/", "/consent/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    assert Signature.objects.filter(client=appointment.client).count() == signed.count()
    # The only failed loads are the steps sent back with problems (422), on purpose.
    assert [e for e in console_errors(phone) if "status of 422" not in e] == []

    # The front desk: the booking's state, never the flag.
    desk = new_page("desktop")
    sign_in(desk, "frontdesk")
    desk.goto(f"/staff/demo/appointments/{appointment.pk}/")
    panel = desk.locator("#intake-panel")
    expect(panel).to_contain_text(front_desk or "Intake and consent done")
    for word in ("EMERGENCY", "REFER", "PRECAUTION", "Thunderclap", "Pregnancy", "pattern"):
        expect(panel).not_to_contain_text(word)
    day = appointment.start.astimezone(appointment.location.zone).date().isoformat()
    desk.goto(f"/staff/demo/calendar/?date={day}")
    block = desk.locator(
        f"a[href='/staff/demo/appointments/{appointment.pk}/']:visible"
    )  # the phone list and the grid are both in the page
    if front_desk:
        expect(block).to_contain_text(front_desk)
    expect(block).not_to_contain_text("EMERGENCY")

    # The practitioner: the flag on the calendar and the appointment, then acknowledged.
    assert appointment.practitioner.user is not None
    practitioner = appointment.practitioner.user.username
    staff = new_page("desktop")
    sign_in(staff, practitioner)
    staff.goto(f"/staff/demo/calendar/?date={day}")
    block = staff.locator(
        f"a[href='/staff/demo/appointments/{appointment.pk}/']:visible"
    )  # the phone list and the grid are both in the page
    if clinical:
        expect(block).to_contain_text(clinical)
    staff.goto(f"/staff/demo/appointments/{appointment.pk}/")
    assert_accessible(staff)
    screenshot(staff, "appointment")
    if not clinical:
        expect(staff.locator("#intake-panel")).to_contain_text("Intake and consent done")
        return
    expect(staff.locator("#intake-panel")).to_contain_text(clinical)
    staff.get_by_role("link", name="Open the intake: answers, flags and consents").click()
    assert_accessible(staff)
    expect(staff.get_by_text("Fewer headache days; sleeping through")).to_be_visible()
    flag = Flag.objects.get(client=appointment.client)
    form = staff.locator(f"#flag-{flag.pk}")
    form.get_by_label(
        "Referred (to a doctor or emergency care)" if level != "precaution" else "Technique modified"
    ).check()
    form.get_by_label("Note (optional)").fill("Called Nina; agreed next steps.")
    form.get_by_role("button", name="Acknowledge").click()
    expect(staff.get_by_text("Acknowledged:")).to_be_visible()
    screenshot(staff, "acknowledged")
    flag.refresh_from_db()
    assert flag.acknowledged_by is not None and flag.acknowledged_by.username == practitioner
    staff.goto(f"/staff/demo/appointments/{appointment.pk}/")
    expect(staff.locator("#intake-panel")).to_contain_text("Intake and consent done")
    # The client's page no longer asks them to act.
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text(LEVELS["none"][1])


def test_intake_works_without_javascript(new_page: Any, assert_accessible: Any, screenshot: Any) -> None:
    page = new_page("phone", java_script_enabled=False)
    book_and_confirm(page, lambda _page: None, lambda *_a, **_k: None)
    open_intake_from_the_confirmation(page)
    complete_intake(page, "chiari", lambda _page: None, lambda *_a, **_k: None)
    expect(page.get_by_role("heading", level=1)).to_have_text(LEVELS["refer"][1])
