"""The settings home: what is set up, what to do next, and a way into each section."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from longtide.practice.models import Practice
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.steps import checklist


@owner_page()
def overview(request: HttpRequest, practice: Practice) -> HttpResponse:
    progress, steps = checklist(practice)
    context = {"practice": practice, "section": "overview", "progress": progress, "steps": steps}
    return render(request, "web/staff/settings/overview.html", context)
