"""Who reaches the client list, a client's page and the add and edit forms: every URL × every role
(tests/access/conftest.py) × own practice / other practice, with the exact answer.

These pages are for every member of the practice (front desk included): they show contact details and
the schedule, never the booking note or anything clinical. Staff of another practice and the operator
get 404; anonymous visitors are sent to sign in. A POST by someone who may not act changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient

from longtide.clients.models import Client
from tests.access.conftest import World

pytestmark = pytest.mark.django_db

ROLES = [
    "owner",
    "practitioner",
    "colleague",
    "front_desk",
    "student",
    "outsider",
    "two_roles",
    "operator",
    "anonymous",
]
ROLE_IN = {
    "tidewater": {
        "owner": "owner",
        "student": "student",
        "practitioner": "practitioner",
        "colleague": "practitioner",
        "front_desk": "front_desk",
        "two_roles": "front_desk",
    },
    "harbour": {"outsider": "practitioner", "two_roles": "owner"},
}
EVERY_ROLE = frozenset({"owner", "practitioner", "front_desk"})
MERGERS = frozenset({"owner", "front_desk"})


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {client} (the client of that practice's appointment)
    roles: frozenset[str] = EVERY_ROLE
    ok: int = 200
    data: tuple[tuple[str, str], ...] = ()


PAGES = [
    Page("client list", "GET", "/staff/{practice}/clients/"),
    Page("client list, search", "GET", "/staff/{practice}/clients/?q=cleo&page=1"),
    Page("a client", "GET", "/staff/{practice}/clients/{client}/"),
    Page("add a client form", "GET", "/staff/{practice}/clients/new/"),
    Page(
        "add a client",
        "POST",
        "/staff/{practice}/clients/new/",
        ok=302,
        data=(("first_name", "Pia"), ("last_name", "Lee"), ("phone", "207 555 0199")),
    ),
    Page("edit a client form", "GET", "/staff/{practice}/clients/{client}/edit/"),
    Page(
        "edit a client",
        "POST",
        "/staff/{practice}/clients/{client}/edit/",
        ok=302,
        data=(("first_name", "Cleo"), ("last_name", "Parks"), ("email", "cleo@example.test"), ("phone", "")),
    ),
    # Merging a duplicate into a record: owners and front desk (practice/access.py, CLIENTS_MERGE).
    Page("merge a duplicate", "GET", "/staff/{practice}/clients/{client}/merge/", roles=MERGERS),
    Page("merge, search", "GET", "/staff/{practice}/clients/{client}/merge/?q=cleo", roles=MERGERS),
    Page("merge, no duplicate chosen", "POST", "/staff/{practice}/clients/{client}/merge/", roles=MERGERS, ok=400),
]


def test_every_route_of_these_pages_has_rows() -> None:
    from longtide.web.staff.urls import urlpatterns

    mine = {"staff-clients", "staff-client-new", "staff-client", "staff-client-edit", "staff-client-merge"}
    routes = {str(p.pattern) for p in urlpatterns if getattr(p, "name", None) in mine}
    covered = {
        "staff/<slug:practice_slug>/"
        + page.path.split("?")[0].removeprefix("/staff/{practice}/").replace("{client}", "<int:pk>")
        for page in PAGES
    }
    assert routes == covered


def _state() -> list[tuple[Any, ...]]:
    return sorted(Client.objects.values_list("pk", "first_name", "last_name", "email", "phone"))


def _client_for(world: Any, who: str) -> HttpClient:
    http = HttpClient()
    if who != "anonymous":
        http.force_login(world.users[who])
    return http


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer(world: World, page: Page, practice: str) -> None:
    appointment = world.appointments[practice]
    path = page.path.format(practice=practice, client=appointment.client_id)
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[int, str] = (302, "to sign in")
        elif role is not None and role in page.roles:
            want = (page.ok, "to a client's page" if page.ok == 302 else "")
        else:
            want = (404, "")  # outsiders and the operator: as if the practice did not exist
        expected[who] = want
        before = _state()
        with transaction.atomic():
            http = _client_for(world, who)
            response = http.get(path) if page.method == "GET" else http.post(path, dict(page.data))
            changed = _state() != before
            transaction.set_rollback(True)
        body = response.content.decode()
        assert world.notes[practice] not in body, f"the booking note reached {who} on {path}"
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"], path
        if response.status_code == 404:
            assert world.practices[practice].name not in body
        where = ""
        if response.status_code == 302:
            location = response["Location"]
            where = "to sign in" if location.startswith("/staff/login/") else ""
            if location.startswith(f"/staff/{practice}/clients/"):
                where = "to a client's page"
        actual[who] = (response.status_code, where)
        if page.method == "POST":
            assert changed == (want[0] == 302 and who != "anonymous"), f"{who} POST {path}: changed={changed}"
    assert actual == expected


def test_a_client_of_another_practice_is_a_404_under_ones_own(world: World) -> None:
    theirs = world.appointments["harbour"].client
    for who in ROLE_IN["tidewater"]:
        http = _client_for(world, who)
        assert http.get(f"/staff/tidewater/clients/{theirs.pk}/").status_code == 404
        assert http.get(f"/staff/tidewater/clients/{theirs.pk}/edit/").status_code == 404
        data = {"first_name": "X", "last_name": "Y", "email": "x@y.test"}
        assert http.post(f"/staff/tidewater/clients/{theirs.pk}/edit/", data).status_code == 404
        if who == "student":  # holds no client list at all
            assert http.get("/staff/tidewater/clients/?q=cleo").status_code == 404
            continue
        listed = http.get("/staff/tidewater/clients/?q=cleo").text
        assert theirs.email not in listed and "cleo@example.test" in listed
    theirs.refresh_from_db()
    assert theirs.first_name == "Cleo"
