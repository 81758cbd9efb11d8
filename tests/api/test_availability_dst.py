"""Availability through the API on daylight-saving change days, in New York and London."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import Cast

pytestmark = pytest.mark.django_db


def starts(client: HttpClient, practice: str, service: int, day: str) -> list[str]:
    url = f"/api/v1/p/{practice}/availability?service={service}&practitioner=any&start={day}&end={day}"
    return [slot["start"] for slot in client.get(url).json()["slots"]]


def test_new_york_spring_forward_day_keeps_local_hours(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        before = starts(client, "tidewater", cast.session.pk, "2027-03-13")
        after = starts(client, "tidewater", cast.session.pk, "2027-03-14")
    assert before[0] == "2027-03-13T09:00:00-05:00" and before[-1] == "2027-03-13T16:00:00-05:00"
    assert after[0] == "2027-03-14T09:00:00-04:00" and after[-1] == "2027-03-14T16:00:00-04:00"
    assert len(before) == len(after) == 29


def test_new_york_fall_back_day_keeps_local_hours(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=UTC), tick=False):
        day = starts(client, "tidewater", cast.session.pk, "2026-11-01")
    assert day[0] == "2026-11-01T09:00:00-05:00"
    assert day[-1] == "2026-11-01T16:00:00-05:00"
    assert len(day) == 29


def test_london_clocks_going_back_move_utc_but_not_local_times(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC), tick=False):
        summer = starts(client, "harbour", cast.harbour_session.pk, "2026-10-24")
        winter = starts(client, "harbour", cast.harbour_session.pk, "2026-10-25")
    assert summer[0] == "2026-10-24T09:00:00+01:00"
    assert winter[0] == "2026-10-25T09:00:00+00:00"
    assert len(summer) == len(winter) == 29  # 09:00 … 16:00 every 15 minutes


def test_a_booking_on_the_change_day_lands_at_the_local_time(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        response = client.post(
            "/api/v1/p/tidewater/bookings",
            {
                "service": cast.session.pk,
                "practitioner": cast.ana.pk,
                "start": "2027-03-14T09:00:00-04:00",
                "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test"},
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2027-03-14T09:00:00-04:00"
    assert response.json()["end"] == "2027-03-14T10:00:00-04:00"
