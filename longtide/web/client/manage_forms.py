"""The client's cancel form on the manage page: an optional reason for the appointment's history."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.scheduling.booking import REASON_LENGTH
from longtide.web.bad_input import no_control_characters


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=REASON_LENGTH,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the appointment for the clinic's staff. Please leave out health details."),
        error_messages={"max_length": _("Keep the reason under %(limit_value)d characters (this has %(show_value)d).")},
    )
