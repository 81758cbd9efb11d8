"""Claims: a compare-and-set on the row, a lease that runs out when a worker dies, and workers
racing over one outbox without sending anything twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction

from conftest import Cast
from longtide.notifications.delivery import deliver_due, lease
from longtide.notifications.models import Channel, Message, State
from longtide.notifications.outbox import NewMessage, queue, withdraw

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def new(key: str, **fields: Any) -> NewMessage:
    values: dict[str, Any] = {
        "purpose": "test.note",
        "channel": Channel.EMAIL,
        "recipient": "cleo@example.test",
        "dedupe_key": key,
        "body_text": "Hello.",
        "subject": "Hello",
        "send_after": NOW,
    }
    values.update(fields)
    return NewMessage(**values)


@pytest.fixture
def one_message(cast: Cast) -> Message:
    with transaction.atomic():
        queue(practice_id=cast.tidewater.pk, messages=[new("k1")])
    return Message.objects.get()


@pytest.mark.django_db
def test_asking_twice_for_one_message_creates_it_once(cast: Cast) -> None:
    with transaction.atomic():
        queue(practice_id=cast.tidewater.pk, messages=[new("same"), new("same", body_text="Other")])
        queue(practice_id=cast.tidewater.pk, messages=[new("same")])
    assert Message.objects.count() == 1
    # Keys are per practice.
    with transaction.atomic():
        queue(practice_id=cast.harbour.pk, messages=[new("same")])
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_only_one_of_two_claims_wins(one_message: Message) -> None:
    assert Message.claim(one_message.pk, worker="a", now=NOW, lease=lease())
    assert not Message.claim(one_message.pk, worker="b", now=NOW, lease=lease())
    one_message.refresh_from_db()
    assert (one_message.status, one_message.claimed_by, one_message.attempts) == (State.SENDING, "a", 1)
    assert one_message.lease_until == NOW + lease()


@pytest.mark.django_db
def test_a_message_not_yet_due_cannot_be_claimed(cast: Cast) -> None:
    with transaction.atomic():
        queue(practice_id=cast.tidewater.pk, messages=[new("later", send_after=NOW + timedelta(minutes=5))])
    message = Message.objects.get()
    assert not Message.claim(message.pk, worker="a", now=NOW, lease=lease())
    assert Message.claim(message.pk, worker="a", now=NOW + timedelta(minutes=5), lease=lease())


@pytest.mark.django_db
def test_a_dead_workers_claim_is_taken_over_after_its_lease(one_message: Message) -> None:
    assert Message.claim(one_message.pk, worker="dead", now=NOW, lease=lease())
    just_before = NOW + lease() - timedelta(seconds=1)
    assert not Message.claim(one_message.pk, worker="b", now=just_before, lease=lease())
    after = NOW + lease() + timedelta(seconds=1)
    assert Message.claim(one_message.pk, worker="b", now=after, lease=lease())
    one_message.refresh_from_db()
    assert (one_message.claimed_by, one_message.attempts) == ("b", 2)
    # The first worker, woken late, cannot overwrite what the second one records.
    assert not one_message.finish(worker="dead", status=State.SENT, now=after)
    assert one_message.finish(worker="b", status=State.SENT, now=after)
    one_message.refresh_from_db()
    assert one_message.status == State.SENT


@pytest.mark.django_db
def test_withdrawing_leaves_messages_in_flight_and_sent_ones_alone(cast: Cast) -> None:
    with transaction.atomic():
        queue(
            practice_id=cast.tidewater.pk,
            messages=[new(f"k{i}", about="appointment:7", purpose="booking.reminder") for i in range(3)],
        )
    first, second, third = Message.objects.order_by("dedupe_key")
    Message.claim(first.pk, worker="a", now=NOW, lease=lease())
    Message.objects.filter(pk=second.pk).update(status=State.SENT)
    assert (
        withdraw(practice_id=cast.tidewater.pk, about="appointment:7", purposes=["booking.reminder"], reason="x") == 1
    )
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {first.pk: State.SENDING, second.pk: State.SENT, third.pk: State.WITHDRAWN}


@pytest.mark.django_db(transaction=True)
def test_workers_racing_over_the_outbox_send_each_message_once(cast: Cast) -> None:
    """Four workers in threads, each with its own database connection, over 40 due messages."""
    with transaction.atomic():
        queue(practice_id=cast.tidewater.pk, messages=[new(f"race-{i}", subject=f"m{i}") for i in range(40)])
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            while deliver_due(worker=name, limit=5).claimed:
                pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"m{i}" for i in range(40))
    assert set(Message.objects.values_list("status", "attempts")) == {(State.SENT, 1)}
