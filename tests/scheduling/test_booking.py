"""The booking actions, on the real database (SQLite or PostgreSQL per DATABASE_URL)."""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.practice.models import Practitioner, Room
from longtide.scheduling.booking import (
    Booked,
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    move_appointment,
    release_hold,
)
from longtide.scheduling.booking_rules import BookingError, IdempotencyKeyReused, PolicyRefused, SlotTaken
from longtide.scheduling.manage_links import find_by_token
from longtide.scheduling.models import Appointment, HoursException, Source, Status, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday 07:00 in New York
# Wednesday 2 December 10:00 New York (EST, UTC-5) = 15:00 UTC
WED_10 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
CLEO = ClientDetails("Cleo", "Park", "cleo@example.test")
DI = ClientDetails("Di", "Okoro", "di@example.test", "+1 555 0100")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def book(cast: Cast, start: datetime = WED_10, client: ClientDetails = CLEO, **kw: Any) -> Booked:
    kw.setdefault("practitioner", cast.ana)
    return book_appointment(practice=cast.tidewater, service=cast.session, start=start, client=client, **kw)


def booked(cast: Cast, start: datetime = WED_10, client: ClientDetails = CLEO, **kw: Any) -> Appointment:
    """An online booking its address's owner has confirmed."""
    return confirm_booking(appointment=book(cast, start=start, client=client, **kw).appointment)


def test_it_holds_a_free_slot_with_a_room_and_a_hashed_token(cast: Cast) -> None:
    booked = book(cast)
    appt = booked.appointment
    assert appt.status == Status.HELD
    assert appt.hold_until == NOW + timedelta(minutes=120)
    assert (appt.start, appt.end) == (WED_10, WED_10 + timedelta(hours=1))
    assert appt.blocked_end == appt.end + timedelta(minutes=15)
    assert appt.room == cast.willow
    assert booked.manage_token and booked.manage_token not in appt.manage_token_hash
    assert find_by_token(booked.manage_token) == appt


def test_it_files_a_known_email_under_its_client_without_changing_the_client(cast: Cast) -> None:
    booked = book(cast, client=ClientDetails("Mallory", "Impostor", "CLEO@example.test", "+1 555 0199"))
    appointment = booked.appointment
    assert appointment.client == cast.cleo
    cast.cleo.refresh_from_db()
    assert (cast.cleo.first_name, cast.cleo.last_name, cast.cleo.phone) == ("Cleo", "Park", "")
    typed = (appointment.booked_first_name, appointment.booked_last_name, appointment.booked_email)
    assert typed == ("Mallory", "Impostor", "CLEO@example.test")
    assert appointment.booked_phone == "+1 555 0199"
    assert appointment.name_differs


def test_the_same_name_in_other_letter_case_is_no_mismatch(cast: Cast) -> None:
    assert not book(cast, client=ClientDetails(" cleo", "PARK ", "cleo@example.test")).appointment.name_differs


def test_staff_bookings_are_booked_at_once(cast: Cast) -> None:
    appointment = book(cast, source=Source.STAFF).appointment
    assert (appointment.status, appointment.hold_until) == (Status.BOOKED, None)


def test_confirming_a_held_booking_books_it_and_twice_is_harmless(cast: Cast) -> None:
    held = book(cast).appointment
    assert confirm_booking(appointment=held).status == Status.BOOKED
    assert confirm_booking(appointment=held).status == Status.BOOKED
    held.refresh_from_db()
    assert (held.status, held.hold_until) == (Status.BOOKED, None)


def test_a_held_time_is_busy_until_the_hold_lapses_then_free_for_others(cast: Cast) -> None:
    held = book(cast).appointment
    with pytest.raises(SlotTaken):
        book(cast, client=DI)
    with time_machine.travel(NOW + timedelta(minutes=121), tick=False):
        other = book(cast, client=DI).appointment
        held.refresh_from_db()
        assert held.status == Status.EXPIRED
        with pytest.raises(PolicyRefused) as caught:
            confirm_booking(appointment=held)
        assert caught.value.code == "hold_released"
    assert other.start == held.start


