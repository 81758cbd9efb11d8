"""Every free-text field of every form has a maximum length, so a megabyte pasted into a form gets a
message ("Ensure this value has at most N characters") rather than being stored or breaking a page."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.test import Client as HttpClient

import longtide.web
from conftest import Cast

pytestmark = pytest.mark.django_db


def all_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module in pkgutil.walk_packages(longtide.web.__path__, "longtide.web."):
        loaded = importlib.import_module(module.name)
        for name, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__.startswith("longtide."):
                found[f"{value.__module__}.{name}"] = value
    return [found[key] for key in sorted(found)]


# Bounded elsewhere, each for a reason a test checks: the note's fields get their maximum in
# NoteForm.__init__ (tests/notes), the home page's texts in HomePageForm.clean (tests/setup), and
# the operator's sign-in is Django's own form (the request body is capped by Django, and the
# sign-in throttle runs before any password is hashed).
BOUNDED_ELSEWHERE = {
    "longtide.web.staff.notes_forms.NoteForm",
    "longtide.web.staff.setup.practice_forms.HomePageForm",
    "longtide.web.admin_site.OperatorAuthenticationForm.password",
    # Given their maximum in __init__ by web/bad_input.bound_text (below: the service description).
    "longtide.web.staff.setup.catalogue_forms.ServiceForm.description",
    "longtide.web.staff.setup.catalogue_forms.PractitionerForm.training",
    "longtide.web.staff.setup.catalogue_forms.PractitionerForm.bio",
    "longtide.web.staff.setup.practice_forms.PracticeDetailsForm.cancellation_policy",
}


def test_every_text_field_of_every_form_has_a_maximum_length() -> None:
    unbounded = []
    for form in all_forms():
        if f"{form.__module__}.{form.__name__}" in BOUNDED_ELSEWHERE:
            continue
        for name, field in form.base_fields.items():  # type: ignore[attr-defined]  # set by the form metaclass; django-stubs declares it on Form, not BaseForm
            if f"{form.__module__}.{form.__name__}.{name}" in BOUNDED_ELSEWHERE:
                continue
            if type(field) in (forms.CharField, forms.EmailField, forms.RegexField) and field.max_length is None:
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    assert unbounded == []
    assert len(all_forms()) > 30  # the walk finds the forms


def test_a_service_description_past_its_length_is_refused_and_kept(cast: Cast) -> None:
    olga = HttpClient()
    olga.force_login(cast.olga_user)
    page = olga.get(f"/staff/tidewater/settings/services/{cast.session.pk}/")
    assert page.status_code == 200
    form = {
        "name": "CST session",
        "duration_minutes": "60",
        "price": "100.00",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "15",
        "description": "Gentle. " * 300,
        "active": "on",
    }
    response = olga.post(f"/staff/tidewater/settings/services/{cast.session.pk}/", form)
    assert response.status_code == 422
    assert "Ensure this value has at most 2000 characters (it has 2399)." in response.content.decode()
    assert "Gentle. Gentle." in response.content.decode()
    cast.session.refresh_from_db()
    assert cast.session.description == ""
