"""Input shapes for the waitlist: the public form and the staff form share the wishes."""

from __future__ import annotations

from datetime import time
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Practice
from longtide.web.client_details import ClientDetailsForm

DAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
TIMES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(6, 23) for m in (0, 30)]


class WishesForm(ClientDetailsForm):
    """What a client on the waitlist wishes for, and their own details (web/client_details.py)."""

    service = forms.ChoiceField(label=_("Service"))
    practitioner = forms.ChoiceField(label=_("With"), required=False)
    earliest = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    latest = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        label=_("Days that suit"), choices=DAYS, widget=forms.CheckboxSelectMultiple, initial=["0", "1", "2", "3", "4"]
    )
    time_from = forms.ChoiceField(label=_("Starting from"), choices=TIMES, initial="09:00")
    time_to = forms.ChoiceField(label=_("Finished by"), choices=TIMES, initial="17:00")
    own_details = True
    email_required = True  # offers are sent by email
    field_order = (
        "service", "practitioner", "earliest", "latest", "weekdays", "time_from", "time_to",
        "first_name", "last_name", "email", "phone",
    )  # fmt: skip

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Phone (optional)")
        self.practice = practice
        service = cast(forms.ChoiceField, self.fields["service"])
        practitioner = cast(forms.ChoiceField, self.fields["practitioner"])
        service.choices = [(s.slug, s.name) for s in practice.services.active()]
        practitioner.choices = [
            ("", _("Anyone")),
            *[(str(p.pk), p.display_name) for p in practice.practitioners.active()],
        ]

    def clean_time_from(self) -> time:
        return time.fromisoformat(self.cleaned_data["time_from"])

    def clean_time_to(self) -> time:
        return time.fromisoformat(self.cleaned_data["time_to"])

    def clean_weekdays(self) -> str:
        return "".join(sorted(set(self.cleaned_data["weekdays"])))
