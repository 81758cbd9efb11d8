"""A duplicate merged into another record (records/merge.py), through the staff API as on the
pages: out of the client list and its search (clients/directory.py lists `.current()` records),
and its own address still answers, saying which record it was merged into (as the client page's
notice does)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.records.merge import merge_clients
from longtide.tokens.issue import create_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(cast: Any) -> Client:
    twin = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Parke", email="cleo.p@example.test"
    )
    merge_clients(
        practice=cast.tidewater, kept=cast.cleo, duplicate=twin, by=Actor(cast.olga_user, "owner"), now=timezone.now()
    )
    return twin


def _get(cast: Any, path: str) -> Any:
    token = create_token(practice=cast.tidewater, user=cast.ben_user, days=1, name="test", now=timezone.now()).token
    return HttpClient().get(f"/api/v1/p/tidewater/{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("search", ["", "cleo", "parke", "cleo.p@example.test"])
def test_a_merged_duplicate_is_not_listed(cast: Any, duplicate: Client, search: str) -> None:
    response = _get(cast, f"clients?search={search}")
    assert response.status_code == 200
    ids = [found["id"] for found in response.json()]
    assert duplicate.pk not in ids
    if search in ("", "cleo"):
        assert cast.cleo.pk in ids


def test_a_merged_duplicate_says_which_record_it_was_merged_into(cast: Any, duplicate: Client) -> None:
    response = _get(cast, f"clients/{duplicate.pk}")
    assert response.status_code == 200
    assert response.json()["merged_into"] == cast.cleo.pk
    chart = _get(cast, f"clients/{duplicate.pk}/chart")
    assert chart.json()["client"]["merged_into"] == cast.cleo.pk
    kept = _get(cast, f"clients/{cast.cleo.pk}")
    assert kept.json()["merged_into"] is None
