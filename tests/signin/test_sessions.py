"""Staff sessions: they end after the practice's idle time (measured on the server, HTMX included)
and on a password change; staff see their sessions and end their own, never anyone else's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.accounts.models import StaffSession

pytestmark = pytest.mark.django_db


def later(minutes: float) -> Any:
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_session_idle_past_the_practice_limit_is_signed_out_with_a_message(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ben")
    with later(31):
        response = client.get("/staff/tidewater/calendar/?view=week")
        assert response.status_code == 302
        assert response["Location"] == "/staff/login/?next=%2Fstaff%2Ftidewater%2Fcalendar%2F%3Fview%3Dweek"
        login = client.get(response["Location"])
        assert "You were signed out after 30 minutes without activity." in login.text
        assert client.get("/staff/").status_code == 302
    assert not StaffSession.objects.filter(user=cast.ben_user).exists()


def test_activity_within_the_limit_keeps_the_session_alive(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ben")
    for step in (20, 40, 60, 80):
        with later(step):
            assert client.get("/staff/tidewater/calendar/").status_code == 200


def test_an_htmx_request_after_the_limit_sends_the_whole_page_to_sign_in(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ben")
    with later(45):
        response = client.get("/staff/tidewater/calendar/?date=2030-01-01", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/staff/login/?next=")


def test_the_strictest_of_the_users_practices_sets_the_limit(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    from longtide.practice.models import Role, StaffMembership

    cast.harbour.idle_timeout_minutes = 10
    cast.harbour.save(update_fields=["idle_timeout_minutes"])
    StaffMembership.objects.create(practice=cast.harbour, user=cast.ben_user, role=Role.FRONT_DESK)
    signed_in("ben")
    with later(11):
        response = client.get("/staff/tidewater/calendar/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_a_practice_may_allow_a_longer_idle_time(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    cast.tidewater.idle_timeout_minutes = 120
    cast.tidewater.save(update_fields=["idle_timeout_minutes"])
    signed_in("ben")
    with later(100):
        assert client.get("/staff/tidewater/calendar/").status_code == 200


def test_the_public_site_goes_on_for_a_staff_member_who_idled(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ben")
    with later(31):
        assert client.get("/p/tidewater/").status_code == 200
        assert client.get("/staff/").status_code == 302


def test_staff_see_their_sessions_with_browser_address_and_last_seen(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    phone = HttpClient(headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari/605"}, REMOTE_ADDR="127.0.0.9")
    signed_in("ana", http=phone)
    laptop = HttpClient(headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/140"})
    signed_in("ana", http=laptop)
    page = laptop.get("/staff/account/").text
    assert "iPhone" in page and "127.0.0.9" in page and "Firefox/140" in page
    assert page.count("This browser") == 1
    rows = StaffSession.objects.filter(user=cast.ana_user)
    assert rows.count() == 2 and all(r.last_seen and r.started_at for r in rows)
    for row in rows:
        assert row.session_key not in page, "a session key is a credential: never in a page"


def test_ending_another_session_signs_that_browser_out(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    phone = HttpClient(headers={"User-Agent": "Phone"})
    signed_in("ana", http=phone)
    signed_in("ana")
    handle = StaffSession.objects.get(user=cast.ana_user, user_agent="Phone").handle
    response = client.post(f"/staff/account/sessions/{handle}/end/")
    assert response.status_code == 302
    assert phone.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200


def test_nobody_can_end_another_users_session(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    ana = HttpClient()
    signed_in("ana", http=ana)
    handle = StaffSession.objects.get(user=cast.ana_user).handle
    for intruder in ("ben", "olga", "dov"):
        other = HttpClient()
        signed_in(intruder, http=other)
        assert other.post(f"/staff/account/sessions/{handle}/end/").status_code == 404
        assert handle not in other.get("/staff/account/").text
    assert ana.get("/staff/").status_code == 200


def test_a_handle_that_is_no_session_gets_404(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    for handle in ("0" * 32, "9" * 20, "x" * 200):
        assert client.post(f"/staff/account/sessions/{handle}/end/").status_code == 404


def test_ending_all_other_sessions_keeps_this_one(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    others = [HttpClient(), HttpClient()]
    for other in others:
        signed_in("ana", http=other)
    signed_in("ana")
    response = client.post("/staff/account/sessions/end-others/", follow=True)
    assert "2 other sessions ended." in response.text
    assert all(other.get("/staff/").status_code == 302 for other in others)
    assert client.get("/staff/").status_code == 200


def test_changing_the_password_ends_every_other_session(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    other = HttpClient()
    signed_in("ana", http=other)
    signed_in("ana")
    response = client.post(
        "/staff/account/password/",
        {
            "old_password": "pw-ana-123",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert "Your password is changed. 1 other session was signed out." in response.text
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200
    assert StaffSession.objects.filter(user=cast.ana_user).count() == 1


def test_a_wrong_current_password_changes_nothing_and_keeps_what_was_typed(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    other = HttpClient()
    signed_in("ana", http=other)
    signed_in("ana")
    response = client.post(
        "/staff/account/password/",
        {"old_password": "wrong", "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.text
    assert other.get("/staff/").status_code == 200


def test_a_password_changed_elsewhere_ends_the_session_and_it_leaves_the_list(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    cast.ana_user.set_password("changed-by-the-operator")
    cast.ana_user.save()
    assert client.get("/staff/").status_code == 302
    assert not StaffSession.objects.filter(user=cast.ana_user).exists()


def test_signing_out_removes_the_session_row(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    assert StaffSession.objects.filter(user=cast.ana_user).count() == 1
    client.post("/staff/logout/")
    assert StaffSession.objects.filter(user=cast.ana_user).count() == 0