def test_a_lapsed_hold_nobody_took_can_still_be_confirmed(cast: Cast) -> None:
    held = book(cast).appointment
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        assert confirm_booking(appointment=held).status == Status.BOOKED


def test_a_hold_never_outlasts_the_start(cast: Cast) -> None:
    cast.tidewater.min_notice_hours = 0
    cast.tidewater.booking_hold_minutes = 180
    cast.tidewater.save()
    soon = NOW + timedelta(hours=2)  # 09:00 in New York
    held = book(cast, start=soon).appointment
    assert held.hold_until == soon
    with time_machine.travel(soon, tick=False), pytest.raises(PolicyRefused) as caught:
        confirm_booking(appointment=held)
    assert caught.value.code == "in_past"


def test_releasing_a_hold_frees_its_time_at_once(cast: Cast) -> None:
    held = book(cast).appointment
    release_hold(appointment=held)
    assert held.status == Status.EXPIRED
    assert book(cast, client=DI).created
    with pytest.raises(PolicyRefused):
        release_hold(appointment=held)


def test_it_refuses_an_overlapping_booking_for_the_practitioner(cast: Cast) -> None:
    book(cast)
    with pytest.raises(SlotTaken):
        book(cast, start=WED_10 + timedelta(minutes=30), client=DI)


def test_the_buffer_after_a_booking_is_kept_free(cast: Cast) -> None:
    book(cast)
    with pytest.raises(SlotTaken):
        book(cast, start=WED_10 + timedelta(hours=1), client=DI)
    assert book(cast, start=WED_10 + timedelta(hours=1, minutes=15), client=DI).created


def test_a_second_practitioner_gets_the_other_room_and_then_rooms_run_out(cast: Cast) -> None:
    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea", slug="bea", style="integrative")
    cal = Practitioner.objects.create(practice=cast.tidewater, display_name="Cal", slug="cal", style="integrative")
    for person in (bea, cal):
        cast.session.practitioners.add(person)
        WorkingHours.objects.create(
            practitioner=person, location=cast.location, weekday=2, start_time=time(9), end_time=time(17)
        )
    assert book(cast).appointment.room == cast.willow
    assert book(cast, practitioner=bea, client=DI).appointment.room == cast.cedar
    with pytest.raises(SlotTaken):
        book(cast, practitioner=cal, client=ClientDetails("E", "F", "ef@example.test"))


def test_any_practitioner_takes_the_first_one_free(cast: Cast) -> None:
    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea", slug="bea", style="integrative")
    cast.session.practitioners.add(bea)
    WorkingHours.objects.create(
        practitioner=bea, location=cast.location, weekday=2, start_time=time(9), end_time=time(17)
    )
    first = book(cast, practitioner=None)
    second = book(cast, practitioner=None, client=DI)
    assert {first.appointment.practitioner, second.appointment.practitioner} == {cast.ana, bea}


def test_any_practitioner_respects_the_style_filter(cast: Cast) -> None:
    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea", slug="bea", style="integrative")
    cast.session.practitioners.add(bea)
    WorkingHours.objects.create(
        practitioner=bea, location=cast.location, weekday=2, start_time=time(9), end_time=time(17)
    )
    booked = book(cast, practitioner=None, style="integrative")
    assert booked.appointment.practitioner == bea


def test_it_refuses_times_outside_working_hours_and_off_the_grid(cast: Cast) -> None:
    with pytest.raises(SlotTaken):
        book(cast, start=datetime(2026, 12, 2, 23, 0, tzinfo=UTC))  # 18:00 local
    with pytest.raises(SlotTaken):
        book(cast, start=WED_10 + timedelta(minutes=7))


