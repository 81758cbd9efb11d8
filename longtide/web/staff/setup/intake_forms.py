"""The owner's intake settings: the emergency number and crisis line, and a new consent version."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from longtide.intake.models import IntakeSettings

TEXT_MAX = 20_000


class IntakeNumbersForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = IntakeSettings
        fields = ["emergency_number", "crisis_line"]
        labels = {"emergency_number": _("Local emergency number"), "crisis_line": _("Crisis line")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        number = self.fields["emergency_number"]
        number.validators.append(
            RegexValidator(
                r"^\+?[0-9][0-9 ()-]{1,38}$",
                _(
                    "Use the number as it is dialled: digits, with spaces, brackets or dashes if you like (for "
                    "example 911, 112 or 999)."
                ),
            )
        )
        number.help_text = _(
            "Shown to a client whose answers mean they should get emergency care now, as a button that calls it."
        )
        self.fields["crisis_line"].help_text = _(
            "Shown, with the emergency number, to a client who says they have thoughts of harming themselves."
        )


class ConsentVersionForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": _("Give the document a title.")})
    text = forms.CharField(
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": _("Write the document's text.")},
        help_text=_("Clients sign this exact text: its SHA-256 is kept with every signature."),
    )
    agree_label = forms.CharField(
        max_length=300,
        label=_("What the client ticks"),
        error_messages={"required": _("Say what the client ticks to agree (for example: I agree to …).")},
    )


def _readable(text: object) -> str:
    """The wording as the client reads it: control and invisible characters dropped, spaces collapsed."""
    return " ".join("".join(ch for ch in str(text or "") if ch.isprintable() or ch.isspace()).split())


UNREADABLE = _("Write the question as the client reads it.")


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
    ("text", _("A short answer")),
    ("longtext", _("A longer answer")),
    ("yesno", _("Yes or no")),
    ("choice", _("One of a list")),
    ("date", _("A date")),
    ("phone", _("A phone number")),
]


class QuestionForm(_ReadableWording):
    readable_fields = ("label", "help")
    required_readable = ("label",)

    label = forms.CharField(
        max_length=200,
        label=_("Question"),
        error_messages={"required": _("Write the question as the client reads it.")},
    )
    kind = forms.ChoiceField(choices=QUESTION_KINDS, label=_("Answer"), initial="text")
    required = forms.BooleanField(required=False, label=_("The client must answer it"))
    choices = forms.CharField(
        required=False,
        max_length=1200,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Choices (for “One of a list”)"),
        help_text=_("One per line, 2 to 12."),
    )
    help = forms.CharField(required=False, max_length=300, label=_("Help under the question (optional)"))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        lines = [_readable(line) for line in str(data.get("choices") or "").splitlines()]
        lines = [line for line in lines if line]
        if data.get("kind") == "choice":
            if not 2 <= len(lines) <= 12:
                self.add_error("choices", _("Give 2 to 12 choices, one per line."))
            elif any(len(line) > 100 for line in lines):
                self.add_error("choices", _("Keep each choice under 100 characters."))
            elif len(set(lines)) != len(lines):
                self.add_error("choices", _("Each choice once, please."))
        data["choice_list"] = lines
        return data


class ScreenItemForm(_ReadableWording):
    readable_fields = ("question", "staff_label")
    required_readable = ("question",)

    question = forms.CharField(
        max_length=300,
        label=_("Safety question (answered yes or no)"),
        error_messages={"required": _("Write the question as the client reads it.")},
    )
    level = forms.ChoiceField(
        choices=[
            ("precaution", _("PRECAUTION: go ahead with care")),
            ("refer", _("REFER: the practitioner reviews before the session")),
            ("emergency", _("EMERGENCY: the client is told to seek care now; the booking is held")),
        ],
        label=_("What a yes raises"),
    )
    staff_label = forms.CharField(required=False, max_length=200, label=_("What staff read on the flag (optional)"))
