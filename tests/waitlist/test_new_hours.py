"""New working hours fill from the waitlist (issue 11): an hours change that adds time — longer weekly
hours, extra hours on a date, time off removed — records the added time as an opening in the same
transaction, and the planner offers it visit by visit, in queue order, through the normal booking
action. Tests drive the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Cast
from longtide.scheduling.availability import WeeklyHours
from longtide.scheduling.booking import ClientDetails, confirm_booking
from longtide.scheduling.hours import add_hours_exception, add_time_off, remove_time_off, replace_weekly_hours
from longtide.scheduling.models import (
    Appointment,
    OpeningCause,
    OpeningStatus,
    Source,
    Status,
    WaitlistEntry,
    WaitlistOpening,
    WaitlistStatus,
)
from longtide.scheduling.waitlist import Wishes, add_by_staff, plan_offers

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 4, 5, 9, 0, tzinfo=NEW_YORK)  # a Monday; the practice's notice is 12 hours


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def waiting(cast: Cast, name: str, *, queued: datetime, **wishes: Any) -> WaitlistEntry:
    values: dict[str, Any] = {
        "service": cast.session,
        "practitioner": None,
        "earliest": date(2027, 4, 5),
        "latest": date(2027, 4, 30),
        "weekdays": "0123456",
        "time_from": time(17),
        "time_to": time(20),
    }
    values.update(wishes)
    return add_by_staff(
        practice=cast.tidewater,
        wishes=Wishes(**values),
        details=ClientDetails(name, "Waiter", f"{name.lower()}@example.test"),
        by=None,
        now=queued,
    )


def offers_to(entry: WaitlistEntry) -> list[Appointment]:
    return list(Appointment.objects.filter(waitlist_offer__entry=entry).order_by("pk"))


def local(moment: datetime) -> datetime:
    return moment.astimezone(NEW_YORK)


def evenings(cast: Cast) -> None:
    """Ana works 9:00–20:00 every day instead of 9:00–17:00."""
    replace_weekly_hours(
        practitioner=cast.ana,
        location=cast.tidewater.locations.get(),
        hours=[WeeklyHours(day, time(9), time(20)) for day in range(7)],
        now=NOW,
    )


def test_longer_weekly_hours_are_offered_in_queue_order_one_visit_at_a_time(cast: Cast) -> None:
    fern = waiting(cast, "Fern", queued=NOW - timedelta(days=2))
    gus = waiting(cast, "Gus", queued=NOW - timedelta(days=1))
    evenings(cast)
    openings = list(WaitlistOpening.objects.order_by("start"))
    assert openings and all(o.cause == OpeningCause.NEW_HOURS and o.freed_by_id is None for o in openings)
    # Today's evening lies inside the 12-hour notice: the first opening is Tuesday's 17:00-20:00, and
    # one follows for each evening up to the booking horizon.
    assert (local(openings[0].start), local(openings[0].end)) == (
        datetime(2027, 4, 6, 17, 0, tzinfo=NEW_YORK),
        datetime(2027, 4, 6, 20, 0, tzinfo=NEW_YORK),
    )
    assert all(local(o.start).time() == time(17) for o in openings)
    assert len({local(o.start).date() for o in openings}) == len(openings) >= 20

    assert plan_offers(NOW) == 2
    (fern_hold,) = offers_to(fern)
    (gus_hold,) = offers_to(gus)
    assert fern_hold.status == Status.HELD and fern_hold.source == Source.WAITLIST
    # Fern gets Tuesday 17:00; Gus, while Fern's hold lasts, the next evening's opening.
    assert local(fern_hold.start) == datetime(2027, 4, 6, 17, 0, tzinfo=NEW_YORK)
    assert local(gus_hold.start) == datetime(2027, 4, 7, 17, 0, tzinfo=NEW_YORK)

    # Fern takes it; Tuesday's new time is not used up, so it stays open for the next in the queue.
    confirm_booking(appointment=fern_hold, now=NOW + timedelta(minutes=5))
    tuesday = WaitlistOpening.objects.get(pk=fern_hold.waitlist_offer.opening_id)
    assert tuesday.status == OpeningStatus.OPEN
    hal = waiting(cast, "Hal", queued=NOW + timedelta(minutes=6))
    assert plan_offers(NOW + timedelta(minutes=10)) == 1
    (hal_hold,) = offers_to(hal)
    assert local(hal_hold.start) == datetime(2027, 4, 6, 18, 15, tzinfo=NEW_YORK)  # after Fern's visit and buffer
    assert Appointment.objects.filter(status__in=[Status.HELD, Status.BOOKED]).count() == 3


def test_time_off_taken_back_is_offered(cast: Cast) -> None:
    off, _ = add_time_off(
        practitioner=cast.ana,
        start=datetime(2027, 4, 8, 0, 0, tzinfo=NEW_YORK),
        end=datetime(2027, 4, 9, 0, 0, tzinfo=NEW_YORK),
        reason="Course",
        now=NOW,
    )
    fern = waiting(cast, "Fern", queued=NOW, weekdays="3", time_from=time(9), time_to=time(13))
    assert not WaitlistOpening.objects.exists()  # time off adds nothing
    assert plan_offers(NOW) == 0
    assert remove_time_off(practitioner=cast.ana, time_off_id=off.pk, now=NOW)
    (opening,) = WaitlistOpening.objects.all()
    assert (local(opening.start), local(opening.end)) == (
        datetime(2027, 4, 8, 9, 0, tzinfo=NEW_YORK),
        datetime(2027, 4, 8, 17, 0, tzinfo=NEW_YORK),
    )
    assert plan_offers(NOW) == 1
    (held,) = offers_to(fern)
    assert local(held.start) == datetime(2027, 4, 8, 9, 0, tzinfo=NEW_YORK)
    assert not remove_time_off(practitioner=cast.ana, time_off_id=off.pk, now=NOW)  # gone already


def test_extra_hours_on_a_date_are_offered_and_close_when_they_come_too_near(cast: Cast) -> None:
    fern = waiting(cast, "Fern", queued=NOW, weekdays="5", time_from=time(18), time_to=time(20))
    add_hours_exception(
        practitioner=cast.ana,
        day=date(2027, 4, 10),
        available=True,
        start=time(18),
        end=time(20),
        location=cast.tidewater.locations.get(),
        reason="Saturday evening",
        now=NOW,
    )
    (opening,) = WaitlistOpening.objects.all()
    late = datetime(2027, 4, 10, 8, 30, tzinfo=NEW_YORK)  # the opening ends within the 12 h notice
    assert plan_offers(late) == 0
    opening.refresh_from_db()
    assert (opening.status, opening.reason) == (OpeningStatus.CLOSED, "too near to offer")
    assert offers_to(fern) == [] and fern.pk


def test_nothing_is_recorded_when_nobody_waits_or_no_time_is_added(cast: Cast) -> None:
    evenings(cast)
    assert not WaitlistOpening.objects.exists()
    waiting(cast, "Fern", queued=NOW)
    evenings(cast)  # the same hours again add nothing
    assert not WaitlistOpening.objects.exists()
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() == 1
