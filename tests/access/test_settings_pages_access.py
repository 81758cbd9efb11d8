"""Who reaches the settings area: every settings URL × owner, practitioner, front desk, outsider, anonymous.

Only owners hold Perm.PRACTICE_CONFIGURE / Perm.STAFF_MANAGE. Every other member of the practice, and
staff of another practice, get a 404 (never a 403: nothing tells them the page exists); anonymous
visitors are sent to sign in. A POST by someone without the permission changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Role, StaffMembership
from longtide.scheduling.models import HoursException, TimeOff

pytestmark = pytest.mark.django_db

ROLES = ["owner", "practitioner", "front_desk", "outsider", "anonymous"]


def _user(cast: Cast, role: str) -> User | None:
    return {
        "owner": cast.olga_user,
        "practitioner": cast.ana_user,
        "front_desk": cast.ben_user,
        "outsider": cast.dov_user,
    }.get(role)


def _ids(cast: Cast) -> dict[str, int]:
    exception = HoursException.objects.create(practitioner=cast.ana, date=date(2027, 1, 4), available=False)
    off = TimeOff.objects.create(
        practitioner=cast.ana, start="2027-01-05T15:00:00+00:00", end="2027-01-05T16:00:00+00:00"
    )
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    return {
        "loc": cast.location.pk,
        "room": cast.willow.pk,
        "svc": cast.session.pk,
        "ana": cast.ana.pk,
        "exc": exception.pk,
        "off": off.pk,
        "ben": ben.pk,
    }


# (path under /staff/tidewater/settings/, method). Pages answer GET; actions only POST.
PAGES = [
    "",
    "practice/",
    "policies/",
    "home-page/",
    "outcomes/",
    "locations/",
    "locations/new/",
    "locations/{loc}/",
    "locations/{loc}/rooms/new/",
    "rooms/{room}/",
    "services/",
    "services/new/",
    "services/{svc}/",
    "practitioners/",
    "practitioners/new/",
    "practitioners/{ana}/",
    "practitioners/{ana}/hours/",
    "practitioners/{ana}/time-off/",
    "staff/",
    "intake/",
    "intake/consent/treatment/",
    "intake/questions/",
    "note-checklists/",
    "note-fields/",
    "outcomes/licensed/",
    "outcomes/licensed/hit6/",
]
ACTIONS = [
    "services/{svc}/move/",
    "services/{svc}/delete/",
    "practitioners/{ana}/move/",
    "practitioners/{ana}/time-off/exceptions/{exc}/delete/",
    "practitioners/{ana}/time-off/{off}/delete/",
    "staff/{ben}/role/",
    "staff/{ben}/remove/",
    "staff/{ben}/resend/",
    "staff/invited/",
]


@pytest.fixture
def as_role(client: HttpClient, cast: Cast) -> Callable[[str], HttpClient]:
    def sign_in(role: str) -> HttpClient:
        user = _user(cast, role)
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_settings_pages_open_only_for_owners(
    as_role: Callable[[str], HttpClient], cast: Cast, role: str, page: str
) -> None:
    path = "/staff/tidewater/settings/" + page.format(**_ids(cast))
    response = as_role(role).get(path)
    expected = {"owner": 200, "anonymous": 302}.get(role, 404)
    assert response.status_code == expected, f"{role} GET {path}"
    if role == "anonymous":
        assert response["Location"].startswith("/staff/login/")
    if role == "owner":
        assert "no-store" in response["Cache-Control"]
    else:
        assert "Tidewater" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_settings_actions_act_only_for_owners(
    as_role: Callable[[str], HttpClient], cast: Cast, role: str, action: str
) -> None:
    ids = _ids(cast)
    path = "/staff/tidewater/settings/" + action.format(**ids)
    before = _state(cast)
    response = as_role(role).post(path, {"direction": "up", f"m{ids['ben']}-role": "owner", "confirm": "1"})
    if role == "owner":
        assert response.status_code == 302, f"owner POST {path}"
        return
    assert response.status_code == (302 if role == "anonymous" else 404), f"{role} POST {path}"
    assert _state(cast) == before
    assert as_role(role).get(path).status_code in ((302,) if role == "anonymous" else (404,))


def _state(cast: Cast) -> tuple[object, ...]:
    return (
        list(cast.tidewater.services.values_list("pk", "sort_order")),
        list(cast.tidewater.practitioners.values_list("pk", "sort_order")),
        list(HoursException.objects.values_list("pk", flat=True)),
        list(TimeOff.objects.values_list("pk", flat=True)),
        list(StaffMembership.objects.filter(practice=cast.tidewater).values_list("pk", "role")),
    )


def test_an_owner_of_one_practice_is_an_outsider_in_another(client: HttpClient, cast: Cast) -> None:
    StaffMembership.objects.create(practice=cast.harbour, user=cast.olga_user, role=Role.FRONT_DESK)
    client.force_login(cast.olga_user)
    assert client.get("/staff/tidewater/settings/").status_code == 200
    assert client.get("/staff/harbour/settings/").status_code == 404
    assert client.get("/staff/harbour/settings/staff/").status_code == 404


def test_a_tidewater_owner_cannot_reach_harbours_rows_through_tidewaters_urls(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    for path in [
        f"locations/{cast.harbour_location.pk}/",
        f"rooms/{cast.harbour_room.pk}/",
        f"services/{cast.harbour_session.pk}/",
        f"practitioners/{cast.dov.pk}/",
        f"practitioners/{cast.dov.pk}/hours/",
        f"practitioners/{cast.dov.pk}/time-off/",
    ]:
        assert client.get(f"/staff/tidewater/settings/{path}").status_code == 404, path
    dov = StaffMembership.objects.get(practice=cast.harbour, user=cast.dov_user)
    assert client.post(f"/staff/tidewater/settings/staff/{dov.pk}/remove/").status_code == 404
    assert StaffMembership.objects.filter(pk=dov.pk).exists()


def test_the_settings_link_shows_only_for_owners(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    assert 'href="/staff/tidewater/settings/"' in client.get("/staff/tidewater/calendar/").text
    assert 'href="/staff/tidewater/settings/"' in client.get("/staff/").text
    client.force_login(cast.ben_user)
    assert "/settings/" not in client.get("/staff/tidewater/calendar/").text
    assert "/settings/" not in client.get("/staff/").text
