"""The large generated clinic (`longtide seed-large`): fill, validity, determinism, size."""

import hashlib
import io
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Cast
from longtide.clients.models import Client
from longtide.lib.intervals import Interval, subtract
from longtide.practice.models import Practice
from longtide.sampledata.large_clinic import achieved_fill, first_seed_day, seed_large_clinic
from longtide.scheduling.availability import DatedHours, PractitionerSchedule, WeeklyHours, working_intervals
from longtide.scheduling.models import OCCUPYING, Appointment, HoursException, Status, TimeOff
from longtide.scheduling.search import find_slots

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 12:00 in New York. Four weeks from tomorrow cross the change to summer time
# on Sunday 14 March.
NOW = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
FIRST_DAY = date(2027, 3, 2)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def seed(**kw: Any) -> Practice:
    args: dict[str, Any] = {
        "slug": "large",
        "practitioners": 6,
        "rooms": 3,
        "days": 28,
        "fill": 0.6,
        "step": 15,
        "seed": 1,
    }
    args.update(kw)
    return seed_large_clinic(**args)


def digest(practice: Practice) -> str:
    """A digest of the appointment rows by natural keys: the same whatever ids the rows got."""
    rows = Appointment.objects.filter(practice=practice).order_by("start", "practitioner__slug", "status")
    fields = [
        "practitioner__slug",
        "room__name",
        "client__email",
        "service__slug",
        "start",
        "end",
        "blocked_start",
        "blocked_end",
        "status",
        "source",
        "note",
        "manage_token_hash",
        "cancelled_at",
    ]
    text = "\n".join(repr(row) for row in rows.values_list(*fields))
    return hashlib.sha256(text.encode()).hexdigest()


def occupying(practice: Practice) -> list[Appointment]:
    return list(Appointment.objects.filter(practice=practice, status__in=OCCUPYING))


def assert_no_overlaps(appointments: list[Appointment], key: str) -> None:
    ordered = sorted(appointments, key=lambda a: (getattr(a, key), a.blocked_start))
    for before, after in itertools.pairwise(ordered):
        if getattr(before, key) == getattr(after, key):
            assert before.blocked_end <= after.blocked_start, (key, before.pk, after.pk)


def test_it_starts_tomorrow_in_new_york() -> None:
    assert first_seed_day() == FIRST_DAY


@pytest.mark.parametrize(
    ("practitioners", "rooms", "fill"),
    [(6, 3, 0.6), (3, 2, 0.3), (4, 4, 0.85), (10, 3, 0.5), (2, 1, 0.1)],
)
def test_it_fills_about_the_asked_share_of_working_time(practitioners: int, rooms: int, fill: float) -> None:
    practice = seed(practitioners=practitioners, rooms=rooms, fill=fill)
    achieved = achieved_fill(practice, FIRST_DAY, FIRST_DAY + timedelta(days=27))
    assert achieved == pytest.approx(fill, abs=0.1)


def test_no_practitioner_or_room_is_booked_twice_at_once() -> None:
    practice = seed(practitioners=8, rooms=2, fill=0.7)
    appointments = occupying(practice)
    assert len(appointments) > 100
    assert_no_overlaps(appointments, "practitioner_id")
    assert_no_overlaps(appointments, "room_id")
    assert {a.room.location_id for a in appointments} == {practice.locations.get().pk}


def test_every_booking_is_inside_hours_and_clear_of_time_off() -> None:
    practice = seed(practitioners=8, rooms=3, fill=0.6)
    zone = practice.locations.get().zone
    last_day = FIRST_DAY + timedelta(days=27)
    for person in practice.practitioners.all():
        schedule = PractitionerSchedule(
            person.pk,
            [WeeklyHours(h.weekday, h.start_time, h.end_time) for h in person.working_hours.all()],
            [DatedHours(e.date, e.available, e.start_time, e.end_time) for e in person.hours_exceptions.all()],
            [],
        )
        hours = working_intervals(schedule, zone, FIRST_DAY, last_day)
        off = [Interval(t.start, t.end) for t in person.time_off.all()]
        for appointment in person.appointments.all():
            session = Interval(appointment.start, appointment.end)
            held = Interval(appointment.blocked_start, appointment.blocked_end)
            assert any(h.contains(session) for h in hours), appointment
            assert not any(held.overlaps(o) for o in off), appointment
            assert subtract([session], hours) == []