def test_time_off_and_days_off_block_booking(cast: Cast) -> None:
    TimeOff.objects.create(practitioner=cast.ana, start=WED_10, end=WED_10 + timedelta(minutes=30))
    with pytest.raises(SlotTaken):
        book(cast)
    HoursException.objects.create(practitioner=cast.ana, date=datetime(2026, 12, 3).date(), available=False)
    with pytest.raises(SlotTaken):
        book(cast, start=WED_10 + timedelta(days=1))


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (NOW - timedelta(hours=1), "in_past"),
        (NOW + timedelta(hours=3), "too_soon"),
        (NOW + timedelta(days=120), "too_far"),
    ],
)
def test_policy_errors_are_specific(cast: Cast, start: datetime, code: str) -> None:
    with pytest.raises(BookingError) as caught:
        book(cast, start=start)
    assert caught.value.code == code
    assert caught.value.field == "start"


def test_staff_may_book_inside_the_notice_period_but_not_in_the_past(cast: Cast) -> None:
    soon = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 local today, 3 h away
    assert book(cast, start=soon, source=Source.STAFF).created
    with pytest.raises(BookingError, match="already passed"):
        book(cast, start=NOW - timedelta(hours=2), source=Source.STAFF, client=DI)


def test_the_first_visit_rule_is_judged_when_the_address_owner_confirms(cast: Cast) -> None:
    cast.tidewater.new_clients_first_visit = True
    cast.tidewater.save()
    # Made alike for anyone: nothing about the address is looked up when booking.
    held = book(cast, client=DI).appointment
    assert held.status == Status.HELD
    with pytest.raises(BookingError) as caught:
        confirm_booking(appointment=held)
    assert caught.value.code == "first_visit_required"
    assert "First visit" in caught.value.message
    held.refresh_from_db()
    assert held.status == Status.EXPIRED, "the refused hold's time is released"
    first = book_appointment(
        practice=cast.tidewater, service=cast.first_visit, practitioner=cast.ana, start=WED_10, client=DI
    )
    assert confirm_booking(appointment=first.appointment).status == Status.BOOKED
    later = book(cast, start=WED_10 + timedelta(days=1), client=DI).appointment
    assert confirm_booking(appointment=later).status == Status.BOOKED


def test_a_hold_does_not_make_a_returning_client(cast: Cast) -> None:
    cast.tidewater.new_clients_first_visit = True
    cast.tidewater.save()
    book_appointment(practice=cast.tidewater, service=cast.first_visit, practitioner=cast.ana, start=WED_10, client=DI)
    held = book(cast, start=WED_10 + timedelta(days=1), client=DI).appointment
    with pytest.raises(BookingError, match="New clients start with a first visit"):
        confirm_booking(appointment=held)


def test_an_idempotent_retry_returns_the_same_booking(cast: Cast) -> None:
    first = book(cast, idempotency_key="k-1")
    again = book(cast, idempotency_key="k-1")
    assert again.appointment.pk == first.appointment.pk
    assert again.created is False
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"client": DI},
        {"client": ClientDetails("Cleo", "Park", "cleo@example.test", "+1 555 0100")},
        {"start": WED_10 + timedelta(hours=2)},
        {"note": "a different note"},
        {"practitioner": None},
        {"source": Source.API},
    ],
    ids=["another client", "another phone", "another time", "another note", "anyone", "another channel"],
)
def test_an_idempotency_key_reused_for_another_request_is_refused(cast: Cast, change: dict[str, Any]) -> None:
    first = book(cast, idempotency_key="k-1").appointment
    with pytest.raises(IdempotencyKeyReused) as caught:
        book(cast, idempotency_key="k-1", **change)
    assert caught.value.code == "idempotency_key_reused" and caught.value.status == 422
    assert caught.value.earlier == first
    assert Appointment.objects.count() == 1


