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


def _readable(text: object) -> str:
    """The wording as the client reads it: control and invisible characters dropped, spaces collapsed."""
    return " ".join("".join(ch for ch in str(text or "") if ch.isprintable() or ch.isspace()).split())


UNREADABLE = "Write the question as the client reads it."


class _ReadableWording(forms.Form):
    """Wording a client reads: what is left after dropping control and invisible characters."""

    readable_fields: tuple[str, ...] = ()
    required_readable: tuple[str, ...] = ()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in self.readable_fields:
            if name in data:
                data[name] = _readable(data[name])
                if not data[name] and name in self.required_readable:
                    self.add_error(name, UNREADABLE)
        return data


QUESTION_KINDS = [
    ("text", "A short answer"),
    ("longtext", "A longer answer"),
    ("yesno", "Yes or no"),
    ("choice", "One of a list"),
    ("date", "A date"),
    ("phone", "A phone number"),
]


class QuestionForm(_ReadableWording):
    readable_fields = ("label", "help")
    required_readable = ("label",)

    label = forms.CharField(
        max_length=200, label="Question", error_messages={"required": "Write the question as the client reads it."}
    )
    kind = forms.ChoiceField(choices=QUESTION_KINDS, label="Answer", initial="text")
    required = forms.BooleanField(required=False, label="The client must answer it")
    choices = forms.CharField(
        required=False,
        max_length=1200,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Choices (for “One of a list”)",
        help_text="One per line, 2 to 12.",
    )
    help = forms.CharField(required=False, max_length=300, label="Help under the question (optional)")

    def clean(self) -> dict[str, object]:
        data = super().clean()
        lines = [_readable(line) for line in str(data.get("choices") or "").splitlines()]
        lines = [line for line in lines if line]
        if data.get("kind") == "choice":
            if not 2 <= len(lines) <= 12:
                self.add_error("choices", "Give 2 to 12 choices, one per line.")
            elif any(len(line) > 100 for line in lines):
                self.add_error("choices", "Keep each choice under 100 characters.")
            elif len(set(lines)) != len(lines):
                self.add_error("choices", "Each choice once, please.")
        data["choice_list"] = lines
        return data


class ScreenItemForm(_ReadableWording):
    readable_fields = ("question", "staff_label")
    required_readable = ("question",)

    question = forms.CharField(
        max_length=300,
        label="Safety question (answered yes or no)",
        error_messages={"required": "Write the question as the client reads it."},
    )
    level = forms.ChoiceField(
        choices=[
            ("precaution", "PRECAUTION: go ahead with care"),
            ("refer", "REFER: the practitioner reviews before the session"),
            ("emergency", "EMERGENCY: the client is told to seek care now; the booking is held"),
        ],
        label="What a yes raises",
    )
    staff_label = forms.CharField(required=False, max_length=200, label="What staff read on the flag (optional)")