def test_each_booking_is_a_slot_the_engine_would_offer() -> None:
    practice = seed(practitioners=4, rooms=2, fill=0.6, days=10)
    service = practice.services.get()
    appointments = occupying(practice)
    assert appointments
    for appointment in appointments:
        day = appointment.start.astimezone(practice.locations.get().zone).date()
        found = find_slots(
            practice=practice,
            service=service,
            practitioner_ids=[appointment.practitioner_id],
            first_day=day,
            last_day=day,
            now=NOW,
            for_staff=True,
            ignore_appointment=appointment.pk,
        )
        assert appointment.start in {slot.start for slot in found.slots}, appointment


def test_it_has_time_off_days_off_saturdays_cancellations_and_mixed_styles() -> None:
    practice = seed(practitioners=8, rooms=3)
    assert TimeOff.objects.filter(practitioner__practice=practice).count() >= 2
    assert HoursException.objects.filter(practitioner__practice=practice, available=False).exists()
    assert practice.practitioners.filter(working_hours__weekday=5).exists()
    assert Appointment.objects.filter(practice=practice, status=Status.CANCELLED_CLIENT).exists()
    assert practice.practitioners.values("style").distinct().count() > 1
    service = practice.services.get()
    assert (service.duration_minutes, service.buffer_after_minutes) == (60, 15)
    assert service.practitioners.count() == 8
    assert Client.objects.filter(practice=practice).count() >= 20


def test_the_same_flags_on_the_same_day_give_the_same_rows() -> None:
    first = digest(seed())
    assert digest(seed()) == first
    assert digest(seed(seed=2)) != first
    assert Practice.objects.filter(slug="large").count() == 1


def test_reseeding_replaces_only_its_own_practice(cast: Cast) -> None:
    other = seed(slug="other", days=7)
    kept = Appointment.objects.filter(practice=other).count()
    seed(days=7)
    seed(days=7)
    assert Appointment.objects.filter(practice=other).count() == kept
    assert Practice.objects.filter(slug="tidewater").exists()
    assert Practice.objects.count() == 4  # tidewater, harbour, other, large


def test_it_writes_in_batches_so_queries_do_not_grow_with_the_bookings() -> None:
    counts = []
    for days in (7, 56):
        with CaptureQueriesContext(connection) as queries:
            seed(slug=f"size-{days}", days=days)
        counts.append(len(queries))
    assert (
        Appointment.objects.filter(practice__slug="size-56").count()
        > 5 * Appointment.objects.filter(practice__slug="size-7").count()
    )
    assert counts[0] == counts[1]


def test_the_command_prints_a_one_line_summary() -> None:
    out = io.StringIO()
    call_command("seed_large", "--practitioners", "3", "--rooms", "2", "--days", "14", "--no-migrate", stdout=out)
    line = out.getvalue().strip()
    assert "\n" not in line
    assert "3 practitioners, 2 rooms" in line
    assert "fill 0.6" in line or "fill 0.5" in line
    practice = Practice.objects.get(slug="large")
    assert line.count(" appointments") == 1
    assert str(Appointment.objects.filter(practice=practice, status__in=OCCUPYING).count()) in line


def test_it_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="fill"):
        seed(fill=1.5)
    with pytest.raises(ValueError, match="at least 1"):
        seed(rooms=0)


