"""The records matrix: every chart page × every role (tests/access/conftest.py) × care relation ×
own / other practice, with the exact answer: status, where a redirect goes, which parts of the chart
appear, and the audit row a look writes.

Care relations at Tidewater (Cleo's appointment is with ana, "practitioner"):
- "default": ana is Cleo's care team; bea ("colleague") is not;
- "shared_care": the practice shares every chart with its practitioners;
- "break_glass": bea holds an open break-glass grant for Cleo.
At Harbour, Hal's appointment is with dov ("outsider" here means Tidewater's outsider).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.records.models import BreakGlass
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
RELATIONS = ["default", "shared_care", "break_glass"]

CLINICAL = "clinical"  # contact details, the care team, the booking note
KEPT_OUT = "kept_out"  # contact details and the schedule, and the break-glass offer
FRONT = "front"  # contact details and the schedule only
NONE = "none"  # 404


def sees(who: str, practice: str, relation: str) -> str:
    """What each member sees of the chart of the practice's client, written out by hand from
    docs/records.md (not computed by practice/access.py)."""
    if practice == "tidewater":
        if who in ("owner", "practitioner"):
            return CLINICAL
        if who == "colleague":
            return KEPT_OUT if relation == "default" else CLINICAL
        if who in ("front_desk", "two_roles"):
            return FRONT
        if who == "student":  # no session with this client: nothing, shared care or not, no break-glass
            return NONE
        return NONE
    if who in ("outsider", "two_roles"):  # Hal's practitioner, and Harbour's owner
        return CLINICAL
    return NONE


BASIS = {
    ("tidewater", "owner"): "owner",
    ("tidewater", "practitioner"): "care_team",
    ("tidewater", "front_desk"): "front_desk",
    ("tidewater", "two_roles"): "front_desk",
    ("harbour", "outsider"): "care_team",
    ("harbour", "two_roles"): "owner",
}


def basis(who: str, practice: str, relation: str) -> str:
    if (practice, who) == ("tidewater", "colleague"):
        return {"default": "not_in_care", "shared_care": "shared_care", "break_glass": "break_glass"}[relation]
    return BASIS[(practice, who)]


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {client}
    data: tuple[tuple[str, str], ...] = ()


CHART = Page("chart", "GET", "/staff/{practice}/clients/{client}/chart/")
BREAK_GLASS_FORM = Page("break-glass form", "GET", "/staff/{practice}/clients/{client}/chart/break-glass/")
BREAK_GLASS = Page(
    "break-glass",
    "POST",
    "/staff/{practice}/clients/{client}/chart/break-glass/",
    (("reason", "Covering the 3 pm session today"),),
)
ACCESS_REPORT = Page("access report", "GET", "/staff/{practice}/clients/{client}/chart/access/")
EXPORT_HTML = Page("export, printable", "GET", "/staff/{practice}/clients/{client}/chart/export/")
EXPORT_JSON = Page("export, JSON", "GET", "/staff/{practice}/clients/{client}/chart/export.json")
ERASE_FORM = Page("erasure request form", "GET", "/staff/{practice}/clients/{client}/chart/erase/")
ERASE = Page("erasure request", "POST", "/staff/{practice}/clients/{client}/chart/erase/", (("reason", "short"),))
PAGES = [CHART, BREAK_GLASS_FORM, BREAK_GLASS, ACCESS_REPORT, EXPORT_HTML, EXPORT_JSON, ERASE_FORM, ERASE]
OWNERS_ONLY = (ACCESS_REPORT, EXPORT_HTML, EXPORT_JSON, ERASE_FORM)
OWNERS = {("tidewater", "owner"), ("harbour", "two_roles")}

# Used by tests/access/test_access_matrix.py's meta-test.
ROUTES = {
    p.path.lstrip("/").replace("{practice}", "<slug:practice_slug>").replace("{client}", "<int:pk>") for p in PAGES
}


def expected(page: Page, who: str, practice: str, relation: str, path: str, chart: str) -> tuple[Any, ...]:
    if who == "anonymous":
        return (302, f"/staff/login/ next={path}")
    view = sees(who, practice, relation)
    if view == NONE:
        return (404, "")
    if page is CHART:
        return (200, "", view)
    if page in OWNERS_ONLY:
        return (200, "") if (practice, who) in OWNERS else (404, "")
    if page is ERASE:  # owners are told what is missing (no confirmation, a short reason); nothing erased
        return (422, "") if (practice, who) in OWNERS else (404, "")
    # Break-glass: front desk may not; a member who reads the chart already is sent to it.
    if view == FRONT:
        return (404, "")
    if view == CLINICAL or page is BREAK_GLASS:
        return (302, chart)
    return (200, "")


@dataclass
class Setup:
    practice: Any
    client: Any
    note: str


def _setup(world: Any, practice: str, relation: str) -> Setup:
    appointment = world.appointments[practice]
    place = world.practices[practice]
    if relation == "shared_care":
        place.shared_care = True
        place.save(update_fields=["shared_care"])
    if relation == "break_glass":
        now = timezone.now()
        BreakGlass.objects.create(
            practice=place,
            client=appointment.client,
            user=world.users["colleague"],
            reason="set up by the test",
            opened_at=now,
            until=now + timedelta(hours=1),
        )
    return Setup(place, appointment.client, world.notes[practice])


def _visit(who: str, world: Any, page: Page, path: str, note: str) -> tuple[tuple[Any, ...], list[str]]:
    """Make one request in a rolled-back savepoint; return the answer and the audit rows' bases."""
    client = HttpClient()
    if who != "anonymous":
        client.force_login(world.users[who])
    with transaction.atomic():
        before = AuditEvent.objects.count()
        response = client.get(path) if page.method == "GET" else client.post(path, dict(page.data))
        rows = list(AuditEvent.objects.order_by("pk")[before:].values_list("action", "basis"))
        transaction.set_rollback(True)
    where = response["Location"] if response.status_code in (301, 302) else ""
    if where.startswith("/staff/login/"):
        where = "/staff/login/ next=" + where.split("next=")[1].replace("%2F", "/")
    answer: tuple[Any, ...] = (response.status_code, where)
    if page is CHART and response.status_code == 200:
        text = response.text
        parts = {
            "email": "cleo@example.test" in text or "hal@example.test" in text,
            "note": note in text,
            "care_team": 'id="care-team"' in text,
            "offer": 'id="kept-out"' in text,
        }
        view = {
            (True, True, True, False): CLINICAL,
            (True, False, False, True): KEPT_OUT,
            (True, False, False, False): FRONT,
        }.get((parts["email"], parts["note"], parts["care_team"], parts["offer"]), repr(parts))
        answer = (*answer, view)
    return answer, [f"{action}:{basis}" for action, basis in rows]


