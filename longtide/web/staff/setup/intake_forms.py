"""The owner's intake settings: the emergency number and crisis line, and a new consent version."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from longtide.intake.models import IntakeSettings

TEXT_MAX = 20_000


class IntakeNumbersForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = IntakeSettings
        fields = ["emergency_number", "crisis_line"]
        labels = {"emergency_number": "Local emergency number", "crisis_line": "Crisis line"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        number = self.fields["emergency_number"]
        number.validators.append(
            RegexValidator(
                r"^\+?[0-9][0-9 ()-]{1,38}$",
                "Use the number as it is dialled: digits, with spaces, brackets or dashes if you like (for "
                "example 911, 112 or 999).",
            )
        )
        number.help_text = (
            "Shown to a client whose answers mean they should get emergency care now, as a button that calls it."
        )
        self.fields[
            "crisis_line"
        ].help_text = "Shown, with the emergency number, to a client who says they have thoughts of harming themselves."


class ConsentVersionForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the document a title."})
    text = forms.CharField(
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": "Write the document's text."},
        help_text="Clients sign this exact text: its SHA-256 is kept with every signature.",
    )
    agree_label = forms.CharField(
        max_length=300,
        label="What the client ticks",
        error_messages={"required": "Say what the client ticks to agree (for example: I agree to …)."},
    )
