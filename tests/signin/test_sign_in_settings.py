"""The owner's sign-in settings page: bounds, and the list of who still needs two-factor sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast

pytestmark = pytest.mark.django_db

URL = "/staff/tidewater/settings/sign-in/"


@pytest.mark.parametrize(
    ("idle", "message"),
    [
        ("1", "Ensure this value is greater than or equal to 5."),
        ("721", "Ensure this value is less than or equal to 720."),
        ("99999999999999999999", "Ensure this value is less than or equal to 720."),
        ("-3", "Ensure this value is greater than or equal to 5."),
        ("ten", "Enter a whole number."),
        ("3\x000", "Enter a whole number."),
    ],
)
def test_idle_minutes_out_of_bounds_get_a_specific_message_and_keep_the_rest(
    client: HttpClient, cast: Cast, signed_in: Any, idle: str, message: str
) -> None:
    signed_in("olga")
    response = client.post(
        URL, {"two_factor_policy": "clinical", "idle_timeout_minutes": idle, "backup_max_age_hours": "48"}
    )
    assert response.status_code == 422
    assert message in response.text
    assert re.search(r'name="backup_max_age_hours" value="48"', response.text)
    assert re.search(r'value="clinical"[^>]* checked', response.text)
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.idle_timeout_minutes == 30


def test_the_owner_saves_the_settings_and_sees_who_still_needs_two_factor(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("olga")
    response = client.post(
        URL, {"two_factor_policy": "clinical", "idle_timeout_minutes": "15", "backup_max_age_hours": "12"}, follow=True
    )
    assert "Sign-in settings saved." in response.text
    cast.tidewater.refresh_from_db()
    assert (
        cast.tidewater.two_factor_policy,
        cast.tidewater.idle_timeout_minutes,
        cast.tidewater.backup_max_age_hours,
    ) == (
        "clinical",
        15,
        12,
    )


def test_saving_requires_the_owner_to_have_two_factor_too(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("olga")
    client.post(URL, {"two_factor_policy": "all", "idle_timeout_minutes": "30", "backup_max_age_hours": "24"})
    # The owner is clinical staff: from now on the practice's pages ask them to set it up first.
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/staff/account/two-factor/")


def test_the_staff_list_shows_only_those_who_have_joined(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    """Invited and not joined: a new address is a membership, an existing login an invitation. Listed
    here only in the first case, the page would tell the owner which invited addresses had a login."""
    from django.utils import timezone

    from longtide.practice.models import Role
    from longtide.practice.staff import invite_staff

    for email in ("brand.new@example.test", "dov@harbour.test"):  # no login yet; Dov has one (Harbour)
        invite_staff(
            practice=cast.tidewater, email=email, role=Role.PRACTITIONER, by=cast.olga_user, now=timezone.now()
        )
    signed_in("olga")
    page = client.get(URL).text
    assert "brand.new" not in page and "dov" not in page.lower()
    assert re.search(r">\s*ana\s*<", page)  # a member who has joined is listed (by username)
