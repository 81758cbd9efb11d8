"""Review: the 24-hour reminder (default offsets 48/24, default window 24 h) is written up to an hour
before it is sent, and tells the client they can still cancel online when the window has closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Source
from longtide.scheduling.reminders import plan_reminders

pytestmark = pytest.mark.django_db

VISIT = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 10:00 in New York


def test_the_24_hour_reminder_does_not_offer_online_changes_once_the_window_has_closed(cast: Cast) -> None:
    assert cast.tidewater.cancellation_window_hours == 24
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        )
        # The worker's loop, once a minute, from just before the 48-hour reminder to 23 hours before.
        moment = VISIT - timedelta(hours=49)
        while moment <= VISIT - timedelta(hours=23):
            clock.move_to(moment, tick=False)
            plan_reminders(moment)
            deliver_due(worker="t")
            moment += timedelta(minutes=1) if moment > VISIT - timedelta(hours=26) else timedelta(minutes=30)
        first, second = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
        reminder = second
        sent = Message.objects.filter(purpose=Purpose.REMINDER).order_by("send_after").last()
        assert (
            sent is not None and sent.sent_at is not None and sent.sent_at >= VISIT - timedelta(hours=24)
        )  # the window had closed
        # It went out at 10:00 on Tuesday, when online cancellation closed (24 h before the start) ...
        assert "Need to cancel or reschedule? You can do it online until" not in str(reminder.body), str(reminder.body)
        # ... and says what the client can do instead.
        assert "so this booking can no longer be changed online" in str(reminder.body)
        assert "please contact Tidewater Craniosacral directly" in str(reminder.body)
        # The 48-hour reminder, sent while the window was open, still offers the link.
        assert "Need to cancel or reschedule? You can do it online until" in str(first.body)
