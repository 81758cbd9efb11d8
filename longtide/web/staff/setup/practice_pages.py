"""The practice's own settings: details and contact, booking policies, home-page texts."""

from __future__ import annotations

from django.contrib import messages
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.practice_forms import HomePageForm, PolicyForm, PracticeDetailsForm


def _edit(
    request: HttpRequest,
    practice: Practice,
    form_class: type[ModelForm[Practice]],
    *,
    section: str,
    title: str,
    saved: str,
) -> HttpResponse:
    form = form_class(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, saved)
        return redirect(request.path)
    # A failed save must not rename the page's heading: show the saved name, not the typed one.
    practice.refresh_from_db()
    return render(
        request,
        "web/staff/settings/practice_form.html",
        {"practice": practice, "form": form, "section": section, "title": title},
        status=form_status(form),
    )


@owner_page()
def details(request: HttpRequest, practice: Practice) -> HttpResponse:
    return _edit(
        request,
        practice,
        PracticeDetailsForm,
        section="practice",
        title=_("Practice details"),
        saved=_("Saved the practice details."),
    )


@owner_page()
def policies(request: HttpRequest, practice: Practice) -> HttpResponse:
    return _edit(
        request,
        practice,
        PolicyForm,
        section="policies",
        title=_("Booking policies"),
        saved=_("Saved the booking policies."),
    )


@owner_page()
def home_page(request: HttpRequest, practice: Practice) -> HttpResponse:
    return _edit(
        request, practice, HomePageForm, section="home_page", title=_("Home page"), saved=_("Saved the home page.")
    )
