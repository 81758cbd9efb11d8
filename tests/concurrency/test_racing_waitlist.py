"""The waitlist never double-books a freed time, however its planner and bookings race.

Real threads with their own database connections (a file for SQLite, sessions on PostgreSQL), so
the booking locks and the database's overlap guard are what decide. Nothing is frozen: every
thread must see the same clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from conftest import Cast
from longtide.scheduling.booking import ClientDetails, book_appointment, cancel_appointment
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.models import Appointment, Source, Status, WaitlistOffer
from longtide.scheduling.waitlist import Wishes, add_by_staff, plan_offers

pytestmark = pytest.mark.django_db(transaction=True)

NEW_YORK = ZoneInfo("America/New_York")


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in n threads released together; return each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def freed(cast: Cast) -> datetime:
    """A cancelled visit two days ahead at 10:00 (New York), and five people waiting for it."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=2)
    start = datetime.combine(day, time(10), tzinfo=NEW_YORK)
    for n in range(5):
        add_by_staff(
            practice=cast.tidewater,
            wishes=Wishes(
                cast.session, None, day - timedelta(days=1), day + timedelta(days=5), "0123456", time(8), time(17)
            ),
            details=ClientDetails(f"W{n}", "Waits", f"w{n}@example.test"),
            by=None,
        )
    visit = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment
    cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="Practitioner ill")
    return start


def holding(start: datetime) -> list[Appointment]:
    return list(Appointment.objects.filter(start=start, status__in=[Status.BOOKED, Status.HELD]))


def test_four_planners_racing_offer_the_time_once(cast: Cast, freed: datetime) -> None:
    results = race(4, lambda i: plan_offers(datetime.now(NEW_YORK)))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 1
    (held,) = holding(freed)
    assert (held.status, held.source) == (Status.HELD, Source.WAITLIST)
    assert WaitlistOffer.objects.count() == 1


def test_the_planner_racing_online_bookings_for_the_freed_time_lets_one_hold_it(cast: Cast, freed: datetime) -> None:
    def work(i: int) -> Any:
        if i == 0:
            return plan_offers(datetime.now(NEW_YORK))
        return book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=freed,
            client=ClientDetails("Ida", f"Lee{i}", f"ida{i}@example.test"),
        ).appointment.pk

    results = race(6, work)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, BookingError)]
    assert unexpected == []
    assert len(holding(freed)) == 1  # a waitlist offer or one online hold, never both
    assert WaitlistOffer.objects.count() == (1 if results[0] == 1 else 0)
