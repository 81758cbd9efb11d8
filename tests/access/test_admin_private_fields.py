"""No ModelAdmin lists, filters, searches, sorts or shows a private field (practice/access.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import RequestFactory

from longtide.practice.access import PRIVATE_ADMIN_FIELDS

ADMINS = list(admin.site._registry.items())


def _names(values: Iterable[object] | None) -> set[str]:
    names: set[str] = set()
    for value in values or ():
        if isinstance(value, (list, tuple)):
            value = value[0]
        if isinstance(value, str):
            names.add(value.lstrip("-^=@").split("__")[0])
    return names


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label_lower for m, _ in ADMINS])
def test_no_admin_option_names_a_private_field(
    model: type[Model], model_admin: ModelAdmin[Model], admin_user: User
) -> None:
    private = PRIVATE_ADMIN_FIELDS.get(model._meta.label_lower, frozenset())
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    used = {
        "list_display": _names(model_admin.get_list_display(request)),
        "list_filter": _names(model_admin.get_list_filter(request)),
        "search_fields": _names(model_admin.get_search_fields(request)),
        "ordering": _names(model_admin.get_ordering(request)),
        "sortable_by": _names(model_admin.get_sortable_by(request)),
        "date_hierarchy": _names([model_admin.date_hierarchy]),
        "fields": _names(model_admin.get_fields(request)),
        "readonly_fields": _names(model_admin.get_readonly_fields(request)),
        "autocomplete_fields": _names(model_admin.get_autocomplete_fields(request)),
    }
    assert {option: names & private for option, names in used.items() if names & private} == {}


def test_clients_and_two_factor_secrets_are_not_in_the_admin() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from longtide.clients.models import Client

    assert Client not in admin.site._registry
    assert TOTPDevice not in admin.site._registry


def test_only_superusers_may_use_the_admin(db: None, django_user_model: type[User]) -> None:
    from longtide.practice.access import may_use_admin

    staff = django_user_model.objects.create_user("s", is_staff=True)
    root = django_user_model.objects.create_superuser("r")
    gone = django_user_model.objects.create_superuser("g", is_active=False)
    assert [may_use_admin(u) for u in (staff, root, gone)] == [False, True, False]