def test_an_idempotency_key_belongs_to_its_practice(cast: Cast) -> None:
    book(cast, idempotency_key="shared-key")
    other = book_appointment(
        practice=cast.harbour,
        service=cast.harbour_session,
        practitioner=cast.dov,
        start=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        client=DI,
        idempotency_key="shared-key",
    )
    assert other.created


def test_a_service_of_another_practice_is_refused(cast: Cast) -> None:
    with pytest.raises(BookingError) as caught:
        book_appointment(
            practice=cast.tidewater, service=cast.harbour_session, practitioner=None, start=WED_10, client=CLEO
        )
    assert caught.value.code == "unknown_service"


def test_a_client_may_cancel_inside_the_window_only(cast: Cast) -> None:
    appt = booked(cast)
    cancel_appointment(appointment=appt, by_client=True)
    assert appt.status == Status.CANCELLED_CLIENT
    assert book(cast, client=DI).created, "a cancelled slot is free again"
    late = booked(cast, start=datetime(2026, 12, 2, 19, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 1, 20, 0, tzinfo=UTC), tick=False):
        with pytest.raises(PolicyRefused) as caught:
            cancel_appointment(appointment=late, by_client=True)
        assert "24 hours" in caught.value.message
        cancel_appointment(appointment=late, by_client=False, late=True, reason="Phoned an hour before")
    assert late.status == Status.LATE_CANCELLED


def test_a_client_can_move_a_booking_and_the_old_time_frees_up(cast: Cast) -> None:
    moved = move_appointment(appointment=booked(cast), start=WED_10 + timedelta(hours=2), by_client=True)
    assert moved.start == WED_10 + timedelta(hours=2)
    assert moved.sequence == 1
    assert book(cast, client=DI).created


def test_moving_by_a_quarter_hour_onto_its_own_time_is_allowed(cast: Cast) -> None:
    moved = move_appointment(appointment=booked(cast), start=WED_10 + timedelta(minutes=15), by_client=True)
    assert moved.start == WED_10 + timedelta(minutes=15)


def test_moving_onto_another_booking_is_refused_and_nothing_changes(cast: Cast) -> None:
    first = booked(cast)
    book(cast, start=WED_10 + timedelta(hours=3), client=DI)
    with pytest.raises(SlotTaken):
        move_appointment(appointment=first, start=WED_10 + timedelta(hours=3), by_client=True)
    first.refresh_from_db()
    assert first.start == WED_10


def test_the_worker_sends_the_confirmation_without_the_note(cast: Cast) -> None:
    book(cast, note="migraines since March")
    assert mail.outbox == []  # queued in the outbox, not sent inside the booking
    assert deliver_due(worker="test").sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cleo@example.test"]
    assert "migraines" not in message.body


def test_rooms_of_a_service_restrict_where_it_can_happen(cast: Cast) -> None:
    cast.session.rooms.set([cast.cedar])
    assert book(cast).appointment.room == cast.cedar
    Room.objects.filter(pk=cast.cedar.pk).update(active=False)
    with pytest.raises(SlotTaken):
        book(cast, start=WED_10 + timedelta(hours=3), client=DI)


def test_a_held_booking_gets_no_reminder_until_it_is_confirmed(cast: Cast) -> None:
    from longtide.notifications.models import Message
    from longtide.scheduling.message_texts import Purpose
    from longtide.scheduling.reminders import plan_reminders

    held = book(cast, start=WED_10 + timedelta(days=3)).appointment
    confirmed = booked(cast, start=WED_10 + timedelta(days=3, hours=2), client=DI)
    moment = WED_10 + timedelta(days=2, hours=3)  # past both visits' 24-hour reminder time
    with time_machine.travel(moment, tick=False):
        plan_reminders(moment)
    about = set(Message.objects.filter(purpose=Purpose.REMINDER).values_list("about", flat=True))
    assert about == {f"appointment:{confirmed.pk}"}, f"none for the held {held.pk}"
