"""The demo's front-desk days (longtide/sampledata/demo_days.py): past weeks and today carry
completed visits, no-shows, a late cancellation with its reason, a client's own cancellation, a
client who has only a phone, and a history for every appointment; seeding again changes nothing,
and the demo never double-books itself."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from longtide.clients.models import Client
from longtide.practice.models import Practice
from longtide.sampledata.demo import SAMPLE_LATER_TODAY, seed_demo
from longtide.scheduling.models import OCCUPYING, Appointment, AppointmentEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[datetime(2026, 12, 2, 16, 0, tzinfo=UTC), datetime(2026, 12, 5, 3, 30, tzinfo=UTC)])
def seeded(request: pytest.FixtureRequest) -> Iterator[Practice]:
    """Seeded on a Wednesday at 11:00 in New York, and on a Friday night (after midnight in UTC)."""
    with time_machine.travel(request.param, tick=False):
        yield seed_demo()


def test_today_has_a_completed_visit_a_no_show_one_under_way_a_moved_one_and_a_late_cancel(seeded: Practice) -> None:
    now = timezone.now()
    zone = seeded.locations.get().zone
    today = now.astimezone(zone).date()
    # The front desk's visits around now (seed_front_desk_days: from three hours ago to four ahead).
    # The sample week's visits later today start 5 h 30 min ahead or later (SAMPLE_LATER_TODAY).
    todays = {
        a.client.first_name: a
        for a in Appointment.objects.filter(practice=seeded).select_related("client")
        if abs(a.start - now) < timedelta(hours=5)
    }
    later_today = [a for a in Appointment.objects.filter(practice=seeded) if a.start.astimezone(zone).date() == today]
    assert all(a in todays.values() or a.start >= now + SAMPLE_LATER_TODAY for a in later_today)
    assert todays["Ada"].status == Status.COMPLETED and todays["Ada"].can_mark(now)
    assert todays["Lea"].status == Status.NO_SHOW
    under_way = todays["Marta"]
    assert under_way.status == Status.BOOKED and under_way.start <= now < under_way.end
    assert under_way.allowed_actions(now) == {"move": False, "cancel": False, "late_cancel": False, "mark": True}
    late = todays["Tom"]
    assert late.status == Status.LATE_CANCELLED
    event = late.events.get(kind="late_cancelled")
    assert event.decided_by == "client" and event.reason.startswith("Called this morning")
    assert event.by_name == "frontdesk" and event.at <= now
    moved = [a for a in todays.values() if a.events.filter(kind="moved").exists()]
    assert len(moved) == 1 and moved[0].status == Status.BOOKED and moved[0].start > now


def test_past_weeks_have_a_no_show_a_late_cancel_and_an_online_cancellation(seeded: Practice) -> None:
    now = timezone.now()
    past = Appointment.objects.filter(practice=seeded, start__lt=now - timedelta(days=2))
    statuses = set(past.values_list("status", flat=True))
    assert {Status.COMPLETED, Status.NO_SHOW, Status.LATE_CANCELLED, Status.CANCELLED_CLIENT} <= statuses
    ben = past.get(client__first_name="Ben", status=Status.LATE_CANCELLED)
    assert [e.kind for e in ben.events.all()] == ["created", "confirmed", "late_cancelled"]
    assert ben.events.get(kind="late_cancelled").reason
    iris = past.get(status=Status.CANCELLED_CLIENT)
    last = iris.events.last()
    assert last is not None and last.channel == "manage_link"


def test_a_phone_only_client_is_booked_and_every_appointment_has_a_history(seeded: Practice) -> None:
    marta = Client.objects.get(practice=seeded, first_name="Marta")
    assert marta.email == "" and marta.phone and marta.appointments.exists()
    assert marta.reminders_label.startswith("None: no email address")
    missing = Appointment.objects.filter(practice=seeded, events__isnull=True)
    assert not missing.exists()
    for appointment in Appointment.objects.filter(practice=seeded).prefetch_related("events"):
        events = list(appointment.events.all())
        assert events[0].kind == "created"
        assert events[-1].to_status == appointment.status, (appointment, [e.kind for e in events])
        assert all(e.at <= timezone.now() for e in events)


def test_the_demo_never_double_books_itself_and_seeding_again_adds_nothing(seeded: Practice) -> None:
    holding = list(Appointment.objects.filter(practice=seeded, status__in=OCCUPYING).order_by("blocked_start"))
    for key in ("practitioner_id", "room_id"):
        by: dict[int, list[Appointment]] = {}
        for a in holding:
            by.setdefault(getattr(a, key), []).append(a)
        for rows in by.values():
            for earlier, later in itertools.pairwise(rows):
                assert earlier.blocked_end <= later.blocked_start, (key, earlier, later)
    counts = (Appointment.objects.count(), AppointmentEvent.objects.count(), Client.objects.count())
    seed_demo()
    assert (Appointment.objects.count(), AppointmentEvent.objects.count(), Client.objects.count()) == counts
