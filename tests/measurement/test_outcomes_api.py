"""The outcome endpoints of the staff API: the same access as the pages (owners and the care team
for a client's outcomes, owners for the report; everyone else a 404), every call audited, the
report's numbers those of the hand-computed cohort, bad filters a 422 with the field named."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.practice.models import Practice
from longtide.tokens.issue import create_token
from tests.measurement.conftest import send

pytestmark = pytest.mark.django_db


def _token(practice: Practice, user: User) -> dict[str, Any]:
    issued = create_token(practice=practice, user=user, days=1, name="test", now=timezone.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.token}"}


def test_a_clients_outcomes_for_the_care_team_and_owner_only(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "gad7")
    HttpClient().post(f"/p/tidewater/questions/{token}/", {f"q{n}": "1" for n in range(1, 8)})
    path = f"/api/v1/p/tidewater/clients/{cast.cleo.pk}/outcomes"
    answer = HttpClient().get(path, **_token(cast.tidewater, cast.ana_user))
    assert answer.status_code == 200
    body = answer.json()
    [ep] = body["episodes"]
    assert ep["concern"] == "neck_back_pain" and ep["primary_instrument"] == "nprs_pain"
    [series] = ep["series"]
    assert series["instrument"] == "gad7" and series["mcid"] == {"points": 4.0, "percent": None}
    assert series["points"][0]["score"] == 7 and series["points"][0]["band"] == "Mild"
    assert HttpClient().get(path, **_token(cast.tidewater, cast.olga_user)).status_code == 200
    assert HttpClient().get(path, **_token(cast.tidewater, cast.ben_user)).status_code == 404  # front desk
    assert HttpClient().get(path, **_token(cast.harbour, cast.dov_user)).status_code == 404
    harbour_path = f"/api/v1/p/harbour/clients/{cast.cleo.pk}/outcomes"
    assert HttpClient().get(harbour_path, **_token(cast.harbour, cast.dov_user)).status_code == 404
    assert HttpClient().get(path).status_code == 401
    events = AuditEvent.objects.filter(object_type="outcomes", via="api")
    assert {(e.actor_label, e.basis) for e in events} == {("ana", "care_team"), ("olga", "owner")}


def test_the_report_endpoint_gives_the_hand_computed_numbers(cast: Cast, neck_cohort: dict[str, Any]) -> None:
    answer = HttpClient().get(
        "/api/v1/p/tidewater/reports/outcomes?concern=neck_back_pain&from=2026-01-01&to=2026-03-31",
        **_token(cast.tidewater, cast.olga_user),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["n_started"], body["n_with_baseline"]) == (15, 14)
    assert body["follow_up_counts"] == {"week_6": 11, "week_12": 11}
    week_12 = next(w for w in body["windows"] if w["key"] == "week_12")
    improved = week_12["all_starters"]["improved"]
    assert (improved["count"], improved["n"], round(improved["low"], 4), round(improved["high"], 4)) == (
        6,
        14,
        0.2138,
        0.6741,
    )
    assert "likely optimistic" in week_12["completers"]["label"]
    assert body["caveat"] and body["caveat_title"]
    assert AuditEvent.objects.filter(object_type="outcomes_report", via="api").count() == 1


def test_the_report_endpoint_is_the_owners_and_checks_its_filters(cast: Cast, neck_cohort: dict[str, Any]) -> None:
    base = "/api/v1/p/tidewater/reports/outcomes"
    assert HttpClient().get(base, **_token(cast.tidewater, cast.ana_user)).status_code == 404
    owner = _token(cast.tidewater, cast.olga_user)
    bad = HttpClient().get(base + "?concern=trauma_recovery", **owner)
    assert bad.status_code == 422 and "concern" in bad.json()["errors"]
    assert HttpClient().get(base + "?from=2026-03-01&to=2026-01-01", **owner).status_code == 422
    assert HttpClient().get(base + "?from=9999-12-31", **owner).status_code == 422
    assert HttpClient().get(base + "?from=not-a-date", **owner).status_code == 422
