"""Helpers for sign-in tests: sign in through the real pages, and compute authenticator codes from
a device's secret as a phone would."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient
from django_otp.oath import TOTP

from conftest import Cast

if TYPE_CHECKING:
    from collections.abc import Callable


def code_for(device: Any, *, step: int | None = None) -> str:
    """The 6-digit code the app shows at time step `step` (default: the next step the server will
    still accept that has not been used: codes work once)."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    step = max(now_step, device.last_t + 1) if step is None else step
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = device.t0 + step * device.step + 1
    return f"{totp.token():0{device.digits}d}"


def enrol(client: HttpClient) -> tuple[Any, list[str]]:
    """Set up two-factor sign-in for the signed-in user through the pages; return device and codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = client.get("/staff/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    response = client.post("/staff/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 200, response.content
    codes = list(response.context["codes"])
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def password_step(client: HttpClient, username: str, password: str, next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/staff/login/", data)


@pytest.fixture
def signed_in(client: HttpClient, cast: Cast) -> Callable[..., HttpClient]:
    """A factory: sign a cast member in with their password, as a browser would."""

    def sign_in(username: str, password: str | None = None, http: HttpClient | None = None) -> HttpClient:
        http = http or client
        response = password_step(http, username, password or f"pw-{username}-123")
        assert response.status_code == 302, response.content
        return http

    return sign_in
