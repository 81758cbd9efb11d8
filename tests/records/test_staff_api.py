"""Staff API tokens and the staff endpoints: created once and stored hashed, expiring, revocable,
scoped to one practice and the member's role now; every call audited through the API; bad input
answered with the exact JSON error."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import ClientResponse
from longtide.audit.models import AuditEvent
from longtide.practice.models import StaffMembership
from longtide.tokens.issue import create_token, digest
from longtide.tokens.models import StaffToken
from tests.access.conftest import NOTES, World

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {
    "detail": "Send a live staff API token as `Authorization: Bearer <token>`.",
    "code": "unauthenticated",
}


def _token(world: World, who: str, practice: str = "tidewater", days: int = 30) -> str:
    return create_token(
        practice=world.practices[practice], user=world.users[who], days=days, name="test", now=timezone.now()
    ).token


def _get(path: str, token: str | None, **headers: str) -> ClientResponse:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return HttpClient().get(path, headers=headers)


def test_the_command_prints_a_token_once_and_stores_only_its_hash(world: World) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "token", "create", "--practice", "tidewater", "--expires", "7", "--name", "reports", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    assert token.startswith("ltk_") and len(token) > 40
    row = StaffToken.objects.get()
    assert row.user == world.users["owner"]  # the practice's only owner by default
    assert row.token_hash == digest(token) and token not in str(list(StaffToken.objects.values()))
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    assert "shown only now" in err.getvalue()
    listing = StringIO()
    call_command("token", "list", "--practice", "tidewater", stdout=listing)
    assert row.prefix in listing.getvalue() and token not in listing.getvalue() and "live" in listing.getvalue()
    assert _get("/api/v1/p/tidewater/clients", token).status_code == 200
    call_command("token", "revoke", "--practice", "tidewater", row.prefix, stdout=StringIO())
    response = _get("/api/v1/p/tidewater/clients", token)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Bearer realm="longtide"'
    assert list(AuditEvent.objects.filter(object_type="api_token").values_list("action", "via")) == [
        ("create", "command"),
        ("change", "command"),
    ]


HEADER_NUL = "A request header contains a null character (\\x00), which is never valid."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "ben", "--expires", "0"], "A token lasts 1 to 730 days."),
        (["--user", "ben", "--expires", "731"], "A token lasts 1 to 730 days."),
        (["--user", "dov"], "'dov' is not an active member of tidewater."),
        (["--user", "nobody"], "'nobody' is not an active member of tidewater."),
    ],
)
def test_the_command_refuses_what_it_cannot_do(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("token", "create", "--practice", "tidewater", *args, stdout=StringIO(), stderr=StringIO())
    assert not StaffToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic b2xnYTpwdw==", "Bearer ltk_not-a-token", "Bearer " + "x" * 300],
)
def test_no_or_a_wrong_token_is_a_401(world: World, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = HttpClient().get("/api/v1/p/tidewater/clients", headers=headers)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_a_nul_byte_in_the_authorization_header_is_a_400() -> None:
    response = HttpClient().get("/api/v1/p/tidewater/clients", headers={"Authorization": "Bearer ltk_\x00"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": HEADER_NUL, "code": "null_character"},
    )


def test_an_expired_token_or_a_former_member_is_a_401(world: World) -> None:
    token = _token(world, "front_desk")
    assert _get("/api/v1/p/tidewater/clients", token).status_code == 200
    StaffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get("/api/v1/p/tidewater/clients", token).status_code == 401
    StaffToken.objects.update(expires_at=timezone.now() + timedelta(days=1))
    StaffMembership.objects.filter(user=world.users["front_desk"]).delete()
    assert _get("/api/v1/p/tidewater/clients", token).status_code == 401


def test_a_token_follows_its_members_role_now(world: World) -> None:
    cleo = world.appointments["tidewater"].client_id
    token = _token(world, "front_desk")
    assert _get(f"/api/v1/p/tidewater/clients/{cleo}/export", token).status_code == 404
    StaffMembership.objects.filter(user=world.users["front_desk"]).update(role="owner")
    assert _get(f"/api/v1/p/tidewater/clients/{cleo}/export", token).status_code == 200


def test_a_token_works_only_in_its_practice_and_answers_as_for_no_practice(world: World) -> None:
    token = _token(world, "two_roles", "harbour")
    hal = world.appointments["harbour"].client_id
    assert _get(f"/api/v1/p/harbour/clients/{hal}", token).status_code == 200
    elsewhere = _get("/api/v1/p/tidewater/clients", token)
    nowhere = _get("/api/v1/p/nowhere/clients", token)
    assert (elsewhere.status_code, elsewhere.json()) == (
        404,
        {"detail": "No practice called 'tidewater'.", "code": "not_found"},
    )
    assert nowhere.json() == {"detail": "No practice called 'nowhere'.", "code": "not_found"}


def test_search_finds_clients_and_every_call_is_audited_through_the_api(world: World) -> None:
    token = _token(world, "front_desk")
    cleo = world.appointments["tidewater"].client_id
    found = _get("/api/v1/p/tidewater/clients?search=park%20cle", token, **{"User-Agent": "script/1"}).json()
    assert [(c["id"], c["email"]) for c in found] == [(cleo, "cleo@example.test")]
    assert _get("/api/v1/p/tidewater/clients?search=nobody", token).json() == []
    assert _get(f"/api/v1/p/tidewater/clients/{cleo}", token).json()["first_name"] == "Cleo"
    rows = list(
        AuditEvent.objects.filter(via="api")
        .order_by("seq")
        .values_list("object_type", "via", "actor_label", "client_id", "detail")
    )
    assert rows == [
        ("client_list", "api", "ben", None, "1 clients"),
        ("client_list", "api", "ben", None, "0 clients"),
        ("client", "api", "ben", cleo, ""),
    ]
    first = AuditEvent.objects.filter(via="api").first()
    assert first is not None and first.user_agent == "script/1"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("search=" + "a" * 101, "search", "At most 100 characters, no NUL."),
    ],
)
def test_a_bad_search_is_a_422_naming_the_field(world: World, query: str, field: str, message: str) -> None:
    response = _get(f"/api/v1/p/tidewater/clients?{query}", _token(world, "owner"))
    assert response.status_code == 422
    assert response.json() == {"detail": "Some fields are not valid.", "code": "invalid", "errors": {field: [message]}}


@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_a_client_that_does_not_exist_is_a_404(world: World, pk: str) -> None:
    token = _token(world, "owner")
    for tail in ("", "/chart", "/export"):
        response = _get(f"/api/v1/p/tidewater/clients/{pk}{tail}", token)
        assert response.status_code == 404, tail
    assert not AuditEvent.objects.filter(via="api").exists()


def test_the_chart_endpoint_follows_the_chart_rule_and_is_audited(world: World) -> None:
    cleo = world.appointments["tidewater"].client_id
    ana = _get(f"/api/v1/p/tidewater/clients/{cleo}/chart", _token(world, "practitioner")).json()
    assert (ana["basis"], ana["clinical"], ana["care_team"]) == ("care_team", True, ["Ana Silva"])
    assert ana["appointments"][0]["note"] == NOTES["tidewater"]
    ben = _get(f"/api/v1/p/tidewater/clients/{cleo}/chart", _token(world, "front_desk")).json()
    assert (ben["basis"], ben["clinical"], ben["care_team"]) == ("front_desk", False, None)
    assert ben["appointments"][0]["note"] is None and NOTES["tidewater"] not in str(ben)
    assert ben["not_collected"] == ["consents"]
    rows = list(AuditEvent.objects.filter(object_type="chart").values_list("actor_label", "via", "basis"))
    assert rows == [("ana", "api", "care_team"), ("ben", "api", "front_desk")]


def test_the_export_endpoint_gives_the_bundle_to_owners(world: World) -> None:
    cleo = world.appointments["tidewater"].client_id
    bundle = _get(f"/api/v1/p/tidewater/clients/{cleo}/export", _token(world, "owner")).json()
    assert bundle["schema"] == "longtide.client-record/1"
    assert bundle["appointments"][0]["note"] == NOTES["tidewater"]
    assert AuditEvent.objects.filter(action="export", via="api", detail="json").count() == 1


def test_the_appointments_list_has_no_notes_and_checks_its_range(world: World) -> None:
    token = _token(world, "front_desk")
    appointment = world.appointments["tidewater"]
    day = appointment.start.astimezone(appointment.location.zone).date()
    listed = _get(f"/api/v1/p/tidewater/appointments?start={day}", token).json()
    assert [(a["id"], a["client_name"], a["practitioner"]) for a in listed] == [
        (appointment.pk, "Cleo Park", "Ana Silva")
    ]
    assert NOTES["tidewater"] not in str(listed)
    # What staff may do, by the model's rules (the same answer as the appointment page's buttons).
    assert listed[0]["actions"] == appointment.allowed_actions(timezone.now())
    assert set(listed[0]["actions"]) == {"move", "cancel", "late_cancel", "mark"}
    assert _get(f"/api/v1/p/tidewater/appointments?start={day - timedelta(days=1)}", token).json() == []
    week = _get(f"/api/v1/p/tidewater/appointments?start={day - timedelta(days=3)}&days=7", token).json()
    assert [a["id"] for a in week] == [appointment.pk]
    for query, field in [("days=0", "days"), ("days=32", "days"), ("start=9999-12-31&days=31", "start")]:
        response = _get(f"/api/v1/p/tidewater/appointments?{query}", token)
        assert response.status_code == 422, query
        assert list(response.json()["errors"]) == [field], query
    bad = _get("/api/v1/p/tidewater/appointments?start=2026-02-30", token)
    assert bad.status_code == 422 and list(bad.json()["errors"]) == ["start"]


def test_the_openapi_document_has_the_staff_endpoints_with_the_bearer_scheme(client: HttpClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    (name,) = [n for n, s in schemes.items() if s == {"type": "http", "scheme": "bearer"}]
    for path in [
        "/api/v1/p/{slug}/clients",
        "/api/v1/p/{slug}/clients/{client_id}",
        "/api/v1/p/{slug}/clients/{client_id}/chart",
        "/api/v1/p/{slug}/clients/{client_id}/export",
        "/api/v1/p/{slug}/appointments",
    ]:
        assert doc["paths"][path]["get"]["security"] == [{name: []}], path
    assert "security" not in doc["paths"]["/api/v1/p/{slug}/services"]["get"]
