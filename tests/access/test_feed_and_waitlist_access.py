"""Who reaches the calendar-feed and waitlist pages: every URL × every role (tests/access/conftest.py)
× own / other practice, with the exact answer.

A member's own calendar feed page is for every role (front desk is told only practitioners have
one); stopping another practitioner's feed is the owner's. The waitlist is for every member (contact
details and wishes, nothing clinical). Staff of another practice and the operator get 404; anonymous
visitors are sent to sign in. A POST by someone who may not act changes nothing; one that may, does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient

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
# A student has their own feed (their sessions' times, no clinical content) but no waitlist.
FEED_ROLES = EVERY_ROLE | {"student"}
# Who has a practitioner profile in each practice (their POST "new" makes a feed; others' changes nothing).
PRACTITIONERS = {"tidewater": {"practitioner", "colleague", "student"}, "harbour": {"outsider"}}


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {practitioner} (the practice's appointment's practitioner), {entry}
    roles: frozenset[str]
    ok: int = 200
    data: tuple[tuple[str, str], ...] | str = ()  # "add": a valid add-to-waitlist form for the practice
    changes: bool = True  # whether an allowed POST changes something (see PRACTITIONERS for "new")


PAGES = [
    Page("calendar feed", "GET", "/staff/{practice}/calendar-feed/", FEED_ROLES),
    Page("calendar feed, make", "POST", "/staff/{practice}/calendar-feed/", FEED_ROLES, 302, (("action", "new"),)),
    Page("stop a feed by GET", "GET", "/staff/{practice}/calendar-feed/{practitioner}/stop/", OWNERS, 405),
    Page("stop a feed", "POST", "/staff/{practice}/calendar-feed/{practitioner}/stop/", OWNERS, 302),
    Page("waitlist", "GET", "/staff/{practice}/waitlist/", EVERY_ROLE),
    Page("waitlist, everyone", "GET", "/staff/{practice}/waitlist/?show=all", EVERY_ROLE),
    Page("waitlist, add", "POST", "/staff/{practice}/waitlist/", EVERY_ROLE, 302, "add"),
    Page("remove by GET", "GET", "/staff/{practice}/waitlist/{entry}/remove/", EVERY_ROLE, 405),
    Page("remove from the waitlist", "POST", "/staff/{practice}/waitlist/{entry}/remove/", EVERY_ROLE, 302),
]


def test_every_route_of_these_pages_has_rows() -> None:
    from longtide.web.staff.urls import urlpatterns

    mine = ("calendar-feed/", "waitlist/")
    routes = {
        str(p.pattern).removeprefix("staff/<slug:practice_slug>/")
        for p in urlpatterns
        if str(p.pattern).startswith(tuple(f"staff/<slug:practice_slug>/{m}" for m in mine))
    }
    covered = {
        page.path.split("?")[0]
        .removeprefix("/staff/{practice}/")
        .replace("{practitioner}", "<int:pk>")
        .replace("{entry}", "<int:pk>")
        for page in PAGES
    }
    assert routes <= covered, routes - covered


def _state() -> tuple[Any, ...]:
    from longtide.scheduling.models import CalendarFeed, WaitlistEntry

    return (
        sorted(CalendarFeed.objects.values_list("pk", "practitioner_id", "revoked_at")),
        sorted(WaitlistEntry.objects.values_list("pk", "status")),
    )


def _add_form(world: Any, practice: str) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    service = world.appointments[practice].service
    today = timezone.now().date()
    return {
        "service": service.slug,
        "practitioner": "",
        "earliest": (today + timedelta(days=1)).isoformat(),
        "latest": (today + timedelta(days=20)).isoformat(),
        "weekdays": ["0", "1", "2"],
        "time_from": "09:00",
        "time_to": "17:00",
        "first_name": "Wren",
        "last_name": "Wait",
        "email": "wren@example.test",
        "phone": "",
    }


def _client_for(world: Any, who: str) -> HttpClient:
    http = HttpClient()
    if who != "anonymous":
        http.force_login(world.users[who])
    return http


def _setup(world: Any, practice: str) -> dict[str, Any]:
    from datetime import time, timedelta

    from django.utils import timezone

    from longtide.scheduling.booking import ClientDetails
    from longtide.scheduling.feeds import new_feed
    from longtide.scheduling.waitlist import Wishes, add_by_staff

    appointment = world.appointments[practice]
    new_feed(appointment.practitioner, by=None)
    today = timezone.now().date()
    entry = add_by_staff(
        practice=appointment.practice,
        wishes=Wishes(
            appointment.service, None, today + timedelta(days=1), today + timedelta(days=20), "01234", time(9), time(17)
        ),
        details=ClientDetails("Yan", "Wait", "yan@example.test"),
        by=None,
    )
    return {"practice": practice, "practitioner": appointment.practitioner_id, "entry": entry.pk}


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer(world: World, page: Page, practice: str) -> None:
    path = page.path.format(**_setup(world, practice))
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[int, str] = (302, "to sign in")
        elif role is not None and role in page.roles:
            want = (page.ok, "back to a staff page" if page.ok == 302 else "")
        else:
            want = (404, "")
        expected[who] = want
        before = _state()
        with transaction.atomic():
            http = _client_for(world, who)
            data = _add_form(world, practice) if isinstance(page.data, str) else dict(page.data)
            response = http.get(path) if page.method == "GET" else http.post(path, data)
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
        if page.method == "POST":
            should_change = want[0] == 302 and who != "anonymous" and page.changes
            if page.name == "calendar feed, make":
                should_change = should_change and who in PRACTITIONERS[practice]
            assert changed == should_change, f"{who}'s POST {path}: changed={changed}"
    assert actual == expected


def test_a_practitioner_or_entry_of_another_practice_is_a_404_under_ones_own(world: World) -> None:
    theirs = _setup(world, "harbour")
    for who in ROLE_IN["tidewater"]:
        http = _client_for(world, who)
        assert http.post(f"/staff/tidewater/calendar-feed/{theirs['practitioner']}/stop/").status_code == 404
        assert http.post(f"/staff/tidewater/waitlist/{theirs['entry']}/remove/").status_code == 404


def test_the_feed_address_is_shown_only_to_its_practitioner(world: World) -> None:
    from longtide.scheduling.feeds import new_feed, token_for

    appointment = world.appointments["tidewater"]
    token = token_for(new_feed(appointment.practitioner, by=None))
    assert token
    for who in ROLES:
        body = _client_for(world, who).get("/staff/tidewater/calendar-feed/").content.decode()
        assert (token in body) == (who == "practitioner"), who
