"""The cast of the access matrix: the root conftest's Tidewater and Harbour, plus

- bea, a second practitioner at Tidewater (not the practitioner of Tidewater's appointment),
- mo, who owns Harbour and works front desk at Tidewater (two roles in two practices),
- root, the operator: a superuser with no membership anywhere,
- sam, a student at Tidewater supervised by Ana, with a practitioner profile and no session with
  anyone in the cast's world (so every client here is outside the care sam takes part in),

and one booked appointment with a booking note in each practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from conftest import Cast

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from longtide.practice.models import Practice, Practitioner, Service
    from longtide.scheduling.models import Appointment

NOTES = {"tidewater": "Migraine since May, worse on the left", "harbour": "Knee surgery in March"}


@dataclass
class World:
    cast: Cast
    users: dict[str, User]  # role name in the matrix -> user (no entry for "anonymous")
    practices: dict[str, Practice]
    appointments: dict[str, Appointment]
    notes: dict[str, str]


def _booked(
    practice: Practice, service: Service, practitioner: Practitioner, zone: str, note: str, email: str
) -> Appointment:
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=ZoneInfo(zone))
    return book_appointment(
        practice=practice,
        service=service,
        practitioner=practitioner,
        start=start,
        client=ClientDetails("Cleo", "Park", email),
        note=note,
        source=Source.STAFF,
    ).appointment


@pytest.fixture
def world(cast: Cast) -> World:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner, Role, StaffMembership

    User = get_user_model()
    bea = User.objects.create_user("bea", "bea@tidewater.test", "pw-bea-123")
    Practitioner.objects.create(
        practice=cast.tidewater, user=bea, display_name="Bea Ness", slug="bea-ness", style="biomechanical"
    )
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    mo = User.objects.create_user("mo", "mo@harbour.test", "pw-mo-123")
    StaffMembership.objects.create(practice=cast.harbour, user=mo, role=Role.OWNER)
    StaffMembership.objects.create(practice=cast.tidewater, user=mo, role=Role.FRONT_DESK)
    root = User.objects.create_superuser("root", "root@operator.test", "pw-root-123")
    sam = User.objects.create_user("sam", "sam@tidewater.test", "pw-sam-123")
    Practitioner.objects.create(
        practice=cast.tidewater, user=sam, display_name="Sam Reed", slug="sam-reed", style="biodynamic"
    )
    StaffMembership.objects.create(practice=cast.tidewater, user=sam, role=Role.STUDENT, supervisor=cast.ana_user)
    appointments = {
        "tidewater": _booked(
            cast.tidewater, cast.session, cast.ana, "America/New_York", NOTES["tidewater"], "cleo@example.test"
        ),
        "harbour": _booked(
            cast.harbour, cast.harbour_session, cast.dov, "Europe/London", NOTES["harbour"], "hal@example.test"
        ),
    }
    users = {
        "owner": cast.olga_user,
        "practitioner": cast.ana_user,
        "colleague": bea,
        "front_desk": cast.ben_user,
        "outsider": cast.dov_user,
        "two_roles": mo,
        "operator": root,
        "student": sam,
    }
    return World(cast, users, {"tidewater": cast.tidewater, "harbour": cast.harbour}, appointments, NOTES)