# The break-glass relation is Tidewater's colleague's; Harbour has no kept-out member.
PLACES = [(p, r) for p in ("tidewater", "harbour") for r in RELATIONS if (p, r) != ("harbour", "break_glass")]


@pytest.mark.parametrize(("practice", "relation"), PLACES)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer_and_audit_row(
    world: World, page: Page, practice: str, relation: str
) -> None:
    setup = _setup(world, practice, relation)
    path = page.path.format(practice=practice, client=setup.client.pk)
    chart = f"/staff/{practice}/clients/{setup.client.pk}/chart/"
    want: dict[str | tuple[str, str], Any] = {}
    got: dict[str | tuple[str, str], Any] = {}
    for who in ROLES:
        want[who] = expected(page, who, practice, relation, path, chart)
        answer, rows = _visit(who, world, page, path, setup.note)
        got[who] = answer
        # Every look at the chart writes one row with why the member could see it; a refused
        # request none; a break-glass opening one row with its reason.
        if page is CHART:
            want[(who, "audit")] = [f"view:{basis(who, practice, relation)}"] if want[who][0] == 200 else []
        elif page in (EXPORT_HTML, EXPORT_JSON):
            want[(who, "audit")] = ["export:owner"] if want[who][0] == 200 else []
        elif page is BREAK_GLASS:
            opens = want[who][0] == 302 and sees(who, practice, relation) == KEPT_OUT
            want[(who, "audit")] = ["break_glass:break_glass"] if opens else []
        else:
            want[(who, "audit")] = []
        got[(who, "audit")] = rows
    assert got == want


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_client_of_another_practice_is_a_404_under_ones_own(world: World, page: Page) -> None:
    hal = world.appointments["harbour"].client
    path = page.path.format(practice="tidewater", client=hal.pk)
    answers = {
        who: _visit(who, world, page, path, "")[0][0]
        for who in ["owner", "practitioner", "colleague", "front_desk", "two_roles", "student"]
    }
    assert answers == dict.fromkeys(answers, 404)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_a_client_that_does_not_exist_is_a_404(world: World, page: Page, pk: str) -> None:
    path = page.path.format(practice="tidewater", client=pk)
    assert _visit("owner", world, page, path, "")[0][0] == 404


