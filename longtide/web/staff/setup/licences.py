"""Licensed questionnaires (owners): record that the practice holds a questionnaire's licence and
type its licensed wording; withdraw it. /staff/<practice>/settings/outcomes/licensed/…
(measurement/licences.py stores it; outcomes/licensing.py checks it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.measurement import licences
from longtide.outcomes.instruments.definition import ChoiceItem, Instrument
from longtide.practice.access import acting, role_in
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page


def _readable(text: object) -> str:
    """The wording as the client reads it: control and invisible characters (a zero-width space, a
    direction mark) dropped, spaces collapsed."""
    return " ".join("".join(ch for ch in str(text or "") if ch.isprintable() or ch.isspace()).split())


def _lines(text: str) -> list[str]:
    return [line for line in map(_readable, text.replace("\r", "\n").split("\n")) if line]


class LicenceForm(forms.Form):
    holds = forms.BooleanField(label=gettext_lazy("The practice holds a licence to use this questionnaire"))
    reference = forms.CharField(
        label=gettext_lazy("Licence reference"),
        max_length=licences.REFERENCE_MAX,
        help_text=gettext_lazy("Who granted it and its number or date, as on your licence."),
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions shown above the questions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=licences.TEXT_MAX,
        required=False,
    )
    shared_labels = forms.CharField(
        label=gettext_lazy("Answer labels for every question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=licences.TEXT_MAX,
        required=False,
        help_text=gettext_lazy("One per line, lowest value first. A question's own labels below take precedence."),
    )

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[f"item_{item.id}"] = forms.CharField(
                label=_("Question %(id)s") % {"id": item.id},
                max_length=licences.TEXT_MAX,
                required=False,
            )
            if isinstance(item, ChoiceItem):
                values = ", ".join(str(o.value) for o in item.options)
                self.fields[f"options_{item.id}"] = forms.CharField(
                    label=_("Answer labels of question %(id)s") % {"id": item.id},
                    widget=forms.Textarea(attrs={"rows": len(item.options)}),
                    max_length=licences.TEXT_MAX,
                    required=False,
                    help_text=_("%(count)d labels, for the values %(values)s.")
                    % {"count": len(item.options), "values": values},
                )

    def typed(self) -> licences.Typed | None:
        """The wording typed, or None with errors added to the fields."""
        data = self.cleaned_data
        shared = _lines(data.get("shared_labels", ""))
        items: dict[str, str] = {}
        options: dict[str, dict[int, str]] = {}
        for item in self.instrument.items:
            text = _readable(data.get(f"item_{item.id}", ""))
            if not text:
                self.add_error(f"item_{item.id}", _("Type the licensed wording of this question."))
            items[item.id] = text
            if isinstance(item, ChoiceItem):
                labels = _lines(data.get(f"options_{item.id}", "")) or shared
                if len(labels) != len(item.options):
                    self.add_error(
                        f"options_{item.id}",
                        _("This question has %(count)d answers: give %(count)d labels, one per line (got %(got)d).")
                        % {"count": len(item.options), "got": len(labels)},
                    )
                    continue
                options[item.id] = {o.value: label for o, label in zip(item.options, labels, strict=True)}
        if self.errors:
            return None
        raw = str(data.get("instructions", "")).replace("\r\n", "\n")
        instructions = "".join(ch for ch in raw if ch.isprintable() or ch == "\n").strip()
        return licences.Typed(data["reference"], instructions, items, options)


def _instrument(instrument_id: str) -> Instrument:
    for instrument in licences.licensed():
        if instrument.id == instrument_id:
            return instrument
    raise Http404


@owner_page()
def licence_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    rows = [(i, licences.current(practice, i)) for i in licences.licensed()]
    return render(
        request, "web/staff/settings/licences.html", {"practice": practice, "rows": rows, "section": "outcomes"}
    )


def _initial(practice: Practice, instrument: Instrument) -> dict[str, Any]:
    row = licences.current(practice, instrument)
    if row is None:
        return {}
    initial: dict[str, Any] = {
        "holds": True,
        "reference": row.licence_reference,
        "instructions": row.wording.get("instructions", ""),
    }
    for key, text in row.wording.get("items", {}).items():
        initial[f"item_{key}"] = text
    for key, labels in row.wording.get("options", {}).items():
        initial[f"options_{key}"] = "\n".join(labels[v] for v in sorted(labels, key=int))
    return initial


@owner_page()
def licence_edit(request: HttpRequest, practice: Practice, instrument_id: str) -> HttpResponse:
    instrument = _instrument(instrument_id)
    now = timezone.now()
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        if licences.withdraw(practice, instrument, now=now):
            messages.success(request, _("%(name)s is no longer offered.") % {"name": instrument.short_title})
        return redirect("settings-licences", practice_slug=practice.slug)
    form = LicenceForm(instrument, request.POST or None, initial=_initial(practice, instrument))
    if request.method == "POST" and form.is_valid():
        typed = form.typed()
        if typed is not None:
            by = acting(request, role_in(request.user, practice))
            problems = licences.record(practice, instrument, typed, by=by, now=now)
            if not problems:
                messages.success(request, _("%(name)s can now be sent.") % {"name": instrument.short_title})
                return redirect("settings-licences", practice_slug=practice.slug)
            for problem in problems:
                form.add_error(None, problem)
    return render(
        request,
        "web/staff/settings/licence_form.html",
        {
            "practice": practice,
            "form": form,
            "instrument": instrument,
            "current": licences.current(practice, instrument),
            "section": "outcomes",
        },
        status=form_status(form),
    )
