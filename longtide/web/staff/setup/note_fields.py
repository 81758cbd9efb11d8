"""The practice's own note fields (owners): for each S/O/A/P and CST field its label, help text,
whether it is shown and whether it is required to sign, plus extra fields the practice adds (free
text, or a measured number with its unit). Each save publishes a new template version
(notes/checklists.publish_fields), and notes keep the version they were written with. The consent
check, the header, the treatment checklists and the "practitioner impression" labelling are fixed
(notes/fields.py says why)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.notes import checklists, fields
from longtide.practice.access import acting, role_in
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.publishing import answer_published

# Blank rows offered for new extra fields on each visit of the page.
NEW_EXTRA_ROWS = 2
SECTION_CHOICES = [(key, gettext_lazy(title)) for key, title in fields.SECTIONS]


class NoteFieldsForm(forms.Form):
    """Built from the practice's current fields: four inputs per built-in field, six per extra row."""

    def __init__(self, *args: Any, current: tuple[fields.Field, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.builtins = [f for f in current if not f.is_extra]
        self.extras = [f for f in current if f.is_extra]
        self.extra_rows = len(self.extras) + NEW_EXTRA_ROWS
        for f in self.builtins:
            self.fields[f"{f.key}__label"] = forms.CharField(
                label=_("Label"), max_length=fields.LABEL_MAX, initial=f.label
            )
            self.fields[f"{f.key}__help"] = forms.CharField(
                label=_("Help text"), max_length=fields.HELP_MAX, required=False, initial=f.help
            )
            if f.key not in fields.ALWAYS_SHOWN:
                self.fields[f"{f.key}__shown"] = forms.BooleanField(label=_("Shown"), required=False, initial=f.shown)
            self.fields[f"{f.key}__required"] = forms.BooleanField(
                label=_("Required to sign"), required=False, initial=f.required
            )
        for i in range(self.extra_rows):
            e = self.extras[i] if i < len(self.extras) else None
            p = f"extra_{i}"
            self.fields[f"{p}__key"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=40, initial=e.key if e else ""
            )
            self.fields[f"{p}__label"] = forms.CharField(
                label=_("Label"),
                max_length=fields.LABEL_MAX,
                required=False,
                initial=e.label if e else "",
                help_text=_("Leave empty to have no such field (an existing one is then removed from new notes)."),
            )
            self.fields[f"{p}__kind"] = forms.ChoiceField(
                label=_("Kind"),
                choices=[(kind, _(label)) for kind, label in fields.EXTRA_KINDS],
                required=False,
                initial=e.kind if e else fields.TEXT,
            )
            self.fields[f"{p}__unit"] = forms.CharField(
                label=_("Unit (for a number)"), max_length=fields.UNIT_MAX, required=False, initial=e.unit if e else ""
            )
            self.fields[f"{p}__section"] = forms.ChoiceField(
                label=_("Part of the note"),
                choices=SECTION_CHOICES,
                required=False,
                initial=e.section if e else "objective",
            )
            self.fields[f"{p}__help"] = forms.CharField(
                label=_("Help text"), max_length=fields.HELP_MAX, required=False, initial=e.help if e else ""
            )
            self.fields[f"{p}__required"] = forms.BooleanField(
                label=_("Required to sign"), required=False, initial=e.required if e else False
            )

    def groups(self) -> list[dict[str, Any]]:
        """The page's layout: each built-in field's inputs under its part of the note, then the extra rows."""
        out = []
        for section, title in fields.SECTIONS:
            rows = [
                {
                    "legend": _(fields.BUILTIN_BY_KEY[f.key].label),
                    "impression": f.impression,
                    "inputs": [self[name] for name in self.fields if name.startswith(f"{f.key}__")],
                }
                for f in self.builtins
                if f.section == section
            ]
            if rows:
                out.append({"title": _(title), "rows": rows})
        return out

    def extra_groups(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in self.fields if name.startswith(f"extra_{i}__")] for i in range(self.extra_rows)]

    def spec(self) -> tuple[tuple[fields.Field, ...], dict[str, str]]:
        """The fields typed, and which form input each field's problems belong to."""
        data = self.cleaned_data
        out: list[fields.Field] = []
        where: dict[str, str] = {}
        for f in self.builtins:
            out.append(
                replace(
                    f,
                    label=fields.clean_text(data[f"{f.key}__label"]),
                    help=fields.clean_text(data[f"{f.key}__help"]),
                    shown=data.get(f"{f.key}__shown", True) if f.key not in fields.ALWAYS_SHOWN else True,
                    required=data[f"{f.key}__required"],
                )
            )
            where[f.key] = f"{f.key}__label"
        known = {f.key for f in self.extras}
        taken = {f.key for f in self.current}
        for i in range(self.extra_rows):
            p = f"extra_{i}"
            label = fields.clean_text(data[f"{p}__label"])
            if not label:
                continue
            key = data[f"{p}__key"]
            if key not in known or key in where:  # a new field (or a tampered key): a key of its own
                key = fields.slug_key(label, taken)
            taken.add(key)
            kind = data[f"{p}__kind"] or fields.TEXT
            out.append(
                fields.Field(
                    key,
                    data[f"{p}__section"] or "objective",
                    label,
                    fields.clean_text(data[f"{p}__help"]),
                    True,
                    data[f"{p}__required"],
                    kind=kind,
                    unit=fields.clean_text(data[f"{p}__unit"]) if kind == fields.NUMBER else "",
                )
            )
            where[key] = f"{p}__label"
        return tuple(out), where


@owner_page()
def note_fields(request: HttpRequest, practice: Practice) -> HttpResponse:
    current = checklists.current_fields(practice)
    form = NoteFieldsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        spec, where = form.spec()
        published = checklists.publish_fields(
            practice, spec, by=acting(request, role_in(request.user, practice)), now=timezone.now()
        )
        saved = _("Saved version %(version)d. New notes use it; notes already started keep their own fields.")
        if answer := answer_published(request, form, published, saved, where):
            return answer
    found = checklists.latest(practice)
    return render(
        request,
        "web/staff/settings/note_fields.html",
        {
            "practice": practice,
            "form": form,
            "section": "note_fields",
            "version": found.version if found else None,
            "own_fields": found is not None and found.fields is not None,
        },
        status=form_status(form),
    )
