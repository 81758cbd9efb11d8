"""Review: a reminder sent again from the outbox is withdrawn instead of sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message, State
from longtide.notifications.outbox import resend
from longtide.scheduling.booking import ClientDetails, book_appointment, cancel_appointment, move_appointment
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Source
from longtide.scheduling.reminders import plan_reminders

pytestmark = pytest.mark.django_db

VISIT = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def test_a_reminder_sent_again_from_the_outbox_is_sent(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        )
        at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 24 h before
        clock.move_to(at, tick=False)
        plan_reminders(at)
        deliver_due(worker="t")
        reminder = Message.objects.get(purpose=Purpose.REMINDER)
        assert reminder.status == State.SENT
        client.force_login(cast.ben_user)  # front desk: "she says she never got it"
        page = client.get(f"/staff/tidewater/outbox/{reminder.pk}/").content.decode()
        found = re.search(r'name="key" value="([^"]+)"', page)
        assert found is not None
        client.post(f"/staff/tidewater/outbox/{reminder.pk}/send-again/", {"key": found.group(1)})
        mail.outbox.clear()
        deliver_due(worker="t")
        copy = Message.objects.get(resend_of=reminder)
        # Failed before the fix: ('withdrawn', 'Not sent: the visit was moved.')
        assert copy.status == State.SENT, (copy.status, copy.last_error)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["cleo@example.test"]


@pytest.mark.parametrize("change", ["moved", "cancelled"])
def test_a_reminder_sent_again_after_the_visit_changed_is_withdrawn(
    client: HttpClient, cast: Cast, change: str
) -> None:
    """The copy says what the original said: once the visit was moved or cancelled, it must not go."""
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        visit = book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        ).appointment
        at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        clock.move_to(at, tick=False)
        plan_reminders(at)
        deliver_due(worker="t")
        reminder = Message.objects.get(purpose=Purpose.REMINDER)
        assert reminder.status == State.SENT
        client.force_login(cast.ben_user)
        page = client.get(f"/staff/tidewater/outbox/{reminder.pk}/").content.decode()
        found = re.search(r'name="key" value="([^"]+)"', page)
        assert found is not None
        client.post(f"/staff/tidewater/outbox/{reminder.pk}/send-again/", {"key": found.group(1)})
        copy = Message.objects.get(resend_of=reminder)
        if change == "moved":
            move_appointment(appointment=visit, start=VISIT + timedelta(hours=1), by_client=False, now=at)
        else:
            cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="ill", now=at)
        mail.outbox.clear()
        deliver_due(worker="t")
        copy.refresh_from_db()
        assert copy.status == State.WITHDRAWN
        # A move or a cancellation withdraws the visit's waiting reminders, the copy among them.
        assert copy.last_error == f"Withdrawn: the visit was {change}."
        assert not [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def test_a_copy_of_an_old_reminder_is_withdrawn_at_send_time_once_the_visit_moved(cast: Cast) -> None:
    """Sent again from an outdated reminder (the visit moved since it went): checked right before sending."""
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        visit = book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        ).appointment
        at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        clock.move_to(at, tick=False)
        plan_reminders(at)
        deliver_due(worker="t")
        reminder = Message.objects.get(purpose=Purpose.REMINDER)
        copy = resend(message=reminder, by=None, key="k1")
        deliver_due(worker="t")
        copy_of_copy = resend(message=Message.objects.get(pk=copy.pk), by=None, key="k2")
        deliver_due(worker="t")  # a copy of a copy speaks of the original's time, still the visit's
        copy_of_copy.refresh_from_db()
        assert copy_of_copy.status == State.SENT, copy_of_copy.last_error
        move_appointment(appointment=visit, start=VISIT + timedelta(hours=1), by_client=False, now=at)
        late_copy = resend(message=Message.objects.get(pk=copy_of_copy.pk), by=None, key="k3")
        mail.outbox.clear()
        deliver_due(worker="t")
        late_copy.refresh_from_db()
        assert late_copy.status == State.WITHDRAWN
        assert late_copy.last_error == "Not sent: the visit was moved."
        assert not [m for m in mail.outbox if m.subject.startswith("Reminder:")]
