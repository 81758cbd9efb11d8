"""Input shapes for the public booking flow."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.web.client_details import ClientDetailsForm
from longtide.web.times import parse_slot

# The booking form carries a random key, made when the times page links to it, so that sending it
# twice (a double click, the back button, a reload) books once: the key is the booking's
# idempotency key, and a repeat shows the request already made.
REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FORM_KEY_PREFIX = "form:"


def new_request_key() -> str:
    return secrets.token_urlsafe(24)


def valid_request_key(value: str | None) -> str | None:
    return value if value and REQUEST_KEY.fullmatch(value) else None


SLOT_NOT_VALID = _("That time is not valid. Please choose a time from the calendar.")


class DetailsForm(ClientDetailsForm):
    """The client's own details for a booking (web/client_details.py): an email is required, the
    booking is confirmed through it."""

    own_details = True
    email_required = True
    field_order = ("slot", "request_key", "first_name", "last_name", "email", "phone", "note")

    slot = forms.CharField(widget=forms.HiddenInput, max_length=100)
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    note = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Anything we should know before your visit?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your practitioner and the clinic's owners can read this; reception staff cannot. "
            "Please don't include anything urgent: call us instead."
        ),
    )

    def clean_request_key(self) -> str:
        return valid_request_key(self.cleaned_data["request_key"]) or new_request_key()

    def clean_slot(self) -> tuple[datetime, int]:
        value = parse_slot(self.cleaned_data["slot"])
        if value is None:
            raise forms.ValidationError(SLOT_NOT_VALID)
        return value
