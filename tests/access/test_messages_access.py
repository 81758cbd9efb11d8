"""Who reaches the outbox, the message settings and a client's reminder choice: every URL × every role
(tests/access/conftest.py) × own practice / other practice, with the exact answer.

The outbox and a client's reminder choice are for every member of the practice (front desk
included: messages carry no clinical content, and the booking note never appears); the message
settings and wording are the owner's. Staff of another practice, and the operator, get 404; anonymous
visitors are sent to sign in. A POST by someone who may not act changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient

from longtide.notifications.models import Message, MessageTemplate, State
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
OWNERS = frozenset({"owner"})


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {message} (a message of that practice), {client} (a client of it)
    roles: frozenset[str]
    ok: int = 200
    data: tuple[tuple[str, str], ...] = ()


PAGES = [
    Page("outbox", "GET", "/staff/{practice}/outbox/", EVERY_ROLE),
    Page("outbox, failed only", "GET", "/staff/{practice}/outbox/?status=failed", EVERY_ROLE),
    Page("a message", "GET", "/staff/{practice}/outbox/{message}/", EVERY_ROLE),
    Page("send again by GET", "GET", "/staff/{practice}/outbox/{message}/send-again/", EVERY_ROLE, ok=405),
    Page("send again", "POST", "/staff/{practice}/outbox/{message}/send-again/", EVERY_ROLE, 302, (("key", "k1"),)),
    Page("message settings", "GET", "/staff/{practice}/messages/", OWNERS),
    Page(
        "message settings, save",
        "POST",
        "/staff/{practice}/messages/",
        OWNERS,
        302,
        (("reminder_hours_first", "72"), ("reminder_hours_second", "2")),
    ),
    Page("wording", "GET", "/staff/{practice}/messages/booking.reminder.email/", OWNERS),
    Page(
        "wording, save",
        "POST",
        "/staff/{practice}/messages/booking.reminder.sms/",
        OWNERS,
        302,
        (("action", "save"), ("body", "See you {{ day }}!")),
    ),
    Page("a client's reminders", "GET", "/staff/{practice}/clients/{client}/reminders/", EVERY_ROLE),
    Page(
        "a client's reminders, save",
        "POST",
        "/staff/{practice}/clients/{client}/reminders/",
        EVERY_ROLE,
        302,
        (("channel", "none"),),
    ),
]


def test_every_route_of_these_pages_has_rows() -> None:
    from longtide.web.staff.urls import urlpatterns

    mine = ("outbox/", "messages/", "clients/<int:pk>/reminders/")
    routes = {
        str(p.pattern).removeprefix("staff/<slug:practice_slug>/")
        for p in urlpatterns
        if str(p.pattern).startswith(tuple(f"staff/<slug:practice_slug>/{m}" for m in mine))
    }
    covered = {
        page.path.split("?")[0]
        .removeprefix("/staff/{practice}/")
        .replace("{message}", "<int:pk>")
        .replace("{client}", "<int:pk>")
        .replace("booking.reminder.email", "<str:key>")
        .replace("booking.reminder.sms", "<str:key>")
        for page in PAGES
    }
    assert routes <= covered, routes - covered


def _state() -> tuple[Any, ...]:
    from longtide.clients.models import Client
    from longtide.practice.models import Practice

    return (
        sorted(Message.objects.values_list("pk", "status")),
        sorted(MessageTemplate.objects.values_list("pk", "body")),
        sorted(Practice.objects.values_list("pk", "reminder_hours_first", "reminder_hours_second")),
        sorted(Client.objects.values_list("pk", "reminder_channel")),
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
    message = Message.objects.get(about=f"appointment:{appointment.pk}")
    Message.objects.filter(pk=message.pk).update(status=State.SENT)
    path = page.path.format(practice=practice, message=message.pk, client=appointment.client_id)
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[int, str] = (302, "to sign in")
        elif role is not None and role in page.roles:
            want = (page.ok, "back to a staff page" if page.ok == 302 else "")
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
            if location.startswith(f"/staff/{practice}/"):
                where = "back to a staff page"
        actual[who] = (response.status_code, where)
        if want[0] != 302 or who == "anonymous":
            if page.method == "POST":
                assert not changed, f"{who} changed something with POST {path}"
        elif page.method == "POST":
            assert changed, f"{who}'s POST {path} changed nothing"
    assert actual == expected


def test_a_message_of_another_practice_is_a_404_under_ones_own(world: World) -> None:
    theirs = Message.objects.get(about=f"appointment:{world.appointments['harbour'].pk}")
    for who in ROLE_IN["tidewater"]:
        http = _client_for(world, who)
        assert http.get(f"/staff/tidewater/outbox/{theirs.pk}/").status_code == 404
        assert http.post(f"/staff/tidewater/outbox/{theirs.pk}/send-again/", {"key": "x"}).status_code == 404
        client_id = world.appointments["harbour"].client_id
        assert http.get(f"/staff/tidewater/clients/{client_id}/reminders/").status_code == 404
    assert Message.objects.filter(resend_of=theirs).count() == 0
