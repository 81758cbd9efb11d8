"""Input shapes for sign-in's second step, two-factor setup and the practice's sign-in settings."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your current password."), code="wrong")
        return password


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
