"""A practitioner who books or moves a client onto themselves does not join the client's care team
before that session starts (scheduling/care_team.py): until then the chart takes break-glass, a
reason and the owner's access report. Found by a review: booking oneself with any client used to
open their chart, intake and notes at once, on the `care_team` basis."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from longtide.audit.models import AuditEvent
from longtide.practice.models import Practitioner
from longtide.scheduling.booking import ClientDetails, book_appointment, move_appointment
from longtide.scheduling.care_team import care_team_user_ids
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import Appointment, Source, WorkingHours
from tests.access.conftest import World

pytestmark = pytest.mark.django_db


def _bea(world: World) -> tuple[User, Practitioner]:
    """Bea, a colleague of Ana's outside Cleo's care, offering the session on Ana's hours."""
    cast, user = world.cast, world.users["colleague"]
    bea = Practitioner.objects.get(user=user)
    cast.session.practitioners.add(bea)
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=bea, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    return user, bea


def _as(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _chart(world: World) -> str:
    return f"/staff/tidewater/clients/{world.appointments['tidewater'].client_id}/chart/"


def _basis(page: str) -> str:
    return page.split('data-basis="')[1].split('"')[0]


def test_booking_a_client_onto_oneself_opens_their_chart_only_when_the_session_starts(world: World) -> None:
    user, bea = _bea(world)
    ana_appointment = world.appointments["tidewater"]
    cleo = ana_appointment.client
    start = ana_appointment.start + timedelta(days=1)
    mine = book_appointment(
        practice=world.cast.tidewater,
        service=world.cast.session,
        practitioner=bea,
        start=start,
        client=ClientDetails("Cleo", "Park", cleo.email),
        by=user,
        source=Source.STAFF,
    ).appointment
    assert mine.client_id == cleo.pk and mine.created_by == user
    assert care_team_user_ids(cleo.pk) == {world.users["practitioner"].pk}

    page = _as(user).get(_chart(world)).text
    assert _basis(page) == "not_in_care"
    assert world.notes["tidewater"] not in page
    assert "You booked this client with yourself: the chart opens to you when that session starts" in page
    reads = AuditEvent.objects.filter(actor_id=user.pk, client_id=cleo.pk, object_type="chart")
    assert list(reads.values_list("basis", flat=True)) == ["not_in_care"]
    # The intake page answers the same way.
    intake = _as(user).get(f"/staff/tidewater/clients/{cleo.pk}/intake/")
    assert "This client is not in your care, so their answers and flags are not shown." in intake.text

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert care_team_user_ids(cleo.pk) == {world.users["practitioner"].pk, user.pk}
        opened = _as(user).get(_chart(world)).text
        assert _basis(opened) == "care_team"
        assert "You booked this client with yourself" not in opened


def test_a_booking_made_for_the_practitioner_by_someone_else_counts_at_once(world: World) -> None:
    user, bea = _bea(world)
    cleo = world.appointments["tidewater"].client
    book_appointment(
        practice=world.cast.tidewater,
        service=world.cast.session,
        practitioner=bea,
        start=world.appointments["tidewater"].start + timedelta(days=1),
        client=ClientDetails("Cleo", "Park", cleo.email),
        by=world.users["front_desk"],
        source=Source.STAFF,
    )
    assert user.pk in care_team_user_ids(cleo.pk)
    assert _basis(_as(user).get(_chart(world)).text) == "care_team"


def test_moving_a_clients_appointment_onto_oneself_does_not_open_the_chart_before_it_starts(world: World) -> None:
    user, bea = _bea(world)
    appointment = world.appointments["tidewater"]
    move_appointment(
        appointment=appointment, start=appointment.start, practitioner=bea, by_client=False, by=ChangedBy.staff(user)
    )
    assert Appointment.objects.get(pk=appointment.pk).practitioner_id == bea.pk
    assert care_team_user_ids(appointment.client_id) == set()
    assert _basis(_as(user).get(_chart(world)).text) == "not_in_care"
    # Moved onto Bea by the front desk instead: she is in the care team at once.
    move_appointment(
        appointment=appointment,
        start=appointment.start + timedelta(hours=1),
        practitioner=world.cast.ana,
        by_client=False,
        by=ChangedBy.staff(world.users["front_desk"]),
    )
    move_appointment(
        appointment=appointment,
        start=appointment.start,
        practitioner=bea,
        by_client=False,
        by=ChangedBy.staff(world.users["front_desk"]),
    )
    # Her own earlier move onto herself still holds the appointment back (the rule errs on the side
    # of the chart): the session's start opens it.
    assert care_team_user_ids(appointment.client_id) == set()
    with time_machine.travel(appointment.start + timedelta(minutes=1), tick=False):
        assert care_team_user_ids(appointment.client_id) == {user.pk}


def test_a_practitioner_already_in_the_care_team_keeps_it_when_booking_the_client_again(world: World) -> None:
    ana_user = world.users["practitioner"]
    appointment = world.appointments["tidewater"]
    # Ana saw Cleo before; she books the next session herself.
    Appointment.objects.filter(pk=appointment.pk).update(
        start=appointment.start - timedelta(days=10),
        end=appointment.end - timedelta(days=10),
        blocked_start=appointment.blocked_start - timedelta(days=10),
        blocked_end=appointment.blocked_end - timedelta(days=10),
    )
    Appointment.objects.filter(pk=appointment.pk).update(created_by=ana_user)
    book_appointment(
        practice=world.cast.tidewater,
        service=world.cast.session,
        practitioner=world.cast.ana,
        start=appointment.start + timedelta(days=1),
        client=ClientDetails("Cleo", "Park", appointment.client.email),
        by=ana_user,
        source=Source.STAFF,
    )
    assert care_team_user_ids(appointment.client_id) == {ana_user.pk}
    assert _basis(_as(ana_user).get(_chart(world)).text) == "care_team"
