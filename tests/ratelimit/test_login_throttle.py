"""Staff sign-in attempts per account and per network address, counted before any password is hashed:
a lock-out answered with 429 and Retry-After, logged without the password or the username."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import base_user, hashers
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client as HttpClient
from pytest_django import Settings

from conftest import Cast, ClientResponse

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 7, tzinfo=UTC)  # 7 minutes into a 15-minute window
LOGIN = "/staff/login/"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash computed: a check against a stored hash, or a hash of a new password
    (Django hashes the attempt for an unknown username too, to take as long as a known one)."""
    computed: list[str] = []
    lock = threading.Lock()
    real_check, real_make = hashers.check_password, hashers.make_password  # what base_user imported

    def check(*args: Any, **kwargs: Any) -> bool:
        with lock:
            computed.append("check")
        return real_check(*args, **kwargs)

    def make(*args: Any, **kwargs: Any) -> str:
        with lock:
            computed.append("make")
        return real_make(*args, **kwargs)

    monkeypatch.setattr(base_user, "check_password", check)
    monkeypatch.setattr(base_user, "make_password", make)
    return computed


def sign_in(client: HttpClient, username: str, password: str, address: str = "203.0.113.7") -> ClientResponse:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_after_too_many_wrong_ones_is_refused_until_the_window_ends(
    client: HttpClient, cast: Cast
) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            assert sign_in(client, "ana", "wrong").status_code == 200
        refused = sign_in(client, "ana", "pw-ana-123")
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(8 * 60)
        assert "Too many sign-in attempts. Please wait 8 minutes and try again." in refused.text
        assert "_auth_user_id" not in client.session
    with time_machine.travel(NOW + timedelta(minutes=8), tick=False):
        signed_in = sign_in(client, "ana", "pw-ana-123")
        assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(cast.ana_user.pk)


def test_a_locked_account_is_checked_without_hashing_its_password(
    client: HttpClient, cast: Cast, hashes: list[str]
) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, "ana", "wrong")
        assert len(hashes) == 5
        for _ in range(10):
            assert sign_in(client, "ana", "wrong").status_code == 429
        assert len(hashes) == 5


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_wrong_passwords_cost_five_hashes(
    cast: Cast, hashes: list[str], caplog: pytest.LogCaptureFixture, settings: Settings
) -> None:
    # Only the account's limit here: all twenty come from one address, and with its own limit (10) a
    # thread counted fifth for the account could be counted eleventh for the address, so how many of
    # the five get through would depend on thread timing (the address limit has its own tests).
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 1000
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            client = HttpClient()
            barrier.wait(timeout=30)
            status = sign_in(client, "ana", "wrong").status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    # On a stopped clock: the limit counts per 15-minute window of the clock, and twenty sign-ins
    # straddling a window's end would be counted in two windows.
    with caplog.at_level(logging.WARNING, logger="longtide.accounts.throttle"), time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=guess) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(statuses) == [200] * 5 + [429] * 15
    assert len(hashes) == 5, "the attempts beyond the limit were refused before any hashing"
    [lockout] = [r.getMessage() for r in caplog.records if "for user id" in r.getMessage()]
    assert f"user id {cast.ana_user.pk}" in lockout
    assert "ana" not in lockout.replace(f"user id {cast.ana_user.pk}", "") and "wrong" not in lockout


