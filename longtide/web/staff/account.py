"""A staff member's own account: two-factor sign-in (set up, replace, new recovery codes, turn off),
their sessions (see them, end them) and their password. Everything here acts on the signed-in
user alone; no URL names another user, so nobody can reach another account's settings."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from longtide.accounts.sessions import end_other_sessions, end_session, live_sessions
from longtide.accounts.throttle import Throttled, give_back_attempt, take_attempt
from longtide.accounts.two_factor import (
    app_wait_seconds,
    confirm_enrolment,
    has_two_factor,
    issue_recovery_codes,
    recovery_codes_left,
    recovery_wait_seconds,
    start_enrolment,
    turn_off_two_factor,
    use_recovery_code,
    verify_app_code,
    wait_seconds,
)
from longtide.audit.trail import Origin
from longtide.practice.access import is_two_factor_verified, needs_two_factor
from longtide.practice.models import Practice
from longtide.web.staff.account_forms import AppCodeForm, ConfirmPasswordForm, OwnPasswordChangeForm, RecoveryCodeForm
from longtide.web.staff.signin import roles_of, too_many_message, wait_message


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404("Not signed in")
    return user


def _practices_requiring(request: HttpRequest) -> list[Practice]:
    return [p for p in Practice.objects.for_user(request.user) if needs_two_factor(request.user, p)]


def _next_url(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


def _account_page(
    request: HttpRequest, *, codes_form: ConfirmPasswordForm | None = None, off_form: ConfirmPasswordForm | None = None
) -> HttpResponse:
    sessions = list(live_sessions(_me(request)))
    current = request.session.session_key
    context = {
        "has_two_factor": has_two_factor(_me(request)),
        "codes_left": recovery_codes_left(_me(request)),
        "required_by": _practices_requiring(request),
        "sessions": sessions,
        "current_key": current,
        "others": [s for s in sessions if s.session_key != current],
        "codes_form": codes_form or ConfirmPasswordForm(user=_me(request), request=request, auto_id="id_codes_%s"),
        "off_form": off_form or ConfirmPasswordForm(user=_me(request), request=request, auto_id="id_off_%s"),
    }
    return _refused_if_throttled(render(request, "web/staff/account.html", context), codes_form, off_form)


def _refused_if_throttled(
    response: HttpResponse, *forms: ConfirmPasswordForm | OwnPasswordChangeForm | None
) -> HttpResponse:
    """A page whose password was refused unheard (too many attempts: accounts/throttle.py) answers
    429 with Retry-After; the page says why and keeps what was typed."""
    refused = next((form.throttled for form in forms if form is not None and form.throttled), None)
    if refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(refused.retry_after)
    return response


@sensitive_post_parameters("code", "password")
@login_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or a new one), or confirm this session with the one set up.

    Moving to a new phone replaces the app and the recovery codes and ends the other sessions, so it
    also asks for the password, in the same form: an open session alone is not enough (found by a
    review: anyone at a browser left signed in could move the account's second factor to their own
    phone). The first setup asks only for the code."""
    user = _me(request)
    replacing = has_two_factor(user)
    if replacing and not is_two_factor_verified(user):
        return _confirm_session(request)
    enrolment = start_enrolment(user=user)
    data = request.POST if request.method == "POST" else None
    form = AppCodeForm(data)
    password_form = ConfirmPasswordForm(data, user=user, request=request) if replacing else None
    # The password first: a wrong one leaves the typed code unspent.
    if form.is_bound and (password_form is None or password_form.is_valid()) and form.is_valid():
        if wait := wait_seconds(enrolment.device):
            form.add_error(None, wait_message(wait))
        elif confirmed := confirm_enrolment(user=user, code=form.cleaned_data["code"]):
            device, codes = confirmed
            django_otp.login(request, device)
            # Another session may have been opened with the password alone: it ends here.
            end_other_sessions(user=user, keep_session_key=request.session.session_key)
            return _show_recovery_codes(request, codes, first_time=True)
        form.add_error(
            "code", _("That code did not match. Check that your phone's clock is right, then try the newest code.")
        )
    context = {
        "form": form,
        "password_form": password_form,
        "secret": enrolment.secret,
        "qr_svg": enrolment.qr_svg(_("QR code to add Longtide to your authenticator app")),
        "replacing": replacing,
        "required_by": _practices_requiring(request),
        "next": _next_url(request),
    }
    return _refused_if_throttled(render(request, "web/staff/two_factor_setup.html", context), password_form)


