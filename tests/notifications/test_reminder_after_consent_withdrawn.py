"""Review: a text reminder already in the outbox still goes after the client takes back their
agreement to texts (reminder_preferences.py promises "then no texts go")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from pytest_django import Settings

from conftest import Cast
from longtide.clients.models import Client, ReminderChannel
from longtide.notifications import sms
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message, State
from longtide.notifications.transports import TemporaryFailure
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Source
from longtide.scheduling.reminders import plan_reminders

pytestmark = pytest.mark.django_db

VISIT = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _texts(settings: Settings) -> Iterator[None]:
    settings.SMS = {"BACKEND": "locmem"}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_no_text_goes_once_the_client_has_taken_back_their_agreement(
    client: HttpClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        appointment = book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        ).appointment
        assert appointment.client_id == cast.cleo.pk
        Client.objects.filter(pk=cast.cleo.pk).update(
            email="",
            phone="+1 207 555 0199",
            reminder_channel=ReminderChannel.SMS,
            sms_consent_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
        sms.outbox.clear()
        at = VISIT - timedelta(hours=48)
        clock.move_to(at, tick=False)
        plan_reminders(at)

        def provider_down(self: object, message: object) -> str:
            raise TemporaryFailure("503", "provider busy")

        with monkeypatch.context() as patch:  # the 48 h text hits a busy provider: retried later
            patch.setattr(sms.LocmemSms, "send", provider_down)
            deliver_due(worker="t")
        reminder = Message.objects.get(purpose=Purpose.REMINDER)
        assert reminder.status == State.PENDING

        # The client calls: "please stop texting me". Front desk unticks the agreement, no reminders.
        clock.move_to(at + timedelta(seconds=30), tick=False)
        client.force_login(cast.ben_user)
        response = client.post(f"/staff/tidewater/clients/{cast.cleo.pk}/reminders/", {"channel": ReminderChannel.NONE})
        assert response.status_code == 302
        cleo = Client.objects.get(pk=cast.cleo.pk)
        assert cleo.sms_consent_at is None and cleo.reminder_channel == ReminderChannel.NONE

        clock.move_to(at + timedelta(minutes=2), tick=False)
        deliver_due(worker="t")  # the retry
        assert sms.outbox == [], "a text went to a client who had withdrawn consent to texts"
        reminder.refresh_from_db()
        assert reminder.status == State.WITHDRAWN
        assert reminder.last_error == "Not sent: the client has withdrawn their agreement to text messages."


def _texted_reminder(cast: Cast, clock: time_machine.Traveller) -> Message:
    """Cleo, texts agreed, gets her 48-hour reminder by text; it is sent."""
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=VISIT,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    )
    Client.objects.filter(pk=cast.cleo.pk).update(
        phone="+1 207 555 0199", reminder_channel=ReminderChannel.SMS, sms_consent_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    at = VISIT - timedelta(hours=48)
    clock.move_to(at, tick=False)
    plan_reminders(at)
    deliver_due(worker="t")
    return Message.objects.get(purpose=Purpose.REMINDER)


def test_a_text_reminder_still_goes_while_the_client_agrees(cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        reminder = _texted_reminder(cast, clock)
    assert reminder.status == State.SENT
    assert [m.recipient for m in sms.outbox] == ["+12075550199"]


def test_a_waiting_reminder_goes_nowhere_the_client_no_longer_wants_it(cast: Cast) -> None:
    """Planned by email; before it goes the client chooses texts instead, or gives a new address."""
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            source=Source.STAFF,
        )
        at = VISIT - timedelta(hours=48)
        clock.move_to(at - timedelta(minutes=30), tick=False)
        plan_reminders(at - timedelta(minutes=30))  # planned half an hour before it is due
        reminder = Message.objects.get(purpose=Purpose.REMINDER)
        assert reminder.channel == "email" and reminder.status == State.PENDING
        Client.objects.filter(pk=cast.cleo.pk).update(email="cleo.new@example.test")
        clock.move_to(at, tick=False)
        deliver_due(worker="t")
        reminder.refresh_from_db()
        assert reminder.status == State.WITHDRAWN
        assert reminder.last_error == "Not sent: the client's address or number has changed since it was written."


def test_sending_a_text_again_is_refused_once_the_client_has_taken_back_their_agreement(
    client: HttpClient, cast: Cast
) -> None:
    with time_machine.travel(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False) as clock:
        reminder = _texted_reminder(cast, clock)
        assert reminder.status == State.SENT
        client.force_login(cast.ben_user)
        response = client.post(f"/staff/tidewater/clients/{cast.cleo.pk}/reminders/", {"channel": ReminderChannel.NONE})
        assert response.status_code == 302
        sms.outbox.clear()
        page = client.get(f"/staff/tidewater/outbox/{reminder.pk}/").content.decode()
        key = re.search(r'name="key" value="([^"]+)"', page)
        assert key is not None
        response = client.post(f"/staff/tidewater/outbox/{reminder.pk}/send-again/", {"key": key.group(1)}, follow=True)
        assert response.status_code == 200
        assert "withdrawn their agreement to text messages" in response.content.decode()
        assert not Message.objects.filter(resend_of=reminder).exists()
        deliver_due(worker="t")
        assert sms.outbox == []
