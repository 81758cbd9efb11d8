"""Input shapes for the public booking flow."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.validators import RegexValidator

PHONE = RegexValidator(r"^[0-9+()./\- ]{6,40}$", "Enter a phone number using digits, spaces, + ( ) - or .")


def parse_start(raw: str) -> datetime | None:
    """Return an aware datetime from ISO 8601 text with a UTC offset, or None."""
    try:
        value = datetime.fromisoformat(raw.strip().replace(" ", "+")) if raw else None
    except ValueError:
        return None
    if value is None or value.tzinfo is None:
        return None
    return value


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def slot_value(start: datetime, practitioner_id: int) -> str:
    """Return the form value naming one offered slot: "<ISO start>|<practitioner id>"."""
    return f"{start.isoformat()}|{practitioner_id}"


def parse_slot(raw: str) -> tuple[datetime, int] | None:
    start_text, _, pid = raw.partition("|")
    start = parse_start(start_text)
    if start is None or not pid.isdigit():
        return None
    return start, int(pid)


class DetailsForm(forms.Form):
    slot = forms.CharField(widget=forms.HiddenInput)
    first_name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    note = forms.CharField(
        max_length=1000,
        required=False,
        label="Anything we should know before your visit?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only your practitioner reads this. Please don't include anything urgent: call us instead.",
    )

    def clean_slot(self) -> tuple[datetime, int]:
        value = parse_slot(self.cleaned_data["slot"])
        if value is None:
            raise forms.ValidationError("That time is not valid. Please choose a time from the calendar.")
        return value