def _confirm_session(request: HttpRequest) -> HttpResponse:
    """This session began without the second factor (before it was set up): ask for it now.

    The codes typed here count against the same limits as the sign-in's code steps (the account's
    and the address's attempts, then the device's own wait): a session opened with the password
    alone must not try codes faster here than at sign-in (found by a review)."""
    user = _me(request)
    app_form = AppCodeForm(request.POST if request.POST.get("kind") == "app" else None)
    recovery_form = RecoveryCodeForm(request.POST if request.POST.get("kind") == "recovery" else None)
    device: Any = None
    refused: Throttled | None = None
    if app_form.is_bound and app_form.is_valid():
        if wait := app_wait_seconds(user):
            app_form.add_error(None, wait_message(wait))
        elif refused := take_attempt(request, user.get_username(), step="code"):
            app_form.add_error(None, too_many_message(refused))
        elif (device := verify_app_code(user=user, code=app_form.cleaned_data["code"])) is None:
            app_form.add_error("code", _("That code did not match. Try the newest code."))
    elif recovery_form.is_bound and recovery_form.is_valid():
        if wait := recovery_wait_seconds(user):
            recovery_form.add_error(None, wait_message(wait))
        elif refused := take_attempt(request, user.get_username(), step="recovery code"):
            recovery_form.add_error(None, too_many_message(refused))
        elif (
            device := use_recovery_code(
                user=user, code=recovery_form.cleaned_data["code"], origin=Origin.of(request), roles=roles_of(user)
            )
        ) is None:
            recovery_form.add_error("code", _("That recovery code is not valid, or it was used before."))
    if device is not None:
        give_back_attempt(request, user.get_username())
        django_otp.login(request, device)
        return redirect(_next_url(request) or reverse("staff-account"))
    context = {"app_form": app_form, "recovery_form": recovery_form, "next": _next_url(request)}
    response = render(request, "web/staff/two_factor_confirm.html", context)
    if refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(refused.retry_after)
    return response


def _show_recovery_codes(request: HttpRequest, codes: list[str], *, first_time: bool) -> HttpResponse:
    # Rendered in the POST's answer, never stored readable: a reload cannot show them again.
    context = {"codes": codes, "first_time": first_time, "next": _next_url(request)}
    return render(request, "web/staff/recovery_codes.html", context)


def _verified_or_redirect(request: HttpRequest) -> HttpResponse | None:
    if has_two_factor(_me(request)) and not is_two_factor_verified(request.user):
        return redirect("staff-two-factor-setup")
    return None


@sensitive_post_parameters("password")
@require_POST
@login_required
@never_cache
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes replace the old ones: the password too, not the open session alone."""
    if gate := _verified_or_redirect(request):
        return gate
    if not has_two_factor(_me(request)):
        raise Http404("No two-factor sign-in to make codes for")
    form = ConfirmPasswordForm(request.POST, user=_me(request), request=request, auto_id="id_codes_%s")
    if not form.is_valid():
        return _account_page(request, codes_form=form)
    return _show_recovery_codes(request, issue_recovery_codes(user=_me(request)), first_time=False)


@sensitive_post_parameters("password")
@require_POST
@login_required
@never_cache
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if gate := _verified_or_redirect(request):
        return gate
    if required_by := _practices_requiring(request):
        names = ", ".join(p.name for p in required_by)
        messages.error(
            request, _("%(practices)s requires two-factor sign-in for you, so it stays on.") % {"practices": names}
        )
        return redirect("staff-account")
    form = ConfirmPasswordForm(request.POST, user=_me(request), request=request, auto_id="id_off_%s")
    if not form.is_valid() and form.throttled:
        return _account_page(request, off_form=form)
    if not form.is_valid():
        messages.error(request, _("Two-factor sign-in is still on: that is not your current password."))
        return redirect("staff-account")
    turn_off_two_factor(user=_me(request))
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("staff-account")


@require_POST
@login_required
@never_cache
def end_one_session(request: HttpRequest, handle: str) -> HttpResponse:
    current = request.session.session_key
    ending_current = current is not None and any(
        s.session_key == current for s in live_sessions(_me(request)).filter(handle=handle)
    )
    if not end_session(user=_me(request), handle=handle):
        raise Http404("No such session")
    if ending_current:
        logout(request)
        return redirect("staff-login")
    messages.success(request, _("That session has ended; its browser is signed out."))
    return redirect("staff-account")


@require_POST
@login_required
@never_cache
def end_others(request: HttpRequest) -> HttpResponse:
    ended = end_other_sessions(user=_me(request), keep_session_key=request.session.session_key)
    messages.success(
        request,
        ngettext("%(count)d other session ended.", "%(count)d other sessions ended.", ended) % {"count": ended},
    )
    return redirect("staff-account")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    form = OwnPasswordChangeForm(_me(request), request.POST if request.method == "POST" else None, request=request)
    if form.is_bound and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        ended = end_other_sessions(user=user, keep_session_key=request.session.session_key)
        messages.success(
            request,
            ngettext(
                "Your password is changed. %(count)d other session was signed out.",
                "Your password is changed. %(count)d other sessions were signed out.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("staff-account")
    return _refused_if_throttled(render(request, "web/staff/password_change.html", {"form": form}), form)
