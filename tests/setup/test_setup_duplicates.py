"""A double submit (or the back button's resend) of a settings form adds nothing twice: a location,
room or practitioner of the same name is refused on its name field; an identical dated exception
or stretch of time off is not added again, and the second submit answers as the first did."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.models import Location, Practitioner, Room
from longtide.scheduling.models import HoursException, TimeOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.olga_user)
    return client


def test_a_second_location_of_the_same_name_is_refused(owner: HttpClient, cast: Cast) -> None:
    data = {"name": "Uptown", "time_zone": "America/New_York", "country": "US"}
    assert owner.post("/staff/tidewater/settings/locations/new/", data).status_code == 302
    again = owner.post("/staff/tidewater/settings/locations/new/", {**data, "name": " uptown "})
    assert again.status_code == 422
    assert "There is already a location called uptown." in again.content.decode()
    assert Location.objects.filter(practice=cast.tidewater, name__iexact="uptown").count() == 1
    # Another practice may use the name; saving a location under its own name still works.
    Location.objects.create(practice=cast.harbour, name="Elsewhere", time_zone="America/New_York")
    moved = owner.post(
        f"/staff/tidewater/settings/locations/{cast.location.pk}/",
        {"name": "Elsewhere", "time_zone": "America/New_York"},
    )
    assert moved.status_code == 302
    same = owner.post(
        f"/staff/tidewater/settings/locations/{cast.location.pk}/", {"name": "Elsewhere", "time_zone": "Europe/London"}
    )
    assert same.status_code == 302


def test_a_second_room_of_the_same_name_in_the_location_is_refused(owner: HttpClient, cast: Cast) -> None:
    url = f"/staff/tidewater/settings/locations/{cast.location.pk}/rooms/new/"
    assert owner.post(url, {"name": "Oak", "active": "on"}).status_code == 302
    again = owner.post(url, {"name": "Oak", "active": "on"})
    assert again.status_code == 422
    assert "There is already a room called Oak here." in again.content.decode()
    assert Room.objects.filter(location=cast.location, name="Oak").count() == 1
    assert owner.post(f"/staff/tidewater/settings/rooms/{cast.willow.pk}/", {"name": "Willow"}).status_code == 302


def test_a_second_practitioner_of_the_same_name_is_refused(owner: HttpClient, cast: Cast) -> None:
    data = {"display_name": "Zed Quinn", "style": "biodynamic", "active": "on"}
    assert owner.post("/staff/tidewater/settings/practitioners/new/", data).status_code == 302
    again = owner.post("/staff/tidewater/settings/practitioners/new/", data)
    assert again.status_code == 422
    assert "There is already a practitioner called Zed Quinn." in again.content.decode()
    assert Practitioner.objects.filter(practice=cast.tidewater, display_name="Zed Quinn").count() == 1
    assert not Practitioner.objects.filter(slug="zed-quinn-2").exists()


def test_the_same_time_off_twice_is_added_once(owner: HttpClient, cast: Cast) -> None:
    day = (timezone.now() + timedelta(days=200)).date().isoformat()
    data = {"action": "time_off", "start_day": day, "end_day": day, "reason": "x"}
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    first, second = owner.post(url, data), owner.post(url, data)
    assert first.status_code == second.status_code == 302
    assert TimeOff.objects.filter(practitioner=cast.ana).count() == 1
    owner.post(url, {**data, "reason": "another"})
    assert TimeOff.objects.filter(practitioner=cast.ana).count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "day_off"},
        {"kind": "hours_off", "start": "10:00", "end": "11:00"},
        {"kind": "extra", "start": "18:00", "end": "19:00"},
    ],
)
def test_the_same_exception_twice_is_added_once(owner: HttpClient, cast: Cast, change: dict[str, str]) -> None:
    day = (timezone.now() + timedelta(days=200)).date().isoformat()
    data = {"action": "exception", "day": day, "location": cast.location.pk, **change}
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    first, second = owner.post(url, data), owner.post(url, data)
    assert first.status_code == second.status_code == 302
    assert HoursException.objects.filter(practitioner=cast.ana).count() == 1
