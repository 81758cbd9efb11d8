"""Staff sign-in: the password, then — for staff with an authenticator app — a code from the app
or one of their recovery codes. Nobody is signed in until both steps pass.

Between the steps the session holds only who passed the password step and when (`PENDING_KEY`),
for five minutes and five wrong codes at most. Every code typed takes an attempt from the sign-in
throttle (accounts/throttle.py) before it is checked, from the same counters as the password (per
account and per network address), and a right code gives it back: past the limit the code step
answers 429 with Retry-After without checking the code, however many sessions passed the password
step. Wrong codes are also reported through Django's `user_login_failed` signal, as a wrong
password is, and the device's own back-off (django-otp) slows guessing further.
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.models import Device

from longtide.accounts.sessions import touch
from longtide.accounts.throttle import Throttled, give_back_attempt, take_attempt, throttled
from longtide.accounts.two_factor import (
    app_wait_seconds,
    has_two_factor,
    recovery_codes_left,
    recovery_wait_seconds,
    use_recovery_code,
    verify_app_code,
)
from longtide.audit.trail import Origin
from longtide.practice.models import Practice, StaffMembership
from longtide.web.session_activity import IDLE_SIGNOUT_KEY
from longtide.web.staff.account_forms import AppCodeForm, RecoveryCodeForm
from longtide.web.staff.home import landing_url

PENDING_KEY = "_longtide_second_factor"
PENDING_SECONDS = 5 * 60
MAX_CODE_TRIES = 5


class StaffLoginView(auth_views.LoginView):
    template_name = "web/staff/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = self.request.session.get(IDLE_SIGNOUT_KEY)
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        refused = throttled(self.request)
        if refused is None:
            return super().form_invalid(form)
        # Refused before the password was even checked (accounts/throttle.py).
        minutes = max(1, -(-refused.retry_after // 60))
        response = self.render_to_response(self.get_context_data(form=form, throttled_minutes=minutes), status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response

    def get_default_redirect_url(self) -> str:
        # Reached when signed in already (redirect_authenticated_user) and no page was asked for.
        return landing_url(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        return begin_sign_in(self.request, user, self.get_redirect_url() or landing_url(user))


def begin_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a right password: sign in a user without two-factor; send one with it to the code step,
    signed in as nobody yet. Every password sign-in (the staff one and the operator's admin one)
    goes through here, so none signs in an account with an authenticator on its password alone."""
    if has_two_factor(user):
        # Not signed in yet: a new session key, then the second step.
        request.session.cycle_key()
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "started": time.time(),
            "next": next_url,
            "tries": 0,
        }
        return redirect("staff-login-code")
    finish_sign_in(request, user)
    return redirect(next_url)


def finish_sign_in(request: HttpRequest, user: User, device: Device | None = None) -> None:
    """Sign the user in (a new session key) and start the session's activity record."""
    request.session.pop(PENDING_KEY, None)
    request.session.pop(IDLE_SIGNOUT_KEY, None)
    auth_login(request, user)
    if device is not None:
        django_otp.login(request, device)
    touch(
        request.session,
        now=timezone.now(),
        ip=Origin.of(request).ip,
        agent=Origin.of(request).user_agent,
        idle_minutes=Practice.objects.idle_minutes_for(user),
    )


def roles_of(user: User) -> dict[int | None, str]:
    """The user's role in each practice they work in, for the practices' audit trails."""
    return dict(StaffMembership.objects.filter(user_id=user.pk).values_list("practice_id", "role"))


def _pending_user(request: HttpRequest) -> tuple[dict[str, Any], User] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    user.backend = pending["backend"]
    return pending, user


def _wrong_code(request: HttpRequest, pending: dict[str, Any], user: User) -> bool:
    """Count a wrong code; return whether this sign-in attempt has had its last try."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username(), "step": "second factor"}, request=request
    )
    pending["tries"] = int(pending.get("tries", 0)) + 1
    request.session[PENDING_KEY] = pending
    if pending["tries"] < MAX_CODE_TRIES:
        return False
    request.session.pop(PENDING_KEY, None)
    messages.error(request, _("Too many wrong codes. Sign in again with your password."))
    return True


def _refused(request: HttpRequest, template: str, form: Any, refused: Throttled) -> HttpResponse:
    """The code step past the sign-in limit: 429, the code unchecked, the wait in minutes."""
    form.add_error(None, too_many_message(refused))
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


def too_many_message(refused: Throttled) -> str:
    minutes = max(1, -(-refused.retry_after // 60))
    return ngettext(
        "Too many sign-in attempts. Please wait %(minutes)d minute and try again.",
        "Too many sign-in attempts. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step with the authenticator app's code."""
    found = _pending_user(request)
    if found is None:
        messages.info(request, _("Your sign-in expired. Enter your password again."))
        return redirect("staff-login")
    pending, user = found
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if wait := app_wait_seconds(user):
            form.add_error(None, wait_message(wait))
        elif refused := take_attempt(request, user.get_username(), step="code"):
            return _refused(request, "web/staff/login_code.html", form, refused)
        elif device := verify_app_code(user=user, code=form.cleaned_data["code"]):
            give_back_attempt(request, user.get_username())
            finish_sign_in(request, user, device)
            return redirect(_safe_next(request, pending.get("next"), user))
        elif _wrong_code(request, pending, user):
            return redirect("staff-login")
        else:
            form.add_error("code", _("That code did not match. Check the time on your phone and try the newest code."))
    return render(request, "web/staff/login_code.html", {"form": form})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_recovery(request: HttpRequest) -> HttpResponse:
    """The second step with a recovery code, for a lost or broken phone. Each code works once."""
    found = _pending_user(request)
    if found is None:
        messages.info(request, _("Your sign-in expired. Enter your password again."))
        return redirect("staff-login")
    pending, user = found
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if wait := recovery_wait_seconds(user):
            form.add_error(None, wait_message(wait))
        elif refused := take_attempt(request, user.get_username(), step="recovery code"):
            return _refused(request, "web/staff/login_recovery.html", form, refused)
        elif device := use_recovery_code(
            user=user, code=form.cleaned_data["code"], origin=Origin.of(request), roles=roles_of(user)
        ):
            give_back_attempt(request, user.get_username())
            finish_sign_in(request, user, device)
            left = recovery_codes_left(user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code; %(left)d code is left. If you lost your phone, "
                    "set up your authenticator app again now.",
                    "You signed in with a recovery code; %(left)d codes are left. If you lost your phone, "
                    "set up your authenticator app again now.",
                    left,
                )
                % {"left": left},
            )
            return redirect("staff-account")
        elif _wrong_code(request, pending, user):
            return redirect("staff-login")
        else:
            form.add_error("code", _("That recovery code is not valid, or it was used before."))
    return render(request, "web/staff/login_recovery.html", {"form": form})


def _safe_next(request: HttpRequest, next_url: object, user: User) -> str:
    if isinstance(next_url, str) and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return landing_url(user)