def test_a_lockout_is_logged_once_without_the_password_or_an_email_address(
    client: HttpClient, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    cast.ana_user.username = "ana@tidewater.test"  # invited staff sign in with their email address
    cast.ana_user.save()
    with caplog.at_level(logging.WARNING, logger="longtide.accounts.throttle"), time_machine.travel(NOW, tick=False):
        for _ in range(8):
            sign_in(client, "ana@tidewater.test", "hunter2-wrong")
    lines = [r.getMessage() for r in caplog.records if r.name == "longtide.accounts.throttle"]
    assert lines == [
        f"staff sign-in locked out: more than 5 attempts for user id {cast.ana_user.pk} within 15 minutes; "
        "refused for 480 s"
    ]
    assert "@" not in lines[0] and "hunter2" not in lines[0]


def test_many_accounts_tried_from_one_address_lock_that_address(
    client: HttpClient, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="longtide.accounts.throttle"), time_machine.travel(NOW, tick=False):
        for n in range(10):
            assert sign_in(client, f"guess{n}", "wrong").status_code == 200
        assert sign_in(client, "ana", "pw-ana-123").status_code == 429
        assert sign_in(HttpClient(), "ana", "pw-ana-123", address="198.51.100.9").status_code == 302
    assert any("from address 203.0.113.7" in r.getMessage() for r in caplog.records)


def test_signing_in_gives_the_attempt_back(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            assert sign_in(HttpClient(), "ana", "wrong").status_code == 200
        assert sign_in(HttpClient(), "ana", "pw-ana-123").status_code == 302
        # Counted, the success would make this the sixth attempt: it is the fifth failure.
        assert sign_in(HttpClient(), "ana", "wrong").status_code == 200
        assert sign_in(HttpClient(), "ana", "wrong").status_code == 429


def test_the_operator_sign_in_is_throttled_too(client: HttpClient, django_user_model: type[User]) -> None:
    django_user_model.objects.create_superuser("root", "root@operator.test", "pw-root-123")
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            assert client.post("/admin/login/", {"username": "root", "password": "wrong"}).status_code == 200
        refused = client.post("/admin/login/", {"username": "root", "password": "pw-root-123"})
    assert refused.status_code == 429 and refused["Retry-After"] == "480"
    assert "Too many sign-in attempts" in refused.text
    assert "_auth_user_id" not in client.session


def test_new_passwords_are_hashed_with_argon2(settings: Settings) -> None:
    from django.contrib.auth.hashers import check_password, make_password

    from longtide import settings as project

    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    hashed = make_password("correct horse battery staple")
    assert hashed.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", hashed)


def test_wrong_second_factor_codes_count_against_the_account(cast: Cast) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=cast.ana_user, name="phone", confirmed=True)
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            # Past the device's own back-off (django-otp), which would refuse the code unheard.
            TOTPDevice.objects.filter(pk=device.pk).update(
                throttling_failure_timestamp=None, throttling_failure_count=0
            )
            browser = HttpClient()
            assert sign_in(browser, "ana", "pw-ana-123")["Location"] == "/staff/login/code/"
            assert browser.post("/staff/login/code/", {"code": "000000"}).status_code == 200
        assert sign_in(HttpClient(), "ana", "pw-ana-123").status_code == 429


def _lift_device_backoff(user: User) -> None:
    """Past django-otp's own back-off after a wrong code (1, 2, 4… s), so that the attempt limit shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from longtide.accounts.models import RecoveryCodeDevice

    for model in (TOTPDevice, RecoveryCodeDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)


def _sessions_past_the_password(n: int, address: str = "203.0.113.7") -> list[HttpClient]:
    browsers = [HttpClient(REMOTE_ADDR=address) for _ in range(n)]
    for browser in browsers:
        assert sign_in(browser, "ana", "pw-ana-123", address)["Location"] == "/staff/login/code/"
    return browsers


def test_wrong_app_codes_from_many_sessions_lock_the_code_step(cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    """Someone with the password opens many sessions and tries codes in each: the codes share the
    account's budget with the password, and past it the code step answers 429 unchecked."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.signin.conftest import code_for

    device = TOTPDevice.objects.create(user=cast.ana_user, name="phone", confirmed=True)
    checked: list[str] = []
    real_verify = TOTPDevice.verify_token

    def verify(self: TOTPDevice, token: str) -> bool:
        checked.append(token)
        verified: bool = real_verify(self, token)  # django-otp is untyped
        return verified

    with (
        time_machine.travel(NOW, tick=False),
        caplog.at_level(logging.WARNING, logger="longtide.accounts.throttle"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(TOTPDevice, "verify_token", verify)
        browsers = _sessions_past_the_password(7)
        right = code_for(device)
        wrong = "000000" if right != "000000" else "111111"
        for browser in browsers[:5]:
            _lift_device_backoff(cast.ana_user)
            answer = browser.post("/staff/login/code/", {"code": wrong})
            assert answer.status_code == 200 and "That code did not match." in answer.text
        _lift_device_backoff(cast.ana_user)
        refused = browsers[5].post("/staff/login/code/", {"code": wrong})
        assert refused.status_code == 429 and refused["Retry-After"] == "480"
        assert "Too many sign-in attempts. Please wait 8 minutes and try again." in refused.text
        # Even the right code is not checked now: the limit stands in front of it.
        right_but_refused = browsers[6].post("/staff/login/code/", {"code": right})
        assert right_but_refused.status_code == 429 and right_but_refused["Retry-After"] == "480"
        assert "_auth_user_id" not in browsers[6].session
        assert checked == [wrong] * 5
    lines = [r.getMessage() for r in caplog.records if r.name == "longtide.accounts.throttle"]
    assert lines == [
        f"staff sign-in locked out at the code step: more than 5 attempts for user id {cast.ana_user.pk} "
        "within 15 minutes; refused for 480 s"
    ]
    assert "ana" not in lines[0] and right not in lines[0] and wrong not in lines[0]

    with time_machine.travel(NOW + timedelta(minutes=8), tick=False):
        [browser] = _sessions_past_the_password(1)
        _lift_device_backoff(cast.ana_user)
        signed_in = browser.post("/staff/login/code/", {"code": code_for(device)})
        assert signed_in.status_code == 302 and browser.session["_auth_user_id"] == str(cast.ana_user.pk)


def test_wrong_recovery_codes_lock_the_recovery_step_and_spare_the_codes(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from longtide.accounts.two_factor import issue_recovery_codes, recovery_codes_left

    TOTPDevice.objects.create(user=cast.ana_user, name="phone", confirmed=True)
    codes = issue_recovery_codes(user=cast.ana_user)
    with (
        time_machine.travel(NOW, tick=False),
        caplog.at_level(logging.WARNING, logger="longtide.accounts.throttle"),
    ):
        browsers = _sessions_past_the_password(7)
        for browser in browsers[:5]:
            _lift_device_backoff(cast.ana_user)
            answer = browser.post("/staff/login/recovery/", {"code": "ABCD-EFGH-JKMN-PQRS"})
            assert (
                answer.status_code == 200 and "That recovery code is not valid, or it was used before." in answer.text
            )
        _lift_device_backoff(cast.ana_user)
        refused = browsers[5].post("/staff/login/recovery/", {"code": codes[0]})
        assert refused.status_code == 429 and refused["Retry-After"] == "480"
        assert "Too many sign-in attempts. Please wait 8 minutes and try again." in refused.text
        assert "_auth_user_id" not in browsers[5].session
    assert recovery_codes_left(cast.ana_user) == 10  # the refused code was not used up
    lines = [r.getMessage() for r in caplog.records if r.name == "longtide.accounts.throttle"]
    assert lines == [
        f"staff sign-in locked out at the recovery code step: more than 5 attempts for user id "
        f"{cast.ana_user.pk} within 15 minutes; refused for 480 s"
    ]


def test_a_right_code_gives_its_attempt_back(cast: Cast) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from longtide.accounts.two_factor import issue_recovery_codes

    TOTPDevice.objects.create(user=cast.ana_user, name="phone", confirmed=True)
    codes = issue_recovery_codes(user=cast.ana_user)
    with time_machine.travel(NOW, tick=False):
        for code in codes[:8]:  # more sign-ins than the limit of 5: none of them counts
            [browser] = _sessions_past_the_password(1)
            answer = browser.post("/staff/login/recovery/", {"code": code})
            assert answer.status_code == 302 and answer["Location"] == "/staff/account/"


def test_codes_typed_to_confirm_a_session_share_the_sign_in_limit(cast: Cast) -> None:
    """A session opened before two-factor sign-in was set up is asked for a code on the account
    page ("Confirm it is you"). Codes tried there count against the account's sign-in attempts, as
    at the sign-in's code step: past the limit the page answers 429 with the code unchecked (found by
    a review: only django-otp's own wait stood in front of it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from longtide.accounts.two_factor import issue_recovery_codes, recovery_codes_left
    from tests.signin.conftest import code_for

    device = TOTPDevice.objects.create(user=cast.ana_user, name="phone", confirmed=True)
    codes = issue_recovery_codes(user=cast.ana_user)
    page = "/staff/account/two-factor/"
    with time_machine.travel(NOW, tick=False):
        browser = HttpClient(REMOTE_ADDR="203.0.113.7")
        browser.force_login(cast.ana_user)  # a session from before the second factor
        right = code_for(device)
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            _lift_device_backoff(cast.ana_user)
            answer = browser.post(page, {"kind": "app", "code": wrong})
            assert answer.status_code == 200 and "That code did not match." in answer.text
        _lift_device_backoff(cast.ana_user)
        refused = browser.post(page, {"kind": "app", "code": right})
        assert refused.status_code == 429 and refused["Retry-After"] == "480"
        assert "Too many sign-in attempts. Please wait 8 minutes and try again." in refused.text
        assert f'value="{right}"' in refused.text  # what was typed stays
        recovery = browser.post(page, {"kind": "recovery", "code": codes[0]})
        assert recovery.status_code == 429 and "Too many sign-in attempts" in recovery.text
        assert browser.get("/staff/tidewater/calendar/").status_code == 200  # still signed in, unconfirmed
        assert browser.get(page).status_code == 200 and "Confirm it is you" in browser.get(page).text
    assert recovery_codes_left(cast.ana_user) == 10  # the refused recovery code was not used up

    with time_machine.travel(NOW + timedelta(minutes=8), tick=False):
        _lift_device_backoff(cast.ana_user)
        done = browser.post(page, {"kind": "app", "code": code_for(device)})
        assert done.status_code == 302 and done["Location"] == "/staff/account/"
