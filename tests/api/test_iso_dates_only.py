"""Dates and times in the API are ISO 8601 text, as the OpenAPI document states (pattern
YYYY-MM-DD, and YYYY-MM-DDT… with a UTC offset): pydantic's lax mode also read a Unix timestamp,
as a JSON number or as digits, and a datetime at midnight as a date. Each is now a 422 naming the
field with the format, on every endpoint that takes a date or a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.scheduling.models import Appointment
from longtide.tokens.issue import create_token

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY_MESSAGE = "Use a date written YYYY-MM-DD, e.g. 2026-12-01."
MOMENT_MESSAGE = "Use ISO 8601 with a UTC offset, e.g. 2026-12-01T10:00:00-05:00."
STAMP = int(datetime(2026, 12, 2, 15, 0, tzinfo=UTC).timestamp())
NOT_DAYS = [str(STAMP), "1796169600.0", "2026-12-02T00:00:00", "2026-12-02T00:00:00Z", "20261202", "2026-12-02%0A"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {field: [message]}


@pytest.mark.parametrize("start", [STAMP, float(STAMP), str(STAMP), "2026-12-02", True])
def test_a_booking_start_is_iso_text(client: HttpClient, cast: Cast, start: object) -> None:
    data = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": start,
        "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""},
    }
    response = client.post("/api/v1/p/tidewater/bookings", json.dumps(data), content_type="application/json")
    _refused(response, "start", MOMENT_MESSAGE)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", NOT_DAYS)
@pytest.mark.parametrize("field", ["start", "end"])
def test_availability_days_are_iso_dates(client: HttpClient, cast: Cast, day: str, field: str) -> None:
    days = {"start": "2026-12-02", "end": "2026-12-03", field: day}
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start={days['start']}&end={days['end']}"
    _refused(client.get(url), field, DAY_MESSAGE)


def _staff_get(cast: Cast, path: str) -> Any:
    token = create_token(practice=cast.tidewater, user=cast.olga_user, days=1, name="test", now=timezone.now()).token
    return HttpClient().get(f"/api/v1/p/tidewater/{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("day", NOT_DAYS)
def test_the_staff_appointment_list_day_is_an_iso_date(cast: Cast, day: str) -> None:
    _refused(_staff_get(cast, f"appointments?start={day}"), "start", DAY_MESSAGE)


@pytest.mark.parametrize("day", NOT_DAYS)
@pytest.mark.parametrize("field", ["from", "to"])
def test_the_outcome_report_days_are_iso_dates(cast: Cast, day: str, field: str) -> None:
    _refused(_staff_get(cast, f"reports/outcomes?{field}={day}"), field, DAY_MESSAGE)


def test_iso_dates_and_times_still_answer(client: HttpClient, cast: Cast) -> None:
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=2026-12-02&end=2026-12-02"
    assert client.get(url).status_code == 200
    assert _staff_get(cast, "appointments?start=2026-12-02").status_code == 200
    assert _staff_get(cast, "reports/outcomes?from=2026-01-01&to=2026-12-01").status_code == 200
