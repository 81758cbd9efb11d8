"""Cancelling by the manage token when the database cannot save the change: a 503 `not_saved`
(try again), as confirm and release answer, not a 409 that says the booking cannot be cancelled."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client as HttpClient

from conftest import Cast
from longtide.scheduling import booking
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _booked(client: HttpClient, cast: Cast) -> tuple[Appointment, str]:
    data = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": "2026-12-03T10:00:00-05:00",
        "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""},
    }
    made = client.post("/api/v1/p/tidewater/bookings", data, content_type="application/json")
    appointment = Appointment.objects.get(pk=made.json()["id"])
    token = token_for(appointment)
    assert token is not None
    assert client.post(f"/api/v1/bookings/{token}/confirm").status_code == 200
    return appointment, token


def test_a_cancellation_the_database_cannot_save_is_a_503_not_saved(
    client: HttpClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment, token = _booked(client, cast)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(booking, "queue_booking_message", full_disk)
    response = client.post(f"/api/v1/bookings/{token}/cancel")
    assert response.status_code == 503
    assert response.json()["code"] == "not_saved"
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_the_openapi_document_lists_the_503(client: HttpClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "503" in paths["/api/v1/bookings/{token}/cancel"]["post"]["responses"]
