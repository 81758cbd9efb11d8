"""The answer to saving a note template version (note fields, note checklists): one block for both."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from longtide.notes.checklists import Published


def answer_published(
    request: HttpRequest, form: forms.Form, published: Published, saved: str, where: Mapping[str, str] | None = None
) -> HttpResponse | None:
    """Put the version's problems on the form (under the input `where` names for each key, or the
    key itself) and return None so the page shows them with what was typed; otherwise redirect back
    with what happened: nothing changed, or the version saved (`saved`, translated, takes
    %(version)d)."""
    for key, problems in published.problems.items():
        for problem in problems:
            form.add_error(where.get(key) if where is not None else key, problem)
    if published.unchanged:
        messages.info(request, _("Nothing changed."))
        return redirect(request.path)
    if published.checklist is not None:
        messages.success(request, saved % {"version": published.checklist.version})
        return redirect(request.path)
    return None
