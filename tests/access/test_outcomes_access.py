"""Who reaches the outcome pages: every URL × every role (tests/access/conftest.py) × own practice /
other practice, with the exact answer and whether the client's outcomes appear.

A client's outcomes are clinical: owners and the client's care team (here the appointment's
practitioner) read them and act on them; a colleague outside the care team gets a 403 that shows
nothing; front desk, other practices' staff and the operator get a 404; anonymous visitors are
sent to sign in. The practice report is the owners'. A refused POST changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.measurement.models import Episode, PrimaryChange, QuestionnaireLink
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
READERS = {"tidewater": {"owner", "practitioner"}, "harbour": {"outsider", "two_roles"}}
OWNERS = {"tidewater": {"owner"}, "harbour": {"two_roles"}}
SECRET = {"tidewater": "Fibromyalgia", "harbour": "Fibromyalgia"}  # the episode's concern, as shown


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {client}
    ok: int
    allowed: str  # "read" (owners and the care team) or "owner"
    data: tuple[tuple[str, str], ...] = ()
    shows_outcomes: bool = False


PAGES = [
    Page("client outcomes", "GET", "/staff/{practice}/clients/{client}/outcomes/", 200, "read", shows_outcomes=True),
    Page(
        "client outcomes, send",
        "POST",
        "/staff/{practice}/clients/{client}/outcomes/",
        302,
        "read",
        (("action", "send"), ("episode", "{episode}"), ("instrument", "gad7"), ("timepoint", "ad_hoc")),
    ),
    Page(
        "client outcomes, change primary",
        "POST",
        "/staff/{practice}/clients/{client}/outcomes/",
        302,
        "read",
        (("action", "primary"), ("episode", "{episode}"), ("instrument", "psfs"), ("reason", "Pain is not the goal")),
    ),
    Page("practice report", "GET", "/staff/{practice}/reports/outcomes/", 200, "owner"),
    Page(
        "practice report CSV",
        "GET",
        "/staff/{practice}/reports/outcomes.csv?from=2020-01-01&to=2020-03-31",
        200,
        "owner",
    ),
]


@pytest.fixture
def episodes(world: World) -> dict[str, Any]:
    found = {}
    for practice, appointment in world.appointments.items():
        found[practice] = Episode.objects.create(
            practice=appointment.practice,
            client=appointment.client,
            concern="fibromyalgia",
            primary_instrument="nprs_pain",
            opened_on=timezone.now().date(),
        )
    return found


def _client_for(world: Any, who: str) -> HttpClient:
    client = HttpClient()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _answer(response: Any, secret: str | None) -> tuple[Any, ...]:
    where = ""
    if response.status_code in (301, 302):
        parts = urlsplit(response["Location"])
        where = parts.path
        if "next" in (query := parse_qs(parts.query)):
            where += f" next={query['next'][0]}"
    shown = secret in response.content.decode() if secret is not None else None
    return (response.status_code, where, shown)


def _state() -> tuple[Any, ...]:
    return (
        list(Episode.objects.values().order_by("pk")),
        PrimaryChange.objects.count(),
        QuestionnaireLink.objects.count(),
    )


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer_on_an_outcomes_page(
    world: World, episodes: dict[str, Any], page: Page, practice: str
) -> None:
    episode = episodes[practice]
    path = page.path.format(practice=practice, client=episode.client_id)
    data = {k: v.format(episode=episode.pk) for k, v in page.data}
    allowed = {"read": READERS, "owner": OWNERS}[page.allowed][practice]
    secret = SECRET[practice] if page.shows_outcomes else None
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[Any, ...] = (302, f"/staff/login/ next={path}", False if secret else None)
        elif role is None or role == "front_desk":
            want = (404, "", False if secret else None)
        elif role == "student":  # no session with this client: nothing at all, not even a 403
            want = (405, "", None) if getattr(page, "ok", 200) == 405 else (404, "", False if secret else None)
        elif who in allowed:
            want = (page.ok, urlsplit(path).path if page.ok == 302 else "", (page.ok == 200) if secret else None)
        elif page.allowed == "owner":
            want = (404, "", None)
        else:
            want = (403, "", False if secret else None)  # a colleague outside the care team
        expected[who] = want
        before = _state()
        with transaction.atomic():
            client = _client_for(world, who)
            response = client.get(path) if page.method == "GET" else client.post(path, data)
            changed = _state() != before
            transaction.set_rollback(True)
        actual[who] = _answer(response, secret)
        if page.method == "POST" and who not in allowed:
            assert not changed, f"{who} changed outcomes by {page.name}"
    assert actual == expected


def test_a_client_of_another_practice_is_a_404_under_ones_own(world: World, episodes: dict[str, Any]) -> None:
    other = episodes["harbour"]
    path = f"/staff/tidewater/clients/{other.client_id}/outcomes/"
    answers = {}
    for who in ROLE_IN["tidewater"]:
        client = _client_for(world, who)
        answers[who] = (client.get(path).status_code, client.post(path, {"action": "open"}).status_code)
    assert answers == dict.fromkeys(ROLE_IN["tidewater"], (404, 404))


def test_an_episode_of_another_client_cannot_be_acted_on(world: World, episodes: dict[str, Any]) -> None:
    mine = episodes["tidewater"]
    other = episodes["harbour"]
    client = _client_for(world, "owner")
    answer = client.post(
        f"/staff/tidewater/clients/{mine.client_id}/outcomes/",
        {"action": "send", "episode": str(other.pk), "instrument": "gad7", "timepoint": "ad_hoc"},
    )
    assert answer.status_code == 400 and "Choose an episode of this client." in answer.text
    assert QuestionnaireLink.objects.count() == 0


def test_the_front_desk_never_sees_outcomes_on_the_chart(world: World, episodes: dict[str, Any]) -> None:
    path = f"/staff/tidewater/clients/{episodes['tidewater'].client_id}/chart/"
    front = _client_for(world, "front_desk").get(path)
    assert front.status_code == 200 and "Fibromyalgia" not in front.text and 'id="outcomes"' not in front.text
    owner = _client_for(world, "owner").get(path)
    assert "Fibromyalgia" in owner.text and 'id="outcomes"' in owner.text
