"""GET /api/v1/p/<practice>/clients/<id>/intake with staff tokens: the care team and the owner get the
answers in the words of their form version, the flags with their acknowledgement and the consents;
front desk and a practitioner outside the care team get the status only; another practice, a client
of another practice and a 20-digit id get 404; every read audited with its basis."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import ClientResponse
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.intake import actions
from longtide.intake.models import Flag
from longtide.tokens.issue import create_token
from tests.access.conftest import World
from tests.intake.test_intake_actions import ORIGIN, TODAY, _agree_all, _filled

pytestmark = pytest.mark.django_db


def _get(world: World, who: str, path: str, practice: str = "tidewater") -> ClientResponse:
    token = create_token(
        practice=world.practices[practice], user=world.users[who], days=1, name="t", now=timezone.now()
    ).token
    return HttpClient().get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def submitted(world: World) -> Client:
    cleo = world.appointments["tidewater"].client
    actions.submit(_filled(cleo, "chiari", "pregnant"), _agree_all(cleo), origin=ORIGIN, today=TODAY)
    pregnant = Flag.objects.get(client=cleo, item_key="pregnant")
    actions.acknowledge(
        pregnant,
        by=world.users["practitioner"],
        actor=Actor(world.users["practitioner"], "practitioner", ORIGIN),
        action="modified",
        note="Side-lying; no deep abdominal work",
    )
    return cleo


def test_the_care_team_reads_answers_flags_and_consents(world: World, submitted: Client) -> None:
    path = f"/api/v1/p/tidewater/clients/{submitted.pk}/intake"
    response = _get(world, "practitioner", path)
    assert response.status_code == 200
    body = response.json()
    assert (body["clinical"], body["basis"], body["status"]["needs_review"]) == (True, "care_team", True)
    reasons = next(s for s in body["intake"]["sections"] if s["title"] == "Why you are coming")
    assert {"question": "Headaches or migraines", "answer": "7/10 — main concern"} in reasons["answers"]
    flags = {f["item"]: f for f in body["flags"]}
    assert flags["chiari"]["level"] == "REFER" and flags["chiari"]["acknowledged_at"] is None
    assert (flags["pregnant"]["level"], flags["pregnant"]["action"], flags["pregnant"]["acknowledged_by"]) == (
        "PRECAUTION",
        "modified",
        "ana",
    )
    assert body["consents"] and all(c["agreed"] for c in body["consents"] if c["kind"] == "treatment")
    [event] = AuditEvent.objects.filter(via="api", object_type="intake")
    assert (event.client_id, event.basis, event.actor_id) == (submitted.pk, "care_team", world.users["practitioner"].pk)


@pytest.mark.parametrize(("who", "basis"), [("front_desk", "front_desk"), ("colleague", "not_in_care")])
def test_others_in_the_practice_get_the_status_only(world: World, submitted: Client, who: str, basis: str) -> None:
    body = _get(world, who, f"/api/v1/p/tidewater/clients/{submitted.pk}/intake").json()
    assert (body["clinical"], body["basis"], body["intake"], body["flags"], body["consents"]) == (
        False,
        basis,
        None,
        None,
        None,
    )
    assert body["status"]["label"] == "Needs the practitioner's review before the session"
    assert "chiari" not in str(body).lower() and "REFER" not in str(body)
    [event] = AuditEvent.objects.filter(via="api", object_type="intake_status")
    assert event.basis == basis


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/p/harbour/clients/{cleo}/intake",  # not the token's practice
        "/api/v1/p/tidewater/clients/{hal}/intake",  # a client of another practice
        "/api/v1/p/tidewater/clients/99999999999999999999/intake",
        "/api/v1/p/tidewater/clients/0/intake",
    ],
)
def test_what_is_not_theirs_is_404(world: World, submitted: Client, path: str) -> None:
    hal = world.appointments["harbour"].client
    response = _get(world, "owner", path.format(cleo=submitted.pk, hal=hal.pk))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not AuditEvent.objects.filter(via="api", object_type__startswith="intake").exists()
