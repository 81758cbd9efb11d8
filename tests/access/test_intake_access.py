"""Who reaches a client's intake pages: every URL × every role (tests/access/conftest.py) × own
practice / other practice, with the exact answer, and who sees the clinical content.

The intake page opens for every member (front desk sees whether intake and consent are done and
whether the booking is held), but answers and flags only for the client's care team (the
appointment's practitioner) and the owner; a colleague practitioner outside the care relation sees
no more than the front desk. Acknowledging a flag is for the care team and the owner; sending the
client a new link is for everyone. Staff of another practice and the operator get 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient

from longtide.audit.models import AuditEvent
from longtide.audit.trail import Origin
from longtide.intake import actions
from longtide.intake.models import Flag, IntakeLink
from tests.access.conftest import World
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

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
EVERYONE = frozenset({"owner", "practitioner", "colleague", "front_desk", "two_roles", "outsider"})
CARE = frozenset({"owner", "practitioner"})  # by matrix name: the owner and the appointment's practitioner
# Who of each practice sees the answers and flags (care team and owners).
CLINICAL_READERS = {"tidewater": {"owner", "practitioner"}, "harbour": {"outsider", "two_roles"}}
FLAG_TEXT = "Chiari malformation"


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {client}, {flag}
    clinical_only: bool = False  # only the care team and owners (else: any member)
    clinical_role: bool = False  # only roles with a clinical permission (not front desk)
    ok: int = 200
    data: tuple[tuple[str, str], ...] = ()


PAGES = [
    Page("intake", "GET", "/staff/{practice}/clients/{client}/intake/"),
    Page("send link by GET", "GET", "/staff/{practice}/clients/{client}/intake/send/", ok=405),
    Page("send link", "POST", "/staff/{practice}/clients/{client}/intake/send/", ok=302),
    Page(
        "acknowledge",
        "POST",
        "/staff/{practice}/clients/{client}/intake/flags/{flag}/acknowledge/",
        clinical_only=True,
        ok=302,
        data=(("action", "clearance"),),
    ),
    Page(
        "acknowledge by GET",
        "GET",
        "/staff/{practice}/clients/{client}/intake/flags/{flag}/acknowledge/",
        clinical_role=True,
        ok=405,
    ),
]


def test_every_route_of_these_pages_has_rows() -> None:
    from longtide.web.staff.urls import urlpatterns

    routes = {
        str(p.pattern)
        for p in urlpatterns
        if str(p.pattern).startswith("staff/<slug:practice_slug>/clients/<int:pk>/intake/")
    }
    covered = {
        p.path.lstrip("/")
        .replace("{practice}", "<slug:practice_slug>")
        .replace("{client}", "<int:pk>")
        .replace("{flag}", "<int:flag_pk>")
        for p in PAGES
    }
    assert routes == covered


def _flagged(appointment: Any) -> Flag:
    intake = actions.draft_for(appointment.client)
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen("chiari"))):
        assert actions.save_step(intake, step, data, today=date(2026, 12, 2)).ok
    documents = actions.current_documents(appointment.practice)
    answer = actions.ConsentAnswer({d.pk for d in documents if d.kind != "intraoral"}, "Cleo Park")
    actions.submit(intake, answer, origin=Origin(None, ""), today=date(2026, 12, 2))
    return Flag.objects.get(client=appointment.client)


def _state() -> tuple[Any, ...]:
    return (
        sorted(Flag.objects.values_list("pk", "action")),
        sorted(IntakeLink.objects.values_list("pk", "voided_at")),
    )


def _client_for(world: Any, who: str) -> HttpClient:
    http = HttpClient()
    if who != "anonymous":
        http.force_login(world.users[who])
    return http


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer(world: World, page: Page, practice: str) -> None:
    appointment = world.appointments[practice]
    flag = _flagged(appointment)
    path = page.path.format(practice=practice, client=appointment.client_id, flag=flag.pk)
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        may = who in CLINICAL_READERS[practice] if page.clinical_only else role is not None
        if role == "student":  # the client is outside the student's sessions: nothing, not even the status
            may = False
        if page.clinical_role:  # refused by method before any client is looked at
            may = role in ("owner", "practitioner", "student")
        if who == "anonymous":
            want: tuple[Any, ...] = (302, "to sign in", False)
        elif may:
            want = (page.ok, "back to a staff page" if page.ok == 302 else "", None)
            if page.method == "GET" and page.ok == 200:
                want = (200, "", who in CLINICAL_READERS[practice])
        else:
            want = (404, "", False)
        if want[2] is None:
            want = (*want[:2], False)
        expected[who] = want
        before = _state()
        with transaction.atomic():
            http = _client_for(world, who)
            response = http.get(path) if page.method == "GET" else http.post(path, dict(page.data))
            changed = _state() != before
            audited = AuditEvent.objects.filter(object_type="intake", client_id=appointment.client_id).exists()
            transaction.set_rollback(True)
        body = response.content.decode()
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"], path
            # Every showing of the answers is audited; nothing clinical is shown without a row.
            if FLAG_TEXT in body:
                assert audited, (who, path)
        if response.status_code == 404:
            assert world.practices[practice].name not in body
        where = ""
        if response.status_code == 302:
            location = response["Location"]
            where = "to sign in" if location.startswith("/staff/login/") else ""
            if location.startswith(f"/staff/{practice}/"):
                where = "back to a staff page"
        actual[who] = (response.status_code, where, response.status_code == 200 and FLAG_TEXT in body)
        if page.method == "POST":
            assert changed == (response.status_code == 302 and who != "anonymous"), (who, path)
    assert actual == expected


def test_a_client_of_another_practice_is_a_404_under_ones_own(world: World) -> None:
    theirs = world.appointments["harbour"]
    flag = _flagged(theirs)
    for who in ROLE_IN["tidewater"]:
        http = _client_for(world, who)
        base = f"/staff/tidewater/clients/{theirs.client_id}/intake/"
        assert http.get(base).status_code == 404
        assert http.post(base + "send/").status_code == 404
        assert http.post(base + f"flags/{flag.pk}/acknowledge/", {"action": "clearance"}).status_code == 404
        mine = world.appointments["tidewater"].client_id
        assert (
            http.post(
                f"/staff/tidewater/clients/{mine}/intake/flags/{flag.pk}/acknowledge/", {"action": "clearance"}
            ).status_code
            == 404
        )
        assert http.get("/staff/tidewater/clients/99999999999999999999/intake/").status_code == 404
    flag.refresh_from_db()
    assert flag.acknowledged_at is None
