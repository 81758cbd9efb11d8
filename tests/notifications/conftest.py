"""Fixtures for the notification tests: an appointment for cleo with ana at Tidewater, made directly."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

# 10:00–11:00 in New York (EST, UTC−5) on Tuesday 1 December 2026.
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NOTE = "Migraines since March, worse after the car accident."


@pytest.fixture
def tidewater_details(cast):
    """Give Tidewater a contact address and its location a street address."""
    cast.tidewater.email = "hello@tidewater.test"
    cast.tidewater.phone = "+1 207 555 0142"
    cast.tidewater.save()
    cast.location.address = "12 Wharf Street"
    cast.location.city = "Portland"
    cast.location.region = "ME"
    cast.location.postal_code = "04101"
    cast.location.save()
    return cast


@pytest.fixture
def make_appointment(tidewater_details) -> Callable[..., object]:
    from longtide.scheduling.models import Appointment

    cast = tidewater_details

    def make(*, start: datetime = START, minutes: int = 60, note: str = NOTE, **fields: object) -> Appointment:
        end = start + timedelta(minutes=minutes)
        return Appointment.objects.create(
            practice=cast.tidewater,
            location=cast.location,
            service=cast.session,
            practitioner=cast.ana,
            room=cast.willow,
            client=cast.cleo,
            start=start,
            end=end,
            blocked_start=start,
            blocked_end=end,
            note=note,
            manage_token_hash=secrets.token_hex(32),
            **fields,
        )

    return make
