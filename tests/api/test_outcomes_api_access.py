"""Who reads a client's outcomes through the staff API: the chart's rule (records/chart.py), as
for the notes endpoint — owners, the care team, shared care and open break-glass grants; front
desk, practitioners outside the care team and students outside their own sessions get a 404. The
OpenAPI description says the same."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.tokens.issue import create_token
from tests.access.conftest import World

pytestmark = pytest.mark.django_db

PATH = "/api/v1/p/{slug}/clients/{client_id}/outcomes"


def _outcomes(world: World, who: str) -> int:
    token = create_token(
        practice=world.practices["tidewater"], user=world.users[who], days=1, name="test", now=timezone.now()
    ).token
    client_id = world.appointments["tidewater"].client_id
    return (
        HttpClient()
        .get(f"/api/v1/p/tidewater/clients/{client_id}/outcomes", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


@pytest.mark.parametrize("shared_care", [False, True])
def test_outcomes_follow_the_chart_rule(world: World, shared_care: bool) -> None:
    tidewater = world.practices["tidewater"]
    tidewater.shared_care = shared_care
    tidewater.save(update_fields=["shared_care"])
    assert _outcomes(world, "owner") == 200
    assert _outcomes(world, "practitioner") == 200  # the care team
    assert _outcomes(world, "colleague") == (200 if shared_care else 404)
    assert _outcomes(world, "front_desk") == 404
    assert _outcomes(world, "student") == 404  # no session with this client, shared care or not


def test_the_description_names_shared_care_and_break_glass(client: HttpClient) -> None:
    description = client.get("/api/v1/openapi.json").json()["paths"][PATH]["get"]["description"]
    assert "shared care and open break-glass grants" in description
    assert "others get a 404" not in description
