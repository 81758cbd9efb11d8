"""Input shapes for the public booking flow."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.clients.contact import PHONE
from longtide.web.times import parse_slot


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
        help_text=_(
            "Your practitioner and the clinic's owners can read this; reception staff cannot. "
            "Please don't include anything urgent: call us instead."
        ),
    )

    def clean_slot(self) -> tuple[datetime, int]:
        value = parse_slot(self.cleaned_data["slot"])
        if value is None:
            raise forms.ValidationError("That time is not valid. Please choose a time from the calendar.")
        return value
