"""Review: one waitlist entry ends up with two live offers, and booking one leaves the other held."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Cast
from longtide.notifications.models import Message, State
from longtide.scheduling.booking import ClientDetails, book_appointment, cancel_appointment, confirm_booking
from longtide.scheduling.booking_rules import PolicyRefused
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, EventKind, Source, Status, WaitlistStatus
from longtide.scheduling.waitlist import Wishes, add_by_staff, plan_offers

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 4, 5, 9, 0, tzinfo=NEW_YORK)  # a Monday


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def cancel_visit_at(cast: Cast, start: datetime, now: datetime) -> None:
    visit = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
        now=now,
    ).appointment
    cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="ill", now=now)


def test_booking_one_offer_releases_the_entrys_other_offer(cast: Cast) -> None:
    fern = add_by_staff(
        practice=cast.tidewater,
        wishes=Wishes(cast.session, None, date(2027, 4, 5), date(2027, 4, 30), "01234", time(9), time(13)),
        details=ClientDetails("Fern", "Waiter", "fern@example.test"),
        by=None,
        now=NOW,
    )
    cancel_visit_at(cast, datetime(2027, 4, 8, 10, 0, tzinfo=NEW_YORK), NOW)
    assert plan_offers(NOW) == 1  # Thursday 10:00 held for Fern for an hour
    later = NOW + timedelta(minutes=90)  # Fern did not answer in time; nobody else waits
    cancel_visit_at(cast, datetime(2027, 4, 9, 10, 0, tzinfo=NEW_YORK), later)
    assert plan_offers(later) == 1  # Friday 10:00 is offered to Fern too
    thursday, friday = Appointment.objects.filter(waitlist_offer__entry=fern).order_by("start")
    confirm_booking(appointment=thursday, now=later)  # Fern takes the first offer (a lapsed one may be claimed)
    fern.refresh_from_db()
    assert fern.status == WaitlistStatus.BOOKED
    friday.refresh_from_db()
    # Fern is off the waitlist and booked: Friday must not stay held for her (and offered to her)
    assert friday.status != Status.HELD, "Friday 10:00 is still held for a client who has already booked"
    assert friday.status == Status.EXPIRED
    released = friday.events.get(kind=EventKind.RELEASED)
    assert released.reason == "Booked another time offered from the waitlist."
    offer_email = Message.objects.get(about=f"appointment:{friday.pk}", purpose=Purpose.WAITLIST_OFFER)
    assert offer_email.status == State.WITHDRAWN
    assert offer_email.last_error == "Withdrawn: the client booked another time offered to them from the waitlist."
    with pytest.raises(PolicyRefused):  # and she cannot take it as well
        confirm_booking(appointment=friday, now=later)
    assert Appointment.objects.filter(client__email="fern@example.test", status=Status.BOOKED).count() == 1


def test_booking_the_later_offer_releases_the_lapsed_one(cast: Cast) -> None:
    """The other way round: Fern takes Friday's live offer; Thursday's lapsed hold is let go, and
    Thursday goes to the next person waiting."""
    fern = add_by_staff(
        practice=cast.tidewater,
        wishes=Wishes(cast.session, None, date(2027, 4, 5), date(2027, 4, 30), "01234", time(9), time(13)),
        details=ClientDetails("Fern", "Waiter", "fern@example.test"),
        by=None,
        now=NOW,
    )
    cancel_visit_at(cast, datetime(2027, 4, 8, 10, 0, tzinfo=NEW_YORK), NOW)
    assert plan_offers(NOW) == 1
    later = NOW + timedelta(minutes=90)
    cancel_visit_at(cast, datetime(2027, 4, 9, 10, 0, tzinfo=NEW_YORK), later)
    assert plan_offers(later) == 1
    thursday, friday = Appointment.objects.filter(waitlist_offer__entry=fern).order_by("start")
    gil = add_by_staff(
        practice=cast.tidewater,
        wishes=Wishes(cast.session, None, date(2027, 4, 5), date(2027, 4, 30), "01234", time(9), time(13)),
        details=ClientDetails("Gil", "Later", "gil@example.test"),
        by=None,
        now=later,
    )
    confirm_booking(appointment=friday, now=later)
    thursday.refresh_from_db()
    assert thursday.status == Status.EXPIRED
    with pytest.raises(PolicyRefused):
        confirm_booking(appointment=thursday, now=later)
    assert plan_offers(later) == 1  # Thursday 10:00 now goes to Gil
    offered = Appointment.objects.get(waitlist_offer__entry=gil)
    assert offered.start == datetime(2027, 4, 8, 10, 0, tzinfo=NEW_YORK) and offered.status == Status.HELD
