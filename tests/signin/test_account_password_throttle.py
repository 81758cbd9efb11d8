"""Password checks on the account pages take an attempt from the sign-in throttle before the hash
(accounts/throttle.py, check_own_password), as the sign-in does, and give it back when right; past
the limit they answer 429 with Retry-After without checking the password (found by a review: a
session left open could guess the password without limit, each guess a full Argon2 hash)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import Cast

from .conftest import code_for, enrol, password_step

pytestmark = pytest.mark.django_db

NEW = {"new_password1": "Zq9-long-pass!", "new_password2": "Zq9-long-pass!"}


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    checked: list[str] = []
    original = User.check_password

    def counting(self: User, raw: str) -> bool:
        checked.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    return checked


def test_the_password_change_page_is_throttled_before_the_hash(
    client: HttpClient, cast: Cast, signed_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in("ana")
    checked = _count_hashes(monkeypatch)
    for i in range(5):
        wrong = client.post("/staff/account/password/", {"old_password": f"guess-{i}", **NEW})
        assert wrong.status_code == 200
    assert len(checked) == 5
    refused = client.post("/staff/account/password/", {"old_password": "pw-ana-123", **NEW})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert re.search(r"Too many password attempts\. Please wait \d+ minutes? and try again\.", refused.text)
    assert len(checked) == 5, "refused unheard: no password hashed"
    cast.ana_user.refresh_from_db()
    assert cast.ana_user.check_password("pw-ana-123"), "the password is unchanged"
    # One budget with the sign-in page: the account's sign-in is refused too.
    assert password_step(HttpClient(), "ana", "pw-ana-123").status_code == 429


def test_a_right_password_gives_its_attempt_back(client: HttpClient, cast: Cast, signed_in: Any) -> None:
    signed_in("ana")
    enrol(client)
    for _ in range(8):
        done = client.post("/staff/account/two-factor/recovery-codes/", {"password": "pw-ana-123"})
        assert done.status_code == 200 and len(done.context["codes"]) == 10
    for i in range(4):
        client.post("/staff/account/password/", {"old_password": f"guess-{i}", **NEW})
    changed = client.post("/staff/account/password/", {"old_password": "pw-ana-123", **NEW})
    assert changed.status_code == 302


def test_two_factor_pages_answer_429_past_the_limit_and_change_nothing(
    client: HttpClient, cast: Cast, signed_in: Any
) -> None:
    signed_in("ana")
    old, _ = enrol(client)
    for i in range(5):
        client.post("/staff/account/two-factor/recovery-codes/", {"password": f"guess-{i}"})
    codes = client.post("/staff/account/two-factor/recovery-codes/", {"password": "pw-ana-123"})
    assert codes.status_code == 429 and codes["Retry-After"]
    assert "codes" not in codes.context and "Too many password attempts" in codes.text
    off = client.post("/staff/account/two-factor/off/", {"password": "pw-ana-123"})
    assert off.status_code == 429 and off["Retry-After"] and "Too many password attempts" in off.text
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    client.get("/staff/account/two-factor/")
    new = TOTPDevice.objects.get(user=cast.ana_user, confirmed=False)
    typed = code_for(new)
    move = client.post("/staff/account/two-factor/", {"code": typed, "password": "pw-ana-123"})
    assert move.status_code == 429 and move["Retry-After"] and "Too many password attempts" in move.text
    assert f'value="{typed}"' in move.text, "the code typed is kept"
    assert list(TOTPDevice.objects.filter(user=cast.ana_user, confirmed=True).values_list("pk", flat=True)) == [old.pk]
