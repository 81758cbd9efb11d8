"""Booking emails through the database queue and the worker (what production runs)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from longtide.scheduling.booking import ClientDetails, book_appointment, move_appointment
from longtide.scheduling.manage_links import find_by_token, token_for
from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WED_10 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def queued(settings):
    settings.TASKS = DATABASE_QUEUE
    with time_machine.travel(NOW, tick=False):
        yield


# The worker closes database connections between tasks, as a long-running process should; these
# tests therefore run outside a test transaction.
with_worker = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def book(cast, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=WED_10,
            client=ClientDetails("Cleo", "Park", "cleo@example.test"),
            note="migraines since March",
            **kw,
        )


@with_worker
def test_the_booking_queues_its_email_and_the_worker_sends_it(cast, django_capture_on_commit_callbacks) -> None:
    booked = book(cast, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("notify.send_booking_email")
    assert queued.args_kwargs["args"] == ["confirmation", booked.appointment.pk, 0]
    assert mail.outbox == []
    run_worker()
    assert len(mail.outbox) == 1
    assert f"/p/tidewater/manage/{booked.manage_token}/" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_queue_holds_no_address_token_or_note(cast, django_capture_on_commit_callbacks) -> None:
    booked = book(cast, django_capture_on_commit_callbacks)
    stored = str(DBTaskResult.objects.values_list("args_kwargs", flat=True).get())
    for secret in ["cleo@example.test", booked.manage_token, "migraines"]:
        assert secret not in stored


@with_worker
def test_a_staff_move_email_carries_the_manage_link(cast, django_capture_on_commit_callbacks) -> None:
    booked = book(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        move_appointment(appointment=booked.appointment, start=WED_10 + timedelta(hours=2), by_client=False)
    run_worker()
    moved = [m for m in mail.outbox if "has moved" in m.subject]
    assert len(moved) == 1
    assert f"/p/tidewater/manage/{booked.manage_token}/" in moved[0].body


@with_worker
def test_a_failing_mail_server_means_a_later_retry_not_a_lost_email(
    cast, django_capture_on_commit_callbacks, settings
) -> None:
    book(cast, django_capture_on_commit_callbacks)
    # Nothing listens on port 1 of loopback: the connection is refused at once.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    run_worker()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"][2] == 1
    assert retry.run_after >= NOW + timedelta(minutes=1)


def test_the_manage_token_is_derived_not_stored(cast, django_capture_on_commit_callbacks) -> None:
    booked = book(cast, django_capture_on_commit_callbacks)
    row = Appointment.objects.filter(pk=booked.appointment.pk).values().get()
    assert booked.manage_token not in str(row)
    assert token_for(booked.appointment) == booked.manage_token
    assert find_by_token(booked.manage_token) == booked.appointment


def test_after_a_secret_key_rotation_old_links_work_but_are_not_reissued(
    cast, django_capture_on_commit_callbacks, settings
) -> None:
    booked = book(cast, django_capture_on_commit_callbacks)
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789abcdef"
    assert find_by_token(booked.manage_token) == booked.appointment
    assert token_for(booked.appointment) is None


def test_an_idempotent_retry_returns_the_same_manage_token(cast, django_capture_on_commit_callbacks) -> None:
    first = book(cast, django_capture_on_commit_callbacks, idempotency_key="k-7")
    again = book(cast, django_capture_on_commit_callbacks, idempotency_key="k-7")
    assert again.created is False
    assert again.manage_token == first.manage_token
