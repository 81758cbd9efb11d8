"""A location's new time zone keeps the working hours' clock times and the appointments' moments:
booked sessions can fall outside the hours. As with a change of hours, nothing is saved until the
owner has seen which ones and saves anyway (found by a review: the zone was saved at once)."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.models import Location
from longtide.scheduling.hours import appointments_outside_hours
from tests.setup.test_hours_settings import book, next_weekday

pytestmark = pytest.mark.django_db


def test_a_new_time_zone_that_leaves_bookings_outside_hours_is_saved_only_when_confirmed(
    client: HttpClient, cast: Cast
) -> None:
    booked = book(cast, next_weekday(2), 15)  # 3:00 PM New York, inside 9-17; 8:00 PM in London
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/locations/{cast.location.pk}/"
    data = {"name": "Harbourside", "time_zone": "Europe/London"}
    asked = client.post(url, data)
    assert asked.status_code == 422 and 'id="zone-conflict"' in asked.text
    assert f"/staff/tidewater/appointments/{booked.pk}/" in asked.text and "Save anyway" in asked.text
    assert re.search(r"<option value=\"Europe/London\"[^>]*selected", asked.text)  # what was chosen, kept
    assert Location.objects.get(pk=cast.location.pk).time_zone == "America/New_York"
    assert appointments_outside_hours(cast.ana, now=timezone.now()) == []
    saved = client.post(url, {**data, "confirm": "1"})
    assert saved.status_code == 302
    assert Location.objects.get(pk=cast.location.pk).time_zone == "Europe/London"
    assert [a.pk for a in appointments_outside_hours(cast.ana, now=timezone.now())] == [booked.pk]


def test_a_new_time_zone_that_leaves_no_booking_outside_hours_saves_at_once(client: HttpClient, cast: Cast) -> None:
    book(cast, next_weekday(2), 10)  # 10:00 AM New York; 10:00 AM-ish in Toronto's zone too
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/locations/{cast.location.pk}/"
    response = client.post(url, {"name": "Harbourside", "time_zone": "America/Toronto"})
    assert response.status_code == 302
    assert Location.objects.get(pk=cast.location.pk).time_zone == "America/Toronto"
