"""A visit held by an open EMERGENCY flag gets no reminder; once the flag is acknowledged it does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.intake import actions, status
from longtide.intake.models import Flag
from longtide.notifications.models import State
from tests.intake.test_intake_actions import ORIGIN, TODAY, _agree_all, _filled
from tests.scheduling.test_reminders import VISIT, book, clock, reminder_emails, reminders, run_worker_at

pytestmark = pytest.mark.django_db
__all__ = ["clock"]  # the fixture, used by name


def test_no_reminder_while_the_client_is_held_and_reminders_resume_after_review(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = book(cast)
    client = appointment.client
    actions.submit(_filled(client, "red_eye"), _agree_all(client), origin=ORIGIN, today=TODAY)
    assert status.summary(client).held

    run_worker_at(clock, VISIT - timedelta(hours=48))
    [held] = reminders()
    assert held.status == State.WITHDRAWN
    assert held.last_error == "Not sent: the visit is held until the practitioner has reviewed the client's answers."
    assert "red" not in held.last_error.lower() and reminder_emails() == []

    for flag in Flag.objects.filter(client=client).open():
        actions.acknowledge(
            flag,
            by=cast.ana_user,
            actor=Actor(cast.ana_user, "practitioner", ORIGIN),
            action="referred",
            note="Sent to emergency care; seen and cleared",
        )
    run_worker_at(clock, VISIT - timedelta(hours=24))
    assert [m.status for m in reminders()] == [State.WITHDRAWN, State.SENT]
    assert len(reminder_emails()) == 1
