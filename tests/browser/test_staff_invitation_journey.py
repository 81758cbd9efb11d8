"""Inviting someone who already has a Longtide login, in a real browser: the demo's owner invites a
practitioner who signs in elsewhere; the owner's page says the same as for a new address ("Sent the
invitation", "Invited, not joined yet"); the invitee signs in, sees the invitation on their staff
home, and only after Accept is the demo clinic theirs. axe-core checks each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from longtide.practice.models import StaffMembership

pytestmark = pytest.mark.browser

PASSWORD = "longtide-demo"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/staff/login/?next=/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_an_existing_login_accepts_an_invitation_before_joining(
    new_page: Callable[..., Page],
    demo_practice: Any,
    console_errors: Callable[[Page], list[str]],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    rowan = User.objects.create_user("rowan", "rowan@elsewhere.test", "rowan-pw-123456")  # signs in elsewhere

    owner = new_page()
    sign_in(owner, "owner", PASSWORD)
    owner.goto(f"/staff/{demo_practice.slug}/settings/staff/")
    owner.get_by_label("Email address").fill("Rowan@Elsewhere.test")
    owner.get_by_label("First name").fill("Rowan")
    owner.get_by_role("group", name="Role").get_by_label("Practitioner").check()
    owner.get_by_role("button", name="Send the invitation").click()
    expect(owner.get_by_text("Sent the invitation to rowan@elsewhere.test")).to_be_visible()
    row = owner.get_by_role("row").filter(has_text="rowan@elsewhere.test")
    expect(row).to_contain_text("Invited, not joined yet")
    assert_accessible(owner)
    screenshot(owner, "owner")
    assert not StaffMembership.objects.filter(user=rowan).exists()

    invitee = new_page()
    sign_in(invitee, "rowan", "rowan-pw-123456")
    card = invitee.get_by_role("region", name="Invitations to join a practice")
    expect(card).to_contain_text(f"{demo_practice.name} invited you to join as Practitioner.")
    assert_accessible(invitee)
    screenshot(invitee, "invitee")
    accept = card.get_by_role("button", name=f"Accept the invitation to {demo_practice.name}")
    box = accept.bounding_box()
    assert box is not None and box["width"] < 200, "the practice's name is for screen readers, not shown twice"
    accept.click()
    expect(invitee.get_by_role("status")).to_contain_text(f"You joined {demo_practice.name} as Practitioner.")
    expect(invitee.get_by_role("heading", name=demo_practice.name, level=2)).to_be_visible()
    expect(invitee.get_by_role("link", name="Calendar")).to_have_attribute(
        "href", f"/staff/{demo_practice.slug}/calendar/"
    )
    expect(invitee.get_by_role("region", name="Invitations to join a practice")).to_have_count(0)
    membership = StaffMembership.objects.get(user=rowan)
    assert membership.practice_id == demo_practice.pk and membership.role == "practitioner"
    # The back button and a second Accept change nothing: the invitation is gone (a 404 page).
    invitee.go_back()
    screenshot(invitee, "after")

    owner.reload()
    expect(owner.get_by_role("row").filter(has_text="rowan@elsewhere.test")).not_to_contain_text(
        "Invited, not joined yet"
    )
    assert console_errors(owner) == [] and console_errors(invitee) == []
