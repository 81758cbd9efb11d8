"""Moving two-factor sign-in to a new phone and making new recovery codes ask for the password, as
turning it off does (found by a review: an open session alone replaced the owner's app and codes
and ended their other sessions). The first setup asks only for the code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import Cast
from longtide.accounts.models import RecoveryCode, StaffSession

from .conftest import code_for, enrol, password_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_with_app_and_phone(client: HttpClient, cast: Cast, signed_in: Any) -> tuple[Any, list[str], HttpClient]:
    """Ana with an app, signed in here (`client`) and, with the code, in a second browser."""
    signed_in("ana")
    device, codes = enrol(client)
    phone = HttpClient()
    password_step(phone, "ana", "pw-ana-123")
    assert phone.post("/staff/login/code/", {"code": code_for(device)}).status_code == 302
    return device, codes, phone


@pytest.mark.parametrize("password", [None, "not-her-password"])
def test_moving_to_a_new_phone_without_the_password_changes_nothing(
    client: HttpClient, cast: Cast, ana_with_app_and_phone: Any, password: str | None
) -> None:
    old, old_codes, phone = ana_with_app_and_phone
    page = client.get("/staff/account/two-factor/")
    assert 'name="password"' in page.text
    new = TOTPDevice.objects.get(user=cast.ana_user, confirmed=False)
    typed = code_for(new)
    data = {"code": typed} if password is None else {"code": typed, "password": password}
    refused = client.post("/staff/account/two-factor/", data)
    assert refused.status_code == 200 and "codes" not in refused.context
    assert "This field is required." in refused.text or "That is not your current password." in refused.text
    assert f'value="{typed}"' in refused.text, "the code typed is kept"
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    assert not TOTPDevice.objects.filter(pk=new.pk, confirmed=True).exists()
    assert RecoveryCode.objects.filter(device__user=cast.ana_user, used_at__isnull=True).count() == len(old_codes)
    assert phone.get("/staff/").status_code == 200, "her other session goes on"
    assert StaffSession.objects.filter(user=cast.ana_user).count() == 2
    # With the password the same code (not spent by the refusal) moves it.
    done = client.post("/staff/account/two-factor/", {"code": typed, "password": "pw-ana-123"})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=cast.ana_user).values_list("pk", flat=True)) == [new.pk]
    assert phone.get("/staff/").status_code == 302


@pytest.mark.parametrize("password", [None, "not-her-password"])
def test_new_recovery_codes_need_the_password(
    client: HttpClient, cast: Cast, ana_with_app_and_phone: Any, password: str | None
) -> None:
    _, old_codes, _ = ana_with_app_and_phone
    before = set(RecoveryCode.objects.filter(device__user=cast.ana_user).values_list("code_hash", flat=True))
    refused = client.post(
        "/staff/account/two-factor/recovery-codes/", {} if password is None else {"password": password}
    )
    assert refused.status_code == 200 and "codes" not in refused.context
    assert "Your account" in refused.text
    assert "This field is required." in refused.text or "That is not your current password." in refused.text
    assert set(RecoveryCode.objects.filter(device__user=cast.ana_user).values_list("code_hash", flat=True)) == before
    done = client.post("/staff/account/two-factor/recovery-codes/", {"password": "pw-ana-123"})
    assert done.status_code == 200 and set(done.context["codes"]).isdisjoint(old_codes)


def test_the_first_setup_asks_only_for_the_code(client: HttpClient, signed_in: Any) -> None:
    signed_in("ben")
    page = client.get("/staff/account/two-factor/")
    assert 'name="password"' not in page.text
    enrol(client)  # the code alone turns it on