def test_history_copies_the_bookings_back_in_whole_weeks_without_overlaps() -> None:
    from longtide.sampledata.large_clinic import add_history

    practice = seed(practitioners=4, rooms=2, days=14, fill=0.6)
    window = list(Appointment.objects.filter(practice=practice).order_by("start"))
    added = add_history(practice, years=0.25, first_day=FIRST_DAY, days=14)
    period = timedelta(days=21)  # 14 days and a week, in whole weeks
    copies = -(-91 // 21)
    assert added == copies * len(window)
    past = Appointment.objects.filter(practice=practice, start__lt=window[0].start)
    assert past.count() == added
    # Each copy is the window moved back by whole periods: same weekday and practitioner, no overlap.
    original = {(a.practitioner_id, a.room_id, a.start) for a in window}
    for copy in past:
        k = -((copy.start - window[0].start) // period)
        assert (copy.practitioner_id, copy.room_id, copy.start + k * period) in original
    everything = occupying(practice)
    assert_no_overlaps(everything, "practitioner_id")
    assert_no_overlaps(everything, "room_id")
    statuses = set(past.values_list("status", flat=True))
    assert Status.BOOKED not in statuses and Status.COMPLETED in statuses
    assert past.filter(status=Status.CANCELLED_CLIENT).count() == copies * sum(
        a.status == Status.CANCELLED_CLIENT for a in window
    )
    assert len(set(past.values_list("manage_token_hash", flat=True))) == added


def test_the_command_adds_history() -> None:
    out = io.StringIO()
    call_command(
        "seed_large", "--practitioners=3", "--rooms=2", "--days=7", "--history-years=0.1", "--no-migrate", stdout=out
    )
    assert "; history: " in out.getvalue() and " past appointments in " in out.getvalue()
    assert Appointment.objects.filter(start__lt=datetime(2027, 3, 1, tzinfo=UTC)).count() > 0


def test_reseeding_removes_what_the_models_cascade_set_based() -> None:
    # remove_large_clinic deletes by statements per table, not by QuerySet.delete() (which loads
    # every row first): what cascades goes (an appointment's events; a client's episode, which
    # clears its reference to an appointment), a client merged into another of the same clinic
    # goes with it, and the number of statements does not grow with the clinic.
    from longtide.measurement.models import Episode
    from longtide.sampledata.large_clinic import remove_large_clinic
    from longtide.scheduling.models import AppointmentEvent

    counts = []
    for days in (7, 28):
        practice = seed(days=days)
        first, second = Appointment.objects.filter(practice=practice).order_by("pk")[:2]
        AppointmentEvent.objects.create(appointment=first, at=NOW, kind="booked", channel="staff")
        Episode.objects.create(
            practice=practice, client=second.client, concern="neck_back_pain", opened_on=FIRST_DAY, opened_for=first
        )
        merged = Client.objects.filter(practice=practice).exclude(pk=second.client_id).first()
        assert merged is not None
        Client.objects.filter(pk=merged.pk).update(merged_into=second.client)
        with CaptureQueriesContext(connection) as queries:
            remove_large_clinic("large")
        counts.append(len(queries))
        assert not Practice.objects.filter(slug="large").exists()
        assert not Appointment.objects.filter(pk=first.pk).exists()
        assert not AppointmentEvent.objects.exists() and not Episode.objects.exists()
        assert not Client.objects.filter(pk__in=[merged.pk, second.client_id]).exists()
    assert counts[0] == counts[1]


def test_reseeding_refuses_a_clinic_with_records_the_models_protect(cast: Cast) -> None:
    # A check-in protects its appointment: the removal deletes nothing and says what protects it.
    from django.db.models import ProtectedError

    from longtide.checkins.models import CheckIn
    from longtide.sampledata.large_clinic import remove_large_clinic

    practice = seed(days=7)
    visit = Appointment.objects.filter(practice=practice).first()
    assert visit is not None
    CheckIn.objects.create(
        practice=practice, client=visit.client, appointment=visit, sought_care=False, contact_me=False, answered_at=NOW
    )
    total = Appointment.objects.filter(practice=practice).count()
    with pytest.raises(ProtectedError, match=r"CheckIn\.appointment"):
        remove_large_clinic("large")
    assert Appointment.objects.filter(practice=practice).count() == total
    assert Client.objects.filter(practice=practice).count() >= 20
    # A client of another clinic merged into one of this one's protects it too (a merged client
    # goes with the removal only when both are this clinic's).
    CheckIn.objects.all().delete()
    elsewhere = Client.objects.create(practice=cast.tidewater, first_name="E", last_name="W", email="e@example.test")
    Client.objects.filter(pk=elsewhere.pk).update(merged_into=visit.client)
    with pytest.raises(ProtectedError, match=r"Client\.merged_into"):
        remove_large_clinic("large")
    assert Appointment.objects.filter(practice=practice).count() == total
    Client.objects.filter(pk=elsewhere.pk).update(merged_into=None)
    remove_large_clinic("large")
    assert not Practice.objects.filter(slug="large").exists()
    assert Client.objects.filter(pk=elsewhere.pk).exists()
