"""Two-factor sign-in: enrolment with a QR code and typed secret, the code step after the password,
recovery codes that work once, and practices that require it."""

from __future__ import annotations

import base64
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.signals import user_login_failed
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import Cast
from longtide.accounts.models import RecoveryCode, hash_recovery_code
from longtide.accounts.two_factor import normalize_recovery_code
from longtide.audit.models import AuditEvent
from longtide.practice.access import is_two_factor_verified
from longtide.practice.models import TwoFactorPolicy

from .conftest import code_for, enrol, password_step

pytestmark = pytest.mark.django_db


def test_setup_shows_a_qr_code_and_the_secret_as_text_and_is_off_until_a_code_confirms_it(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    page = client.get("/staff/account/two-factor/")
    html = page.text
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr"' in html and "<title" in html
    assert "<script" not in html.split("</head>")[1], "no inline script on the page"
    device = TOTPDevice.objects.get(user=cast.ana_user)
    assert not device.confirmed
    found = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html)
    assert found is not None
    secret = found.group(1)
    raw = secret.replace(" ", "")
    assert base64.b32decode(raw + "=" * (-len(raw) % 8)) == device.bin_key
    assert page["Cache-Control"].count("no-store")
    # A reload keeps the secret that was scanned.
    again = client.get("/staff/account/two-factor/")
    assert secret in again.text and TOTPDevice.objects.filter(user=cast.ana_user).count() == 1


def test_a_wrong_code_leaves_two_factor_off_and_says_why(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    client.get("/staff/account/two-factor/")
    response = client.post("/staff/account/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not match" in response.text
    assert not TOTPDevice.objects.filter(user=cast.ana_user, confirmed=True).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This field is required."),
        ("12345", "Enter the 6-digit code"),
        ("12a456", "Enter the 6-digit code"),
        ("123\x00456", "Null characters are not allowed."),
        ("9" * 5000, "Ensure this value has at most 20 characters"),
    ],
)
def test_bad_codes_get_a_specific_message_never_a_500(
    client: HttpClient, cast: Cast, signed_in: Any, typed: str, message: str
) -> None:
    signed_in("ana")
    client.get("/staff/account/two-factor/")
    response = client.post("/staff/account/two-factor/", {"code": typed})
    assert response.status_code == 200
    assert message in response.text


