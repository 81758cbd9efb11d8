"""Sign-in throttling: attempts per account and per network address, counted before any hashing.

Every password check (the staff sign-in, the operator's admin sign-in, anything that calls
`authenticate`) first takes an attempt from two counters in the database — one for the username,
one for the network address — and is refused without touching the password once either is over
its limit. So a burst of parallel guesses costs one cheap counter update each beyond the limit,
never a password hash (Argon2 costs tens of milliseconds and 100 MiB of memory per check, by
design). A successful sign-in gives its attempt back; what remains counted is failures and attempts
still in flight. The second step (a code from the authenticator app, or a recovery code) takes an
attempt from the same two counters before the code is checked (web/staff/signin.py), so the
password and the codes share one budget: someone who has the password cannot try codes in many
sessions at once, and past the limit the code step answers 429 without checking the code.

A signed-in user's own password asked again on their account pages (to change it, to turn
two-factor sign-in off, to move it to a new phone, to make new recovery codes) goes through
`check_own_password`: the same two counters, an attempt taken before the hash and given back when
right, so a session left open cannot guess the password faster than the sign-in page allows.

The first refusal of a window is logged as a lock-out, naming the account by its id (never the
username, which may be an email address) and the network address; never a password or a code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from longtide.ratelimit.addresses import client_address
from longtide.ratelimit.counters import Limit, hit, key_for

log = logging.getLogger(__name__)

THROTTLED_ATTRIBUTE = "longtide_login_throttled"


@dataclass(frozen=True, slots=True)
class Throttled:
    """Why a sign-in was refused unheard, and for how long."""

    retry_after: int  # seconds


def _limits(request: HttpRequest, username: str) -> tuple[Limit, Limit]:
    window = timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)
    account = Limit(key_for("login-account", username.casefold()), settings.LOGIN_ATTEMPTS_PER_ACCOUNT, window)
    address = Limit(key_for("login-address", client_address(request)), settings.LOGIN_ATTEMPTS_PER_ADDRESS, window)
    return account, address


def take_attempt(
    request: HttpRequest, username: str, now: datetime | None = None, *, step: str = "password"
) -> Throttled | None:
    """Count one sign-in attempt (at the password or the code step); return Throttled when the account
    or the address is over its limit."""
    now = now or timezone.now()
    account, address = _limits(request, username)
    refused: Throttled | None = None
    for limit, what in ((account, "account"), (address, "address")):
        count = hit(limit, now)
        if count > limit.most:
            if count == limit.most + 1:
                _log_lockout(request, username, limit, what, now, step)
            wait = limit.retry_after(now)
            refused = Throttled(max(wait, refused.retry_after if refused else 0))
    return refused


def give_back_attempt(request: HttpRequest, username: str, now: datetime | None = None) -> None:
    """A sign-in succeeded: it does not count against the account or the address."""
    now = now or timezone.now()
    for limit in _limits(request, username):
        hit(limit, now, by=-1)


def _log_lockout(request: HttpRequest, username: str, limit: Limit, what: str, now: datetime, step: str) -> None:
    minutes = round(limit.window.total_seconds() / 60)
    wait = limit.retry_after(now)
    where = "" if step == "password" else f" at the {step} step"
    if what == "account":
        user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        who = f"user id {user_id}" if user_id is not None else "an account that does not exist"
        log.warning(
            "staff sign-in locked out%s: more than %d attempts for %s within %d minutes; refused for %d s",
            where,
            limit.most,
            who,
            minutes,
            wait,
        )
    else:
        log.warning(
            "staff sign-in locked out%s: more than %d attempts from address %s within %d minutes; refused for %d s",
            where,
            limit.most,
            client_address(request),
            minutes,
            wait,
        )


class TooManyAttempts(Exception):
    """A password check refused unheard (the password was not checked)."""

    def __init__(self, refused: Throttled) -> None:
        super().__init__("Too many password attempts.")
        self.refused = refused


def check_own_password(request: HttpRequest, user: User, password: str) -> bool:
    """Return whether `password` is the signed-in user's, after taking an attempt from the sign-in
    counters (given back when it is); raise TooManyAttempts, without hashing, past the limit."""
    username = user.get_username()
    refused = take_attempt(request, username, step="account password")
    if refused is not None:
        raise TooManyAttempts(refused)
    if not user.check_password(password):
        return False
    give_back_attempt(request, username)
    return True


def throttled(request: HttpRequest) -> Throttled | None:
    """Return why this request's sign-in was refused unheard, if it was."""
    found = getattr(request, THROTTLED_ATTRIBUTE, None)
    return found if isinstance(found, Throttled) else None


class ThrottledModelBackend(ModelBackend):
    """Django's username-and-password check, behind the attempt counters."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or username is None or password is None:
            return super().authenticate(request, username, password, **kwargs)
        refused = take_attempt(request, str(username))
        if refused is not None:
            setattr(request, THROTTLED_ATTRIBUTE, refused)
            raise PermissionDenied("Too many sign-in attempts.")  # authenticate() stops at once
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            give_back_attempt(request, str(username))
        return user
