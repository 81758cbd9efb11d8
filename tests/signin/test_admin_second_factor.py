"""The operator admin's sign-in asks for the second factor of an account that has one, and a session
of such an account without it opens no admin page (found by a review: the admin's own sign-in
signed a superuser with an authenticator in on the password alone, and that session then opened
the admin and the staff area of practices whose policy is off)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast

from .conftest import code_for, enrol, password_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_with_app(client: HttpClient, cast: Cast, signed_in: Any) -> Any:
    """Olga, a practice owner who is also the operator, with an authenticator app; signed out."""
    olga = cast.olga_user
    olga.is_superuser = True
    olga.save()
    signed_in("olga")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    return device


def test_the_admin_sign_in_asks_an_operator_with_an_app_for_the_code(operator_with_app: Any) -> None:
    browser = HttpClient()
    response = browser.post("/admin/login/?next=/admin/", {"username": "olga", "password": "pw-olga-123"})
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
    assert "_auth_user_id" not in browser.session, "the password alone signs nobody in"
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/staff/tidewater/calendar/").status_code == 302
    assert browser.get("/staff/account/").status_code == 302
    # The code from the app finishes the sign-in and goes on to the admin.
    done = browser.post("/staff/login/code/", {"code": code_for(operator_with_app)})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_a_session_without_the_code_opens_no_admin_page(operator_with_app: Any, cast: Cast) -> None:
    # A session of the operator that was never confirmed with the code (e.g. begun elsewhere).
    browser = HttpClient()
    browser.force_login(cast.olga_user)
    index = browser.get("/admin/")
    assert index.status_code == 302 and index["Location"].startswith("/admin/login/")
    assert browser.get("/admin/practice/practice/").status_code == 302
    assert browser.get("/admin/password_change/").status_code == 302
    # The admin's sign-in sends it to confirm the code, then back.
    login = browser.get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login["Location"] == "/staff/account/two-factor/?next=/admin/"
    # Posting the password again there signs nothing further in.
    again = browser.post("/admin/login/?next=/admin/", {"username": "olga", "password": "pw-olga-123"})
    assert again.status_code == 302 and again["Location"] == "/staff/account/two-factor/?next=/admin/"
    confirmed = browser.post(
        "/staff/account/two-factor/", {"kind": "app", "code": code_for(operator_with_app), "next": "/admin/"}
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_an_operator_without_an_app_still_signs_in_to_the_admin_with_the_password(
    django_user_model: Any,
) -> None:
    django_user_model.objects.create_superuser("root", "root@operator.test", "pw-root-123")
    browser = HttpClient()
    response = browser.post("/admin/login/?next=/admin/", {"username": "root", "password": "pw-root-123"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_the_staff_sign_in_sends_an_operator_to_the_admin_after_the_code(operator_with_app: Any) -> None:
    browser = HttpClient()
    assert password_step(browser, "olga", "pw-olga-123", "/admin/")["Location"] == "/staff/login/code/"
    done = browser.post("/staff/login/code/", {"code": code_for(operator_with_app)})
    assert done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
