"""Every sign-in and account URL × role × own/other practice, with the exact answer.

The account pages act on the signed-in user only (no URL names another user), so every member gets
the same answer there; the practice's sign-in settings are the owner's alone, and an outsider or a
member of another practice gets 404, never 403."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import Cast, ClientResponse
from longtide.accounts.models import StaffSession

pytestmark = pytest.mark.django_db

PASSWORDS = {"ana": "pw-ana-123", "ben": "pw-ben-123", "olga": "pw-olga-123", "dov": "pw-dov-123"}
MEMBERS = ["ana", "ben", "olga", "dov"]


def http_for(who: str) -> HttpClient:
    http = HttpClient()
    if who != "anonymous":
        response = http.post("/staff/login/", {"username": who, "password": PASSWORDS[who]})
        assert response.status_code == 302
    return http


def login_redirect(response: ClientResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/staff/login/")


ACCOUNT_PAGES = ["/staff/account/", "/staff/account/password/", "/staff/account/two-factor/"]


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
@pytest.mark.parametrize("who", ["anonymous", *MEMBERS])
def test_account_pages_answer_each_member_about_themselves_and_send_strangers_to_sign_in(
    cast: Cast, who: str, url: str
) -> None:
    response = http_for(who).get(url)
    if who == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


POST_ONLY = [
    "/staff/account/two-factor/recovery-codes/",
    "/staff/account/two-factor/off/",
    "/staff/account/sessions/end-others/",
]


@pytest.mark.parametrize("url", POST_ONLY)
@pytest.mark.parametrize("who", ["anonymous", *MEMBERS])
def test_account_actions_are_posts_for_signed_in_staff(cast: Cast, who: str, url: str) -> None:
    http = http_for(who)
    assert http.get(url).status_code == 405
    response = http.post(url, {"password": "wrong"})
    if who == "anonymous":
        assert login_redirect(response)
    elif url.endswith("recovery-codes/"):
        assert response.status_code == 404  # nobody here has two-factor sign-in to make codes for
    else:
        assert response.status_code == 302 and response["Location"] == "/staff/account/"


@pytest.mark.parametrize("owner_of_session", MEMBERS)
@pytest.mark.parametrize("who", ["anonymous", *MEMBERS])
def test_a_session_is_ended_only_by_its_own_user(cast: Cast, who: str, owner_of_session: str) -> None:
    victim = http_for(owner_of_session)
    handle = StaffSession.objects.get(user__username=owner_of_session).handle
    http = http_for(who)
    response = http.post(f"/staff/account/sessions/{handle}/end/")
    if who == "anonymous":
        assert login_redirect(response)
    elif who == owner_of_session:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    still_signed_in = victim.get("/staff/").status_code == 200
    assert still_signed_in == (who != owner_of_session)


@pytest.mark.parametrize("url", ["/staff/login/code/", "/staff/login/recovery/"])
@pytest.mark.parametrize("who", ["anonymous", *MEMBERS])
def test_the_second_step_without_a_password_step_goes_back_to_sign_in(cast: Cast, who: str, url: str) -> None:
    http = http_for(who)
    for response in (http.get(url), http.post(url, {"code": "123456"})):
        assert response.status_code == 302 and response["Location"] == "/staff/login/"


EXPECTED_SETTINGS = {
    # (who, practice): status
    ("olga", "tidewater"): 200,
    ("ana", "tidewater"): 404,
    ("ben", "tidewater"): 404,
    ("dov", "tidewater"): 404,
    ("olga", "harbour"): 404,
    ("ana", "harbour"): 404,
    ("ben", "harbour"): 404,
    ("dov", "harbour"): 404,  # a practitioner, not the owner
}


@pytest.mark.parametrize(("who", "practice"), list(EXPECTED_SETTINGS))
def test_sign_in_settings_are_the_owners_alone(cast: Cast, who: str, practice: str) -> None:
    http = http_for(who)
    url = f"/staff/{practice}/settings/sign-in/"
    expected = EXPECTED_SETTINGS[(who, practice)]
    assert http.get(url).status_code == expected
    response = http.post(url, {"two_factor_policy": "all", "idle_timeout_minutes": 5, "backup_max_age_hours": 1})
    assert response.status_code == (302 if expected == 200 else 404)
    from longtide.practice.models import Practice

    changed = Practice.objects.get(slug=practice).two_factor_policy == "all"
    assert changed == (expected == 200)


@pytest.mark.parametrize("practice", ["tidewater", "harbour", "no-such-practice"])
def test_sign_in_settings_send_anonymous_visitors_to_sign_in(cast: Cast, practice: str) -> None:
    assert login_redirect(HttpClient().get(f"/staff/{practice}/settings/sign-in/"))
