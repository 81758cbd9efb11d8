"""Input shapes for sign-in's second step, two-factor setup and the practice's sign-in settings."""

from __future__ import annotations

import copy
import re
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from longtide.accounts.throttle import Throttled, TooManyAttempts, check_own_password
from longtide.accounts.two_factor import RECOVERY_LENGTH, normalize_recovery_code
from longtide.practice.models import Practice


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6-digit code your app shows now."), code="format")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        normalized = normalize_recovery_code(code)
        if len(normalized) != RECOVERY_LENGTH or not normalized.isascii() or not normalized.isalnum():
            raise forms.ValidationError(
                _("A recovery code has 16 letters and digits, like abcd-efgh-jkmn-pqrs."), code="format"
            )
        return normalized


def too_many_attempts(refused: Throttled) -> str:
    minutes = max(1, -(-refused.retry_after // 60))
    return ngettext(
        "Too many password attempts. Please wait %(minutes)d minute and try again.",
        "Too many password attempts. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


class _OwnPasswordMixin:
    """The signed-in user's password, checked behind the sign-in throttle (accounts/throttle.py).
    `throttled` says why a refusal was unheard, for the view's 429 and Retry-After."""

    request: HttpRequest
    user: Any
    throttled: Throttled | None = None

    def _check_own_password(self, password: str, wrong: str, code: str) -> str:
        try:
            right = check_own_password(self.request, self.user, password)
        except TooManyAttempts as refused:
            self.throttled = refused.refused
            raise forms.ValidationError(too_many_attempts(refused.refused), code="throttled") from None
        if not right:
            raise forms.ValidationError(wrong, code=code)
        return password


class ConfirmPasswordForm(_OwnPasswordMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        return self._check_own_password(
            self.cleaned_data["password"], str(_("That is not your current password.")), "wrong"
        )


def _bounded(field: forms.Field, most: int = 4096) -> forms.Field:
    """Django's own password field with a maximum length (every text field has one:
    tests/badinput/test_text_lengths.py), as ConfirmPasswordForm's."""
    bounded = copy.deepcopy(field)
    bounded.max_length = most  # type: ignore[attr-defined]
    bounded.validators = [*bounded.validators, MaxLengthValidator(most)]
    bounded.widget.attrs["maxlength"] = str(most)
    return bounded


class OwnPasswordChangeForm(_OwnPasswordMixin, PasswordChangeForm):
    """Django's password change, its old password checked behind the sign-in throttle."""

    old_password = _bounded(PasswordChangeForm.base_fields["old_password"])
    new_password1 = _bounded(PasswordChangeForm.base_fields["new_password1"])
    new_password2 = _bounded(PasswordChangeForm.base_fields["new_password2"])

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        wrong = str(self.error_messages["password_incorrect"])
        return self._check_own_password(self.cleaned_data["old_password"], wrong, "password_incorrect")


class SignInSettingsForm(forms.ModelForm[Practice]):
    # Declared so that the page's number inputs carry the model's bounds (min/max attributes).
    idle_timeout_minutes = forms.IntegerField(
        label=_("Sign out after idle minutes"),
        min_value=5,
        max_value=720,
        help_text=_("Staff are signed out after this many minutes without activity (5 to 720)."),
    )
    backup_max_age_hours = forms.IntegerField(
        label=_("Warn when the last backup is older than (hours)"),
        min_value=1,
        max_value=24 * 31,
        help_text=_("The operator's backup check fails when the newest backup is older than this (1 to 744)."),
    )

    class Meta:
        model = Practice
        fields = ["two_factor_policy", "idle_timeout_minutes", "backup_max_age_hours"]
        widgets = {"two_factor_policy": forms.RadioSelect}
