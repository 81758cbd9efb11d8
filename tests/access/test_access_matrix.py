"""The access matrix: every staff page and every admin URL × every role × own / other practice, with the
exact answer (status, where it redirects, and whether the booking note appears).

The roles (tests/access/conftest.py): at Tidewater an owner, the appointment's practitioner, a
colleague practitioner and a front desk; Harbour's practitioner (an outsider to Tidewater); a user
who owns Harbour and is front desk at Tidewater; the operator (a superuser, member of nothing); and
an anonymous visitor.

To cover a new staff page, add a row to STAFF_PAGES. Admin rows are generated from the admin's
registry, so a newly registered model is covered (and needs an object in `_admin_objects`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db import transaction
from django.db.models import Model
from django.test import Client as HttpClient

from longtide.practice.access import PRIVATE_ADMIN_FIELDS
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

# Each user's role in each practice, as the cast made them (everyone else is an outsider there).
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
# Who may read each practice's appointment note: its owners and the appointment's practitioner.
NOTE_READERS = {"tidewater": {"owner", "practitioner"}, "harbour": {"outsider", "two_roles"}}
EVERY_ROLE = frozenset({"owner", "practitioner", "front_desk"})


@dataclass(frozen=True)
class Page:
    """A staff page. `path` may use {practice} and {appointment} (an appointment of that practice)."""

    name: str
    method: str
    path: str
    ok: int = 200  # the answer for a member whose role is in `roles`
    roles: frozenset[str] = EVERY_ROLE
    data: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    shows_note: bool = False  # whether the page is where the booking note may appear


STAFF_PAGES = [
    Page("calendar day", "GET", "/staff/{practice}/calendar/"),
    Page("calendar week", "GET", "/staff/{practice}/calendar/?view=week&by=room"),
    Page("calendar, everyone's week", "GET", "/staff/{practice}/calendar/?view=week&by=team"),
    Page("calendar htmx fragment", "GET", "/staff/{practice}/calendar/?view=week", headers={"HX-Request": "true"}),
    Page("new appointment", "GET", "/staff/{practice}/appointments/new/"),
    Page("new appointment, book", "POST", "/staff/{practice}/appointments/new/", data={"action": "book"}),
    Page("appointment", "GET", "/staff/{practice}/appointments/{appointment}/", shows_note=True),
    Page("move", "GET", "/staff/{practice}/appointments/{appointment}/move/"),
    Page(
        "move, choose nothing",
        "POST",
        "/staff/{practice}/appointments/{appointment}/move/",
        ok=400,
        data={"action": "move"},
    ),
    Page("cancel by GET", "GET", "/staff/{practice}/appointments/{appointment}/cancel/", ok=405),
    Page("cancel without a reason", "POST", "/staff/{practice}/appointments/{appointment}/cancel/", ok=400),
    Page(
        "cancel",
        "POST",
        "/staff/{practice}/appointments/{appointment}/cancel/",
        ok=302,
        data={"cancel-decided_by": "clinic", "cancel-reason": "Practitioner ill"},
    ),
    Page("mark by GET", "GET", "/staff/{practice}/appointments/{appointment}/mark/", ok=405),
    Page("mark", "POST", "/staff/{practice}/appointments/{appointment}/mark/", ok=302, data={"status": "completed"}),
    Page("sign-in settings", "GET", "/staff/{practice}/settings/sign-in/", roles=frozenset({"owner"})),
    Page("audit trail", "GET", "/staff/{practice}/audit/", roles=frozenset({"owner"})),
    Page("audit trail CSV", "GET", "/staff/{practice}/audit/?format=csv", roles=frozenset({"owner"})),
    Page("monthly access report", "GET", "/staff/{practice}/audit/monthly/", roles=frozenset({"owner"})),
    Page("monthly access report CSV", "GET", "/staff/{practice}/audit/monthly/?format=csv", roles=frozenset({"owner"})),
]


# Practice pages whose rows live in another matrix module, by route prefix.
COVERED_ELSEWHERE = {
    "staff/<slug:practice_slug>/settings/sign-in/": "tests/access/test_sign_in_urls.py",
    "staff/<slug:practice_slug>/settings/": "tests/access/test_settings_pages_access.py",
    "staff/<slug:practice_slug>/outbox/": "tests/access/test_messages_access.py",
    "staff/<slug:practice_slug>/messages/": "tests/access/test_messages_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/reminders/": "tests/access/test_messages_access.py",
    "staff/<slug:practice_slug>/calendar-feed/": "tests/access/test_feed_and_waitlist_access.py",
    "staff/<slug:practice_slug>/waitlist/": "tests/access/test_feed_and_waitlist_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/intake/": "tests/access/test_intake_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/chart/": "tests/access/test_records_matrix.py",
    "staff/<slug:practice_slug>/appointments/<int:pk>/note/": "tests/access/test_notes_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/notes/": "tests/access/test_notes_access.py",
    "staff/<slug:practice_slug>/notes/": "tests/access/test_notes_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/outcomes/": "tests/access/test_outcomes_access.py",
    "staff/<slug:practice_slug>/reports/": "tests/access/test_outcomes_access.py",
}
# Single routes whose rows live in another module (exact: a prefix would hide pages added under them).
COVERED_EXACTLY = {
    "staff/<slug:practice_slug>/clients/": "tests/access/test_clients_access.py",
    "staff/<slug:practice_slug>/clients/new/": "tests/access/test_clients_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/": "tests/access/test_clients_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/edit/": "tests/access/test_clients_access.py",
    "staff/<slug:practice_slug>/clients/<int:pk>/merge/": "tests/access/test_clients_access.py",
}


def test_every_practice_page_of_the_staff_area_has_matrix_rows() -> None:
    from longtide.web.staff.urls import urlpatterns

    routes = {str(p.pattern) for p in urlpatterns if str(p.pattern).startswith("staff/<slug:practice_slug>/")}
    covered = {
        p.path.split("?")[0]
        .lstrip("/")
        .replace("{practice}", "<slug:practice_slug>")
        .replace("{appointment}", "<int:pk>")
        for p in STAFF_PAGES
    }
    missing = {
        r
        for r in routes
        if r not in covered and r not in COVERED_EXACTLY and not any(r.startswith(k) for k in COVERED_ELSEWHERE)
    }
    assert missing == set(), "add rows to STAFF_PAGES for these staff pages"


def _request(client: HttpClient, method: str, path: str, data: dict[str, str], headers: dict[str, str]) -> Any:
    # Each role's request runs in a savepoint that is rolled back, so a cancel by one role does not
    # change what the next one sees.
    with transaction.atomic():
        response = client.get(path, headers=headers) if method == "GET" else client.post(path, data, headers=headers)
        transaction.set_rollback(True)
    return response


def _client_for(world: Any, who: str) -> HttpClient:
    client = HttpClient()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _answer(response: Any, note: str | None) -> tuple[Any, ...]:
    """(status, where a redirect goes, [whether the note appears]); a login redirect reads
    "<login path> next=<path>"."""
    where = ""
    if response.status_code in (301, 302):
        parts = urlsplit(response["Location"])
        where = parts.path
        if "next" in (query := parse_qs(parts.query)):
            where += f" next={query['next'][0]}"
    if note is None:
        return (response.status_code, where)
    return (response.status_code, where, note in response.text if response.status_code == 200 else None)


# -- staff pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", STAFF_PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer_on_a_staff_page(world: World, page: Page, practice: str) -> None:
    appointment = world.appointments[practice]
    path = page.path.format(practice=practice, appointment=appointment.pk)
    note = world.notes[practice] if page.shows_note else None
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[Any, ...] = (302, f"/staff/login/ next={path}")
        elif role is not None and role in page.roles:
            target = f"/staff/{practice}/appointments/{appointment.pk}/" if page.ok == 302 else ""
            want = (page.ok, target)
        else:
            want = (404, "")  # outsiders and the operator: as if the practice did not exist
        if note is not None:
            want = (*want, (who in NOTE_READERS[practice]) if want[0] == 200 else None)
        expected[who] = want
        response = _request(_client_for(world, who), page.method, path, page.data, page.headers)
        actual[who] = _answer(response, note)
    assert actual == expected


@pytest.mark.parametrize(
    "page", [p for p in STAFF_PAGES if "{appointment}" in p.path and p.ok != 405], ids=lambda p: p.name
)
def test_an_appointment_of_another_practice_is_a_404_under_ones_own(world: World, page: Page) -> None:
    path = page.path.format(practice="tidewater", appointment=world.appointments["harbour"].pk)
    answers = {
        who: _request(_client_for(world, who), page.method, path, page.data, page.headers).status_code
        for who in ROLE_IN["tidewater"]
    }
    assert answers == dict.fromkeys(ROLE_IN["tidewater"], 404)


def test_the_staff_home_lists_only_ones_own_practices(world: World) -> None:
    listed: dict[str, int | set[str]] = {}
    for who in ROLES:
        response = _client_for(world, who).get("/staff/")
        if response.status_code != 200:
            listed[who] = response.status_code
            continue
        listed[who] = {name for name in ("Tidewater Craniosacral", "Harbour Bodywork") if name in response.text}
    assert listed == {
        "owner": {"Tidewater Craniosacral"},
        "practitioner": {"Tidewater Craniosacral"},
        "colleague": {"Tidewater Craniosacral"},
        "front_desk": {"Tidewater Craniosacral"},
        "student": {"Tidewater Craniosacral"},
        "outsider": {"Harbour Bodywork"},
        "two_roles": {"Tidewater Craniosacral", "Harbour Bodywork"},
        "operator": set(),  # privacy by default: a superuser is a member of nothing
        "anonymous": 302,
    }


# -- the admin ---------------------------------------------------------------------------------

# Read-only in the admin: appointments change only through the booking actions.
READ_ONLY = {"scheduling.appointment"}


def _admin_objects(world: Any) -> dict[str, Any]:
    """One object of every model in the admin (a newly registered model must be added here)."""
    from django.contrib.auth.models import Group

    from longtide.scheduling.models import HoursException, TimeOff, WorkingHours

    cast = world.cast
    appointment = world.appointments["tidewater"]
    return {
        "auth.user": world.users["front_desk"],
        "auth.group": Group.objects.create(name="Operators"),
        "practice.practice": cast.tidewater,
        "practice.location": cast.location,
        "practice.room": cast.willow,
        "practice.practitioner": cast.ana,
        "practice.service": cast.session,
        "practice.staffmembership": cast.ana_user.memberships.get(),
        "scheduling.workinghours": WorkingHours.objects.filter(practitioner=cast.ana).first(),
        "scheduling.hoursexception": HoursException.objects.create(
            practitioner=cast.ana, date=appointment.start.date(), available=False
        ),
        "scheduling.timeoff": TimeOff.objects.create(
            practitioner=cast.ana, start=appointment.end, end=appointment.end + (appointment.end - appointment.start)
        ),
        "scheduling.appointment": appointment,
    }


def _probes(model_admin: Any) -> list[tuple[str, str, int]]:
    """Changelist lookups to try as the operator: every private field and two other fields that are
    not list filters (refused with a 400), and each list filter (allowed)."""
    meta = model_admin.model._meta
    filters = {f if isinstance(f, str) else f[0] for f in model_admin.list_filter}
    private = PRIVATE_ADMIN_FIELDS.get(meta.label_lower, frozenset())
    probes, others = [], 0
    for f in meta.get_fields():
        if not getattr(f, "concrete", False) or f.primary_key:
            continue
        if f.name in filters and f.name not in private:
            probes.append((f"?{f.name}__isnull=False", f.name, 200))
        elif f.name in private or others < 2:
            others += f.name not in private
            lookup = "id__gt" if f.is_relation else "icontains"
            probes.append((f"?{f.name}__{lookup}=1", f.name, 400))
    return probes


def _admin_urls(model: Any, model_admin: Any) -> list[tuple[str, str]]:
    """(kind, path) of every admin URL of a model; {pk} stands for its object."""
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    urls = [("changelist", base), ("add", f"{base}add/")]
    urls += [(kind, f"{base}{{pk}}/{kind}/") for kind in ("change", "delete", "history")]
    urls += [(f"lookup on {name}", base + query) for query, name, _ in _probes(model_admin)]
    return urls


def _operator_answer(model_admin: Any, kind: str, path: str) -> int:
    label = model_admin.model._meta.label_lower
    if kind.startswith("lookup on "):
        return next(status for query, _, status in _probes(model_admin) if path.endswith(query))
    if kind in ("add", "delete") and label in READ_ONLY:
        return 403
    return 200


ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label_lower for m, _ in ADMINS])
def test_only_the_operator_reaches_the_admin(world: World, model: type[Model], model_admin: ModelAdmin[Model]) -> None:
    obj = _admin_objects(world)[model._meta.label_lower]
    clients = {who: _client_for(world, who) for who in ROLES}
    expected, actual = {}, {}
    for kind, template in _admin_urls(model, model_admin):
        path = template.format(pk=quote(str(obj.pk)))
        for who in ROLES:
            if who == "anonymous":
                want = (302, f"/admin/login/ next={path}")
            elif who == "operator":
                want = (_operator_answer(model_admin, kind, path), "")
            else:
                want = (404, "")  # practice staff of any role never reach the admin
            expected[(kind, who)] = want
            actual[(kind, who)] = _answer(_request(clients[who], "GET", path, {}, {}), None)
    assert actual == expected


def test_the_admin_never_shows_a_booking_note_or_the_client(world: World) -> None:
    client = _client_for(world, "operator")
    appointment = world.appointments["tidewater"]
    for path in ["/admin/scheduling/appointment/", f"/admin/scheduling/appointment/{appointment.pk}/change/"]:
        page = client.get(path).text
        assert world.notes["tidewater"] not in page
        assert "Cleo" not in page and "cleo@example.test" not in page
    assert client.get("/admin/clients/client/").status_code == 404


def test_the_admin_sign_in_refuses_practice_staff_and_is_a_404_once_signed_in(world: World) -> None:
    client = HttpClient()
    response = client.post("/admin/login/", {"username": "olga", "password": "pw-olga-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    client.force_login(world.users["owner"])
    assert client.get("/admin/login/").status_code == 404
    operator = HttpClient()
    signed_in = operator.post("/admin/login/?next=/admin/", {"username": "root", "password": "pw-root-123"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
