"""Two-factor sign-in in a real browser: a practitioner sets it up from the QR page (the test reads
the key shown as text and computes the codes, as a phone would), signs out, signs in with password
and code, and reaches the staff area; a recovery code works once and not twice; an owner requires
it for all staff. axe-core checks every new page."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "longtide-demo"


def phone_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for the typed key, `steps_ahead` 30-second steps from now.

    A code works once: right after one was used, a phone shows the same code until the next step,
    so the test asks for the next step's code (the server accepts one step of clock drift) instead
    of waiting up to 30 seconds."""
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_step(page: Page, username: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/staff/login/"))


def test_a_practitioner_sets_up_two_factor_and_signs_in_with_a_code_then_a_recovery_code_once(
    page: Page,
    demo_practice: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    password_step(page, "maya")
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)
    screenshot(page, "account-before")
    page.get_by_role("link", name="Set up two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr = page.locator(".qr-box svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150, "a QR code a phone can scan"
    secret = page.get_by_label("Secret key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
    assert_accessible(page)
    screenshot(page, "setup")

    page.get_by_label("Code from your authenticator app").fill("000000" if phone_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code did not match")
    assert page.get_by_label("Secret key").inner_text() == secret, "a wrong code keeps the same key"
    assert_accessible(page)
    # After a wrong code the next try is accepted only a second later (django-otp's back-off).
    page.wait_for_timeout(1100)
    page.get_by_label("Code from your authenticator app").fill(phone_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    sign_out(page)

    # Password, then the code from the app.
    password_step(page, "maya")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    screenshot(page, "code-step")
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next="), timeout=5000)  # not signed in yet
    password_step(page, "maya")
    page.get_by_label("Code from your authenticator app").fill(phone_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practices")
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    sign_out(page)

    # A lost phone: a recovery code, once.
    password_step(page, "maya")
    page.get_by_role("link", name="Lost your phone? Use a recovery code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Use a recovery code")
    assert_accessible(page)
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/account/$"))
    expect(page.get_by_text("You signed in with a recovery code; 9 codes are left.")).to_be_visible()
    expect(page.get_by_text("9 unused recovery codes")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "after-recovery")
    sign_out(page)

    password_step(page, "maya")
    page.get_by_role("link", name="Lost your phone? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That recovery code is not valid, or it was used before.")
    expect(page).to_have_url(re.compile(r"/staff/login/recovery/$"))
    assert_accessible(page)
    assert console_errors(page) == []


def test_an_owner_requires_two_factor_and_staff_are_sent_to_set_it_up_first(
    new_page: Callable[..., Page],
    demo_practice: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    owner = new_page()
    password_step(owner, "owner")
    owner.goto("/staff/demo/settings/sign-in/")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Sign-in settings")
    assert_accessible(owner)
    screenshot(owner, "settings")
    owner.get_by_label("Required for all staff").check()
    owner.get_by_label("Sign out after idle minutes").fill("20")
    owner.get_by_role("button", name="Save").click()
    # The owner is staff too: the practice's pages now ask them to set it up first.
    expect(owner).to_have_url(re.compile(r"/staff/account/two-factor/\?next="))
    expect(owner.get_by_text("requires two-factor sign-in for you")).to_be_visible()

    desk = new_page()
    password_step(desk, "frontdesk")
    desk.goto("/staff/demo/calendar/")
    expect(desk).to_have_url(re.compile(r"/staff/account/two-factor/\?next=%2Fstaff%2Fdemo%2Fcalendar%2F"))
    secret = desk.get_by_label("Secret key").inner_text()
    desk.get_by_label("Code from your authenticator app").fill(phone_code(secret))
    desk.get_by_role("button", name="Turn on two-factor sign-in").click()
    desk.get_by_role("link", name="I have saved my codes").click()
    expect(desk).to_have_url(re.compile(r"/staff/demo/calendar/$"))
    expect(desk.get_by_role("heading", level=1)).to_have_text("Calendar")
    assert console_errors(owner) == [] and console_errors(desk) == []
