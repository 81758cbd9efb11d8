"""A practitioner lands on "my day": signing in leads each member of one practice to their work, and
the day view can show one practitioner's day, which its navigation keeps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Role, StaffMembership
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.models import Appointment, Source
from longtide.scheduling.readiness import setup_progress
from tests.web.test_staff_calendar import NEW_YORK, NOW, _colleague, calendar


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _headings(page: str) -> list[str]:
    return [h.strip() for h in re.findall(r'<h3 id="cal-col-\d+">([^<]+)', page)]


@pytest.fixture
def two_days(cast: Cast) -> tuple[Appointment, Appointment]:
    """Ana's and Bo's appointments on 2 June."""
    bo = _colleague(cast, "Bo Lind")
    made = [
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=person,
            start=datetime(2026, 6, 2, hour, 0, tzinfo=NEW_YORK),
            client=ClientDetails(first, "Moss", f"{first.lower()}@example.test"),
            source=Source.STAFF,
        ).appointment
        for person, hour, first in ((cast.ana, 10, "Eli"), (bo, 11, "Fay"))
    ]
    return made[0], made[1]


def test_a_practitioner_signing_in_lands_on_their_own_day(client: HttpClient, cast: Cast) -> None:
    response = client.post("/staff/login/", {"username": "ana", "password": "pw-ana-123"})
    assert response.status_code == 302
    assert response["Location"] == f"{calendar()}?view=day&by=practitioner&practitioner={cast.ana.pk}"


def test_the_front_desk_lands_on_everyones_day_and_an_asked_page_wins(client: HttpClient, cast: Cast) -> None:
    response = client.post("/staff/login/", {"username": "ben", "password": "pw-ben-123"})
    assert response.status_code == 302 and response["Location"] == calendar()
    client.post("/staff/logout/")
    asked = client.post("/staff/login/?next=/staff/tidewater/clients/", {"username": "ben", "password": "pw-ben-123"})
    assert asked["Location"] == "/staff/tidewater/clients/"
    client.post("/staff/logout/")
    evil = client.post("/staff/login/?next=https://evil.example/", {"username": "ben", "password": "pw-ben-123"})
    assert evil["Location"] == calendar()


def test_an_owner_lands_on_setup_until_the_practice_is_open_then_on_the_calendar(
    client: HttpClient, cast: Cast
) -> None:
    response = client.post("/staff/login/", {"username": "olga", "password": "pw-olga-123"})
    expected = calendar() if setup_progress(cast.tidewater).ready else "/staff/tidewater/settings/"
    assert response["Location"] == expected
    client.post("/staff/logout/")
    cast.session.practitioners.clear()
    cast.first_visit.practitioners.clear()
    assert not setup_progress(cast.tidewater).ready
    response = client.post("/staff/login/", {"username": "olga", "password": "pw-olga-123"})
    assert response["Location"] == "/staff/tidewater/settings/"


def test_staff_of_two_practices_choose_on_the_staff_home(client: HttpClient, cast: Cast) -> None:
    StaffMembership.objects.create(practice=cast.harbour, user=cast.ben_user, role=Role.FRONT_DESK)
    response = client.post("/staff/login/", {"username": "ben", "password": "pw-ben-123"})
    assert response["Location"] == "/staff/"
    page = client.get("/staff/").text
    assert 'href="/staff/tidewater/calendar/"' in page and 'href="/staff/harbour/calendar/"' in page


def test_a_member_of_no_practice_and_a_signed_in_visit_to_the_login_page(client: HttpClient, cast: Cast) -> None:
    get_user_model().objects.create_user("nobody", "nobody@example.test", "pw-nobody-123")
    response = client.post("/staff/login/", {"username": "nobody", "password": "pw-nobody-123"})
    assert response["Location"] == "/staff/"
    client.force_login(cast.ana_user)
    again = client.get("/staff/login/")
    assert again.status_code == 302 and f"practitioner={cast.ana.pk}" in again["Location"]


def test_my_day_shows_only_my_column_and_its_navigation_keeps_it(
    client: HttpClient, cast: Cast, two_days: tuple[Appointment, Appointment]
) -> None:
    client.force_login(cast.ana_user)
    everyone = client.get(calendar(), {"date": "2026-06-02"}).text
    assert _headings(everyone) == ["Ana Silva", "Bo Lind"]
    assert "Eli Moss" in everyone and "Fay Moss" in everyone
    mine = client.get(calendar(), {"date": "2026-06-02", "by": "practitioner", "practitioner": str(cast.ana.pk)}).text
    assert _headings(mine) == ["Ana Silva"]
    assert "Eli Moss" in mine and "Fay Moss" not in mine
    assert "Tuesday 2 June 2026 · Ana Silva" in mine
    assert re.search(r'aria-current="page">My day<', mine)
    assert not re.search(r'aria-current="page">By practitioner<', mine)
    # Previous and next day stay on Ana's day; "By practitioner" goes back to everyone.
    assert f"practitioner={cast.ana.pk}&amp;date=2026-06-01" in mine
    assert f"practitioner={cast.ana.pk}&amp;date=2026-06-03" in mine
    assert 'href="/staff/tidewater/calendar/?view=day&amp;by=practitioner&amp;date=2026-06-02"' in mine


def test_the_front_desk_sees_one_practitioners_day_without_a_my_day_link(
    client: HttpClient, cast: Cast, two_days: tuple[Appointment, Appointment]
) -> None:
    client.force_login(cast.ben_user)
    bo = two_days[1].practitioner
    page = client.get(calendar(), {"date": "2026-06-02", "practitioner": str(bo.pk)}).text
    assert _headings(page) == ["Bo Lind"] and "Fay Moss" in page and "Eli Moss" not in page
    assert ">My day<" not in page
    home = client.get("/staff/").text
    assert ">My day<" not in home


def test_one_practitioners_day_refuses_another_practices_practitioner(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.ben_user)
    assert client.get(calendar(), {"practitioner": cast.dov.pk}).status_code == 404
    # A number no id can be is an unusable parameter: everyone's day, as for any other bad value.
    huge = client.get(calendar(), {"practitioner": "9" * 20})
    assert huge.status_code == 200
    nul = client.get(calendar(), {"practitioner": "1\x00"})
    assert nul.status_code == 400 and "null character" in nul.text


def test_the_staff_home_links_a_practitioners_own_day(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.ana_user)
    home = client.get("/staff/").text
    assert (
        f'href="/staff/tidewater/calendar/?view=day&amp;by=practitioner&amp;practitioner={cast.ana.pk}">My day<' in home
    )
