"""Reminders at the practice's offsets, driven by the clock: planned by the worker's planner, sent by
its delivery, replaced by a move, withdrawn by a cancellation, never sent for a past or cancelled visit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from pytest_django import Settings

from conftest import Cast
from longtide.clients.models import Client, ReminderChannel
from longtide.notifications import sms
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Channel, Message, SmsOptOut, State
from longtide.scheduling.booking import (
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    move_appointment,
)
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status
from longtide.scheduling.reminders import plan_reminders

pytestmark = pytest.mark.django_db

BOOKED_AT = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
VISIT = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 10:00 in New York
NOTE = "Migraines since March"
CLEO = ClientDetails("Cleo", "Park", "cleo@example.test")


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(BOOKED_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _texts(settings: Settings) -> Iterator[None]:
    settings.SMS = {"BACKEND": "locmem"}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def book(cast: Cast, start: datetime = VISIT, client: ClientDetails = CLEO) -> Appointment:
    """Booked online and confirmed by the client from the emailed link (held bookings get no reminders)."""
    held = book_appointment(
        practice=cast.tidewater, service=cast.session, practitioner=cast.ana, start=start, client=client, note=NOTE
    ).appointment
    return confirm_booking(appointment=held)


def run_worker_at(clock: time_machine.Traveller, moment: datetime) -> None:
    """What `longtide worker` does on one turn at that moment: plan, then send what is due."""
    clock.move_to(moment, tick=False)
    plan_reminders(moment)
    while deliver_due(worker="test").claimed:
        pass


def reminders(**filters: Any) -> list[Message]:
    return list(Message.objects.filter(purpose=Purpose.REMINDER, **filters).order_by("send_after"))


def reminder_emails() -> list[EmailMessage]:
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def test_a_visit_gets_both_reminders_at_48_and_24_hours(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = book(cast)
    run_worker_at(clock, BOOKED_AT)
    assert [m.subject for m in mail.outbox] == ["Your appointment at Tidewater Craniosacral on Wed 2 Dec, 10:00 AM"]

    run_worker_at(clock, VISIT - timedelta(hours=49, minutes=30))
    assert reminders() == []  # not due within the hour yet
    run_worker_at(clock, VISIT - timedelta(hours=48, minutes=30))
    [first] = reminders()
    assert (first.status, first.send_after, first.expires_at) == (State.PENDING, VISIT - timedelta(hours=48), VISIT)
    assert first.dedupe_key == f"appointment:{appointment.pk}:s0:reminder:48h"
    assert reminder_emails() == []

    run_worker_at(clock, VISIT - timedelta(hours=48))
    [email] = reminder_emails()
    assert email.subject == "Reminder: your appointment at Tidewater Craniosacral on Wed 2 Dec, 10:00 AM"
    assert email.to == ["cleo@example.test"]
    assert "Wednesday 2 December 2026, 10:00 AM–11:00 AM EST" in email.body
    assert "/p/tidewater/manage/" in email.body

    run_worker_at(clock, VISIT - timedelta(hours=24))
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in reminders(status=State.SENT)] == ["48h", "24h"]
    assert len(reminder_emails()) == 2
    run_worker_at(clock, VISIT - timedelta(hours=1))
    assert len(reminder_emails()) == 2


def test_planning_twice_creates_each_reminder_once(cast: Cast, clock: time_machine.Traveller) -> None:
    book(cast)
    moment = VISIT - timedelta(hours=48, minutes=10)
    clock.move_to(moment, tick=False)
    assert plan_reminders(moment) == 1
    assert plan_reminders(moment) == 0
    assert plan_reminders(moment + timedelta(minutes=1)) == 0
    assert len(reminders()) == 1


def test_a_visit_booked_inside_an_offset_skips_that_reminder(cast: Cast, clock: time_machine.Traveller) -> None:
    clock.move_to(VISIT - timedelta(hours=30), tick=False)
    book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=30))
    run_worker_at(clock, VISIT - timedelta(hours=24))
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in reminders()] == ["24h"]
    assert len(reminder_emails()) == 1


def test_a_visit_booked_the_day_before_gets_no_reminder(cast: Cast, clock: time_machine.Traveller) -> None:
    clock.move_to(VISIT - timedelta(hours=20), tick=False)
    book(cast)
    for hours in (20, 10, 1):
        run_worker_at(clock, VISIT - timedelta(hours=hours))
    assert reminders() == []


def test_after_a_long_outage_only_the_latest_due_reminder_goes(cast: Cast, clock: time_machine.Traveller) -> None:
    book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=20))  # the worker was down from booking until now
    [only] = reminders()
    assert only.dedupe_key.endswith(":24h") and only.status == State.SENT


def test_a_move_replaces_the_waiting_reminders(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=48, minutes=30))
    [old] = reminders()
    assert old.status == State.PENDING
    clock.move_to(VISIT - timedelta(hours=48, minutes=20), tick=False)
    later = VISIT + timedelta(days=2)
    move_appointment(appointment=appointment, start=later, by_client=True)
    old.refresh_from_db()
    assert (old.status, old.last_error) == (State.WITHDRAWN, "Withdrawn: the visit was moved.")

    run_worker_at(clock, VISIT - timedelta(hours=48))
    assert reminder_emails() == []  # nothing for the old time
    run_worker_at(clock, later - timedelta(hours=48))
    [email] = reminder_emails()
    assert "Friday 4 December 2026" in email.body
    assert reminders(status=State.SENT)[0].dedupe_key == f"appointment:{appointment.pk}:s1:reminder:48h"


def test_a_cancellation_withdraws_the_reminders_and_no_more_are_planned(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=48, minutes=30))
    clock.move_to(VISIT - timedelta(hours=48, minutes=20), tick=False)
    cancel_appointment(appointment=appointment, by_client=True)
    for hours in (48, 24, 1):
        run_worker_at(clock, VISIT - timedelta(hours=hours))
    assert [m.status for m in reminders()] == [State.WITHDRAWN]
    assert reminder_emails() == []
    assert [m.subject.split(":")[0] for m in mail.outbox if "Cancelled" in m.subject] == ["Cancelled"]


def test_the_worker_checks_again_right_before_sending(cast: Cast, clock: time_machine.Traveller) -> None:
    """Changes that bypass the booking actions (or race them) are caught at send time."""
    cancelled = book(cast)
    moved = book(cast, start=VISIT + timedelta(hours=3), client=ClientDetails("Di", "O", "di@example.test"))
    clock.move_to(VISIT - timedelta(hours=48, minutes=30), tick=False)
    assert plan_reminders(VISIT - timedelta(hours=48, minutes=30), ahead=timedelta(hours=4)) == 2
    Appointment.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED_CLINIC)
    Appointment.objects.filter(pk=moved.pk).update(sequence=5)
    clock.move_to(VISIT + timedelta(hours=3) - timedelta(hours=48), tick=False)
    while deliver_due(worker="test").claimed:
        pass
    assert sorted(m.last_error for m in reminders()) == [
        "Not sent: the visit is no longer booked.",
        "Not sent: the visit was moved.",
    ]
    assert reminder_emails() == []


def test_a_reminder_is_never_sent_once_the_visit_has_started(cast: Cast, clock: time_machine.Traveller) -> None:
    book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=24, minutes=30))
    clock.move_to(VISIT + timedelta(minutes=1), tick=False)  # the worker was stuck until after the start
    while deliver_due(worker="test").claimed:
        pass
    [late] = reminders()
    assert (late.status, late.last_error) == (State.WITHDRAWN, "Not sent: its time had passed.")
    assert reminder_emails() == []


def test_the_practice_chooses_its_offsets(cast: Cast, clock: time_machine.Traveller) -> None:
    cast.tidewater.reminder_hours_first = 72
    cast.tidewater.reminder_hours_second = 0
    cast.tidewater.save()
    book(cast)
    for hours in (72, 48, 24):
        run_worker_at(clock, VISIT - timedelta(hours=hours))
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in reminders()] == ["72h"]
    cast.tidewater.reminder_hours_first = 0
    cast.tidewater.save()
    book(cast, start=VISIT + timedelta(days=3))
    for hours in (96, 72, 24, 2):
        run_worker_at(clock, VISIT + timedelta(days=3) - timedelta(hours=hours))
    assert len(reminders()) == 1


def test_a_client_who_wants_no_reminders_gets_none(cast: Cast, clock: time_machine.Traveller) -> None:
    Client.objects.filter(pk=cast.cleo.pk).update(reminder_channel=ReminderChannel.NONE)
    book(cast)
    for hours in (48, 24):
        run_worker_at(clock, VISIT - timedelta(hours=hours))
    assert reminders() == []
    assert len(mail.outbox) == 1  # the confirmation still goes


def test_a_phone_only_client_who_agreed_to_texts_gets_text_reminders(cast: Cast, clock: time_machine.Traveller) -> None:
    Client.objects.filter(pk=cast.cleo.pk).update(
        email="", phone="(207) 555-0199", reminder_channel=ReminderChannel.SMS, sms_consent_at=BOOKED_AT
    )
    appointment = book_for(cast, cast.cleo)
    for moment in (BOOKED_AT, VISIT - timedelta(hours=48), VISIT - timedelta(hours=24)):
        run_worker_at(clock, moment)
    texts = [(m.recipient, m.text) for m in sms.outbox]
    assert [r for r, _ in texts] == ["+12075550199"] * 3  # confirmation, 48 h, 24 h
    assert texts[1][1].startswith("Reminder from Tidewater Craniosacral: CST session with Ana Silva, RCST, Wed 2 Dec")
    assert texts[1][1].endswith("Reply STOP to opt out.")
    assert "/p/tidewater/manage/" in texts[1][1]
    assert all("igraine" not in text for _, text in texts)
    assert {m.channel for m in Message.objects.all()} == {Channel.SMS}
    assert mail.outbox == []
    assert appointment.pk


def test_a_phone_only_client_without_consent_gets_nothing(cast: Cast, clock: time_machine.Traveller) -> None:
    Client.objects.filter(pk=cast.cleo.pk).update(
        email="", phone="(207) 555-0199", reminder_channel=ReminderChannel.SMS
    )
    book_for(cast, cast.cleo)
    run_worker_at(clock, VISIT - timedelta(hours=24))
    assert Message.objects.count() == 0
    assert sms.outbox == [] and mail.outbox == []


def test_a_number_that_replied_stop_gets_no_texts(cast: Cast, clock: time_machine.Traveller) -> None:
    Client.objects.filter(pk=cast.cleo.pk).update(
        phone="+1 207 555 0199", reminder_channel=ReminderChannel.SMS, sms_consent_at=BOOKED_AT
    )
    SmsOptOut.objects.create(number="+12075550199")
    book(cast)
    run_worker_at(clock, VISIT - timedelta(hours=24))
    [reminder] = reminders()
    assert (reminder.status, reminder.channel) == (State.FAILED, Channel.SMS)
    assert "replied STOP" in reminder.last_error
    assert sms.outbox == []


def book_for(cast: Cast, client: Client) -> Appointment:
    """Book directly through the action's rules for a client who may have no email (staff booking)."""
    from longtide.scheduling.booking_messages import queue_booking_message
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce

    client.refresh_from_db()
    nonce = new_nonce()
    appointment = Appointment.objects.create(
        practice=cast.tidewater,
        location=cast.location,
        service=cast.session,
        practitioner=cast.ana,
        room=cast.willow,
        client=client,
        start=VISIT,
        end=VISIT + timedelta(hours=1),
        blocked_start=VISIT,
        blocked_end=VISIT + timedelta(hours=1, minutes=15),
        manage_token_hash=hash_token(token_from_nonce(nonce)),
        manage_nonce=nonce,
        note=NOTE,
        time_set_at=BOOKED_AT,
    )
    queue_booking_message(Purpose.CONFIRMATION, appointment, now=BOOKED_AT)
    return appointment