# -- the staff API -----------------------------------------------------------------------------

# Each member's token is for the practice asked about when they are a member there, else for
# their own practice; the operator (a member of nothing) has none, like an anonymous caller.
HOME = {"owner": "tidewater", "practitioner": "tidewater", "colleague": "tidewater", "front_desk": "tidewater"}
HOME |= {"student": "tidewater"}
HOME |= {"outsider": "harbour", "two_roles": "harbour"}

API = {
    "client list": ("/api/v1/p/{practice}/clients", "client_list"),
    "client": ("/api/v1/p/{practice}/clients/{client}", "client"),
    "chart": ("/api/v1/p/{practice}/clients/{client}/chart", "chart"),
    "export": ("/api/v1/p/{practice}/clients/{client}/export", "record"),
    "appointments": ("/api/v1/p/{practice}/appointments?days=31", "appointment_list"),
}


def _api_expected(endpoint: str, who: str, practice: str, relation: str) -> tuple[Any, ...]:
    if who in ("anonymous", "operator"):
        return (401, None)
    view = sees(who, practice, relation)
    if view == NONE:
        return (404, None)
    if endpoint == "export":
        return (200, "export:owner") if (practice, who) in OWNERS else (404, None)
    if endpoint == "chart":
        return (200, f"view:{basis(who, practice, relation)}", view in (CLINICAL,))
    return (200, "view:")


@pytest.mark.parametrize(("practice", "relation"), PLACES)
@pytest.mark.parametrize("endpoint", list(API))
def test_each_role_gets_exactly_its_answer_from_the_staff_api(
    world: World, endpoint: str, practice: str, relation: str
) -> None:
    from longtide.tokens.issue import create_token

    setup = _setup(world, practice, relation)
    template, object_type = API[endpoint]
    path = template.format(practice=practice, client=setup.client.pk)
    want, got = {}, {}
    for who in ROLES:
        headers = {}
        if who in HOME:
            home = practice if who in ROLE_IN_PRACTICE[practice] else HOME[who]
            token = create_token(
                practice=world.practices[home], user=world.users[who], days=1, name="", now=timezone.now()
            ).token
            headers["Authorization"] = f"Bearer {token}"
        with transaction.atomic():
            before = AuditEvent.objects.filter(via="api").count()
            response = HttpClient().get(path, headers=headers)
            rows = list(
                AuditEvent.objects.filter(via="api")
                .order_by("pk")[before:]
                .values_list("action", "basis", "object_type")
            )
            transaction.set_rollback(True)
        want[who] = _api_expected(endpoint, who, practice, relation)
        answer: tuple[Any, ...] = (response.status_code, rows[0][0] + ":" + rows[0][1] if rows else None)
        if endpoint == "chart" and response.status_code == 200:
            body = response.json()
            answer = (*answer, body["clinical"] and setup.note in str(body))
        if rows:
            assert len(rows) == 1 and rows[0][2] == object_type, (who, rows)
        got[who] = answer
    assert got == want


ROLE_IN_PRACTICE = {
    "tidewater": {"owner", "practitioner", "colleague", "front_desk", "two_roles", "student"},
    "harbour": {"outsider", "two_roles"},
}
