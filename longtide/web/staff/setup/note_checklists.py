"""The practice's own note checklists (owners): contact regions and holds, one per line; each save
publishes a new version (notes/checklists.py), and notes keep the version they were written with."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.notes import checklists, template
from longtide.practice.access import acting, role_in
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.publishing import answer_published

TEXT_MAX = template.ITEMS_MAX * (template.LABEL_MAX + 2)


class ChecklistForm(forms.Form):
    regions = forms.CharField(
        label=gettext_lazy("Contact regions"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=TEXT_MAX,
        help_text=gettext_lazy("One per line, in the order the note shows them."),
    )
    holds = forms.CharField(
        label=gettext_lazy("Holds and techniques"),
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=TEXT_MAX,
        required=False,
        help_text=gettext_lazy(
            "One per line. The pelvic diaphragm release always stays on the list, because the note asks "
            "for the client's separate consent when it is ticked."
        ),
    )


@owner_page()
def note_checklists(request: HttpRequest, practice: Practice) -> HttpResponse:
    lists = checklists.current(practice)
    initial = {
        "regions": template.as_text(lists.regions),
        "holds": template.as_text(lists.holds, fixed=template.FIXED_HOLDS),
    }
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        published = checklists.publish(
            practice,
            regions=form.cleaned_data["regions"],
            holds=form.cleaned_data["holds"],
            by=acting(request, role_in(request.user, practice)),
            now=timezone.now(),
        )
        saved = _("Saved version %(version)d. New notes use it; notes already started keep their own lists.")
        if answer := answer_published(request, form, published, saved):
            return answer
    found = checklists.latest(practice)
    return render(
        request,
        "web/staff/settings/note_checklists.html",
        {
            "practice": practice,
            "form": form,
            "section": "note_checklists",
            "version": found.version if found else None,
            "fixed": template.FIXED_HOLDS,
        },
        status=form_status(form),
    )