def test_confirming_shows_ten_recovery_codes_once_and_stores_only_their_hashes(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    _, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", code) for code in codes)
    stored = set(RecoveryCode.objects.filter(device__user=cast.ana_user).values_list("code_hash", flat=True))
    assert stored == {hash_recovery_code(normalize_recovery_code(code)) for code in codes}
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    account = client.get("/staff/account/").text
    assert "10 unused recovery codes" in account
    assert codes[0] not in account


def test_sign_in_asks_for_the_code_after_the_password_and_signs_in_only_with_it(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")

    response = password_step(client, "ana", "pw-ana-123", "/staff/tidewater/calendar/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
    assert client.get("/staff/").status_code == 302, "the password alone signs nobody in"
    code_page = client.get("/staff/login/code/")
    assert "Enter your code" in code_page.text

    response = client.post("/staff/login/code/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/tidewater/calendar/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert is_two_factor_verified(home.wsgi_request.user)


def test_a_code_works_once(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    code = code_for(device)
    assert client.post("/staff/login/code/", {"code": code}).status_code == 302
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    replay = client.post("/staff/login/code/", {"code": code})
    assert replay.status_code == 200 and "did not match" in replay.text


def test_wrong_codes_count_as_failed_logins_and_five_end_the_attempt(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    failures: list[dict[str, Any]] = []

    def listen(sender: Any, credentials: dict[str, Any], request: Any, **kwargs: Any) -> None:
        failures.append(credentials)

    user_login_failed.connect(listen)
    try:
        password_step(client, "ana", "pw-ana-123")
        wrong = "000000" if code_for(device) != "000000" else "111111"
        for _ in range(5):
            # The device's own back-off (1, 2, 4, 8 s) is lifted here so that the attempt limit shows.
            TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
            response = client.post("/staff/login/code/", {"code": wrong})
        assert response.status_code == 302 and response["Location"] == "/staff/login/"
    finally:
        user_login_failed.disconnect(listen)
    assert [f["username"] for f in failures] == ["ana"] * 5
    # The attempt is over: even the right code now needs the password again.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    again = client.post("/staff/login/code/", {"code": code_for(device)})
    assert again.status_code == 302 and again["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302


def test_after_a_wrong_code_the_app_makes_you_wait_before_the_next_try(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    # The clock stands still between the two tries: the wait after one wrong code is one second,
    # which a loaded machine may spend between two requests.
    with time_machine.travel(timezone.now(), tick=False):
        client.post("/staff/login/code/", {"code": "000000" if code_for(device) != "000000" else "111111"})
        response = client.post("/staff/login/code/", {"code": code_for(device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait" in response.text
    assert client.get("/staff/").status_code == 302


def test_the_second_step_expires_after_five_minutes(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post("/staff/login/code/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/login/"


def test_the_code_step_without_a_password_step_goes_back_to_the_password(client: HttpClient, cast: Cast) -> None:
    for url in ("/staff/login/code/", "/staff/login/recovery/"):
        response = client.post(url, {"code": "123456"})
        assert response.status_code == 302 and response["Location"] == "/staff/login/"


def test_a_recovery_code_signs_in_once_not_twice_and_is_logged_without_personal_data(
    client: HttpClient, cast: Cast, signed_in: Any, caplog: pytest.LogCaptureFixture
) -> None:
    signed_in("ana")
    _, codes = enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    with caplog.at_level(logging.INFO, logger="longtide.signin"):
        response = client.post("/staff/login/recovery/", {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302 and response["Location"] == "/staff/account/"
    account = client.get("/staff/account/")
    assert "9 codes are left" in account.text and "set up your authenticator app again" in account.text
    lines = [r.getMessage() for r in caplog.records if "recovery code used" in r.getMessage()]
    assert lines == [f"Two-factor recovery code used (user id {cast.ana_user.pk}, 9 codes left)"]
    assert not any("ana" in r.getMessage() or "tidewater.test" in r.getMessage() for r in caplog.records)
    event = AuditEvent.objects.get(object_type="two_factor")
    assert (event.practice_id, event.actor_id, event.actor_role, event.action, event.detail) == (
        cast.tidewater.pk,
        cast.ana_user.pk,
        "practitioner",
        "change",
        "signed in with a recovery code; 9 left",
    )
    assert event.client_id is None and event.ip == "127.0.0.1"

    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    again = client.post("/staff/login/recovery/", {"code": codes[3]})
    assert again.status_code == 200 and "used before" in again.text
    assert client.get("/staff/").status_code == 302


def test_a_malformed_recovery_code_gets_a_specific_message(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123")
    for typed in ("abc", "ééééééééééééééée", "x" * 39):
        response = client.post("/staff/login/recovery/", {"code": typed})
        assert response.status_code == 200 and "16 letters and digits" in response.text
    response = client.post("/staff/login/recovery/", {"code": "\x00" * 16})
    assert response.status_code == 200 and "Null characters are not allowed." in response.text


def test_next_after_the_code_step_never_leaves_the_site(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    device, _ = enrol(client)
    client.post("/staff/logout/")
    password_step(client, "ana", "pw-ana-123", "https://evil.example/")
    response = client.post("/staff/login/code/", {"code": code_for(device)})
    # Not the evil address: where Ana lands when no page was asked for, her own day.
    assert response.status_code == 302 and response["Location"].startswith("/staff/tidewater/calendar/?view=day")


def test_staff_without_two_factor_sign_in_with_the_password_alone(client: HttpClient, cast: Cast) -> None:
    response = password_step(client, "ben", "pw-ben-123")
    assert response.status_code == 302 and response["Location"] == "/staff/tidewater/calendar/"
    assert client.get("/staff/tidewater/calendar/").status_code == 200


class TestPracticeRequirement:
    def require(self, cast: Cast, policy: str) -> None:
        cast.tidewater.two_factor_policy = policy
        cast.tidewater.save(update_fields=["two_factor_policy"])

    def test_a_practitioner_is_sent_to_setup_before_anything_else_in_the_practice(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        self.require(cast, TwoFactorPolicy.CLINICAL)
        signed_in("ana")
        response = client.get("/staff/tidewater/calendar/?date=2030-01-07")
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/account/two-factor/?next=%2Fstaff%2Ftidewater%2Fcalendar")
        setup = client.get(response["Location"])
        assert "Tidewater Craniosacral requires two-factor sign-in for you" in setup.text
        device = TOTPDevice.objects.get(user=cast.ana_user)
        done = client.post(response["Location"], {"code": code_for(device), "next": "/staff/tidewater/calendar/"})
        assert 'href="/staff/tidewater/calendar/"' in done.text
        assert client.get("/staff/tidewater/calendar/").status_code == 200

    def test_an_htmx_request_is_sent_to_setup_as_a_whole_page(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        self.require(cast, TwoFactorPolicy.CLINICAL)
        signed_in("olga")
        response = client.get("/staff/tidewater/calendar/", headers={"HX-Request": "true"})
        assert response.status_code == 200 and response["HX-Redirect"].startswith("/staff/account/two-factor/")

    def test_front_desk_is_not_asked_when_only_clinical_staff_must(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        self.require(cast, TwoFactorPolicy.CLINICAL)
        signed_in("ben")
        assert client.get("/staff/tidewater/calendar/").status_code == 200

    def test_the_owner_can_require_it_for_all_staff(self, client: HttpClient, cast: Cast, signed_in: Any) -> None:
        self.require(cast, TwoFactorPolicy.ALL)
        signed_in("ben")
        assert client.get("/staff/tidewater/calendar/")["Location"].startswith("/staff/account/two-factor/")

    def test_another_practices_requirement_does_not_apply(self, client: HttpClient, cast: Cast, signed_in: Any) -> None:
        cast.harbour.two_factor_policy = TwoFactorPolicy.ALL
        cast.harbour.save(update_fields=["two_factor_policy"])
        signed_in("ana")
        assert client.get("/staff/tidewater/calendar/").status_code == 200

    def test_an_outsider_still_gets_404_not_the_setup_page(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        self.require(cast, TwoFactorPolicy.ALL)
        signed_in("dov")
        assert client.get("/staff/tidewater/calendar/").status_code == 404

    def test_a_session_that_began_without_the_code_is_asked_for_it(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        signed_in("ana")
        device, _ = enrol(client)
        self.require(cast, TwoFactorPolicy.CLINICAL)
        other = HttpClient()
        other.force_login(cast.ana_user)  # a session from before two-factor sign-in was set up
        response = other.get("/staff/tidewater/calendar/")
        confirm = other.get(response["Location"])
        assert "Confirm it is you" in confirm.text
        assert not TOTPDevice.objects.filter(user=cast.ana_user, confirmed=False).exists()
        done = other.post(response["Location"], {"kind": "app", "code": code_for(device)})
        assert done.status_code == 302 and done["Location"].startswith("/staff/tidewater/calendar/")
        assert other.get("/staff/tidewater/calendar/").status_code == 200

    def test_two_factor_cannot_be_turned_off_while_a_practice_requires_it(
        self, client: HttpClient, cast: Cast, signed_in: Any
    ) -> None:
        signed_in("ana")
        enrol(client)
        self.require(cast, TwoFactorPolicy.CLINICAL)
        response = client.post("/staff/account/two-factor/off/", {"password": "pw-ana-123"}, follow=True)
        assert "requires two-factor sign-in for you, so it stays on" in response.text
        assert TOTPDevice.objects.filter(user=cast.ana_user, confirmed=True).exists()


def test_turning_two_factor_off_needs_the_password(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    enrol(client)
    wrong = client.post("/staff/account/two-factor/off/", {"password": "nope"}, follow=True)
    assert "that is not your current password" in wrong.text
    assert TOTPDevice.objects.filter(user=cast.ana_user).exists()
    right = client.post("/staff/account/two-factor/off/", {"password": "pw-ana-123"}, follow=True)
    assert "Two-factor sign-in is off." in right.text
    assert not TOTPDevice.objects.filter(user=cast.ana_user).exists()
    assert not RecoveryCode.objects.filter(device__user=cast.ana_user).exists()


def test_moving_to_a_new_phone_keeps_the_old_app_until_the_new_one_is_confirmed(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    old, old_codes = enrol(client)
    page = client.get("/staff/account/two-factor/")
    assert "Move two-factor sign-in to a new phone" in page.text
    new = TOTPDevice.objects.get(user=cast.ana_user, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    done = client.post("/staff/account/two-factor/", {"code": code_for(new), "password": "pw-ana-123"})
    new_codes = done.context["codes"]
    assert list(TOTPDevice.objects.filter(user=cast.ana_user).values_list("pk", flat=True)) == [new.pk]
    assert set(new_codes).isdisjoint(old_codes)


def test_new_recovery_codes_replace_the_old_ones(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    _, old_codes = enrol(client)
    response = client.post("/staff/account/two-factor/recovery-codes/", {"password": "pw-ana-123"})
    new_codes = response.context["codes"]
    assert len(new_codes) == 10 and set(new_codes).isdisjoint(old_codes)
    assert RecoveryCode.objects.filter(device__user=cast.ana_user).count() == 10


def test_turning_two_factor_on_signs_out_the_users_other_sessions(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    other = HttpClient()
    signed_in("ana", http=other)
    signed_in("ana")
    enrol(client)
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200
