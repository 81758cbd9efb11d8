"""Input shapes for session notes: the draft (every field of the CST template) and an addendum."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from longtide.notes import fields, template
from longtide.notes.actions import REASON_MAX, TEXT_MAX
from longtide.notes.models import CONTENT_FIELDS, SessionNote

IMPRESSION_HELP = fields.IMPRESSION_HELP
# The fields of the form that no template changes (header, consent check, the treatment's fixed part).
CONSENT_FIELDS = (
    "consent_confirmed",
    "areas_agreed",
    "clothed",
    "position",
    "guardian",
    "pelvic_diaphragm_consent",
    "intra_oral_consent",
)
TREATMENT_FIXED_BEFORE = ("regions", "holds", "intra_oral_work")
TREATMENT_FIXED_AFTER = ("stopped", "stop_reason")


class MeasuredNumberField(forms.CharField):
    """A practice's measured number (notes/fields.parse_number): kept as typed text when refused."""

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        stored, problem = fields.parse_number(text or "", gettext)
        if problem:
            raise forms.ValidationError(problem, code="number")
        return stored


class NoteForm(forms.ModelForm):  # type: ignore[type-arg]
    """The draft. Empty fields are fine while writing; signing checks completeness (notes.actions)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    editor = forms.RegexField(regex=r"^[0-9a-f]{0,32}$", max_length=32, widget=forms.HiddenInput, required=False)
    regions = forms.MultipleChoiceField(
        label=_("Contact regions"),
        choices=[(item.key, item.label) for item in template.REGIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    holds = forms.MultipleChoiceField(
        label=_("Holds and techniques"),
        choices=[(item.key, item.label) for item in template.HOLDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SessionNote
        fields = CONTENT_FIELDS
        widgets = {
            "style": forms.RadioSelect,
            "position": forms.RadioSelect,
            "guardian": forms.RadioSelect,
            "subjective": forms.Textarea(attrs={"rows": 4}),
            "since_last": forms.Textarea(attrs={"rows": 2}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "impression_rhythm": forms.Textarea(attrs={"rows": 2}),
            "impression_restrictions": forms.Textarea(attrs={"rows": 2}),
            "impression_still_points": forms.Textarea(attrs={"rows": 2}),
            "bio_stillness": forms.Textarea(attrs={"rows": 2}),
            "bio_felt_sense": forms.Textarea(attrs={"rows": 2}),
            "bio_resourcing": forms.Textarea(attrs={"rows": 2}),
            "bio_closing_state": forms.Textarea(attrs={"rows": 2}),
            "client_response": forms.Textarea(attrs={"rows": 2}),
            "stop_reason": forms.Textarea(attrs={"rows": 2}),
            "assessment": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "areas_agreed": _("Where the client agreed to be touched today."),
            "subjective": _("Reason for coming in the client's words, symptoms, goals."),
            "since_last": _("Changes since the last visit: after-effects, new health events or medication."),
            "impression_rhythm": IMPRESSION_HELP,
            "impression_restrictions": IMPRESSION_HELP,
            "impression_still_points": IMPRESSION_HELP,
            "mouth_opening_mm": _("Measured, in millimetres (0–100). Leave empty if not measured."),
            "assessment": _("Response to the session and progress against goals; flags and referrals. No diagnosis."),
            "plan": _("Next session, sessions until reassessment, self-care, referrals, discharge criteria."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The note's own lists: the practice's version it was started with, or the shipped ones.
        lists = self.instance.checklist_items
        self.fields["regions"].choices = [(item.key, item.label) for item in lists.regions]  # type: ignore[attr-defined]
        self.fields["holds"].choices = [(item.key, item.label) for item in lists.holds]  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = TEXT_MAX
                field.validators.append(MaxLengthValidator(TEXT_MAX))
            if name in ("style", "position") and isinstance(field, forms.ChoiceField):
                field.choices = [(value, label) for value, label in field.choices if value != ""]  # type: ignore[misc, union-attr]
        self.fields["pain_nrs"].validators.append(MaxValueValidator(10))
        self.fields["pain_nrs"].widget.attrs.update(max=10, min=0, inputmode="numeric")
        self.fields["mouth_opening_mm"].validators.append(MaxValueValidator(100))
        self.fields["mouth_opening_mm"].widget.attrs.update(max=100, min=0, inputmode="numeric")
        self.fields["session_number"].validators.append(MaxValueValidator(999))
        self.fields["session_number"].widget.attrs.update(max=999, min=1)
        # The note's own template version: its labels, help, hidden fields and extra fields.
        self.spec = self.instance.field_spec
        self.own_fields = self.instance.has_own_fields
        if self.own_fields:
            self._apply_spec()

    def _apply_spec(self) -> None:
        extra = self.instance.extra or {}
        for spec in self.spec:
            if spec.is_extra:
                if not spec.shown:
                    continue
                field: forms.Field
                if spec.kind == fields.NUMBER:
                    field = MeasuredNumberField(required=False, max_length=20, label=f"{spec.label} ({spec.unit})")
                    field.widget.attrs.update(inputmode="decimal")
                else:
                    field = forms.CharField(
                        required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}), label=spec.label
                    )
                field.help_text = spec.help
                field.initial = extra.get(spec.key, "")
                self.fields[spec.key] = field
                continue
            if not spec.shown:
                del self.fields[spec.key]
                continue
            self.fields[spec.key].label = spec.label
            # A palpation field is an impression whatever the practice calls it (fixed help text).
            self.fields[spec.key].help_text = " ".join(
                part for part in (spec.help, IMPRESSION_HELP if spec.impression else "") if part
            )

    def sections(self) -> dict[str, list[forms.BoundField]]:
        """The form's fields in the order of the note's template, by part of the note."""
        shown = [spec for spec in self.spec if spec.shown and spec.key in self.fields]

        def bound(names: Any) -> list[forms.BoundField]:
            return [self[name] for name in names if name in self.fields]

        def part(section: str, *, impression: bool | None = None) -> list[str]:
            return [
                spec.key
                for spec in shown
                if spec.section == section and (impression is None or spec.impression == impression)
            ]

        objective = part("objective", impression=False)
        return {
            "header": bound(("style", "session_number")),
            "consent": bound(CONSENT_FIELDS),
            "subjective": bound(part("subjective")),
            "observations": bound(name for name in objective if name == "objective"),
            "impressions": bound(part("objective", impression=True)),
            "objective": bound(name for name in objective if name != "objective"),
            "treatment": bound(TREATMENT_FIXED_BEFORE + tuple(part("treatment")) + TREATMENT_FIXED_AFTER),
            "assessment": bound(part("assessment")),
            "plan": bound(part("plan")),
        }

    def changes(self) -> dict[str, Any]:
        """What to save: the note's fields on this form, and its extra fields' values."""
        found = {name: self.cleaned_data[name] for name in CONTENT_FIELDS if name in self.cleaned_data}
        if self.own_fields:
            kept = dict(self.instance.extra or {})  # a hidden extra keeps what it had
            for spec in self.spec:
                if spec.is_extra and spec.key in self.cleaned_data:
                    value = self.cleaned_data[spec.key]
                    if value:
                        kept[spec.key] = value
                    else:
                        kept.pop(spec.key, None)
            found["extra"] = kept
        return found


class AddendumForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        help_text=_("Why you are adding to the signed note (e.g. the client called the next day)."),
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX, label=_("Addendum"))


class NoteSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search this client's notes"))
