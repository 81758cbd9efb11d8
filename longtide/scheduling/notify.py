"""Booking emails as background tasks: queued when the booking's transaction commits, sent by the
worker (`longtide worker`) in production, or right away with the immediate backend.

The queue holds only the email's kind, the appointment's id and an attempt count — no address,
no text, no token: the worker reads the appointment and derives the manage link itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from longtide.notifications import booking_emails
from longtide.scheduling.manage_links import manage_url, token_for
from longtide.scheduling.models import Appointment

log = logging.getLogger(__name__)

KINDS = ("confirmation", "rescheduled", "cancelled")
# Back-off between tries when the mail server fails: 1, 5, 30 minutes, 2 and 6 hours.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 30, 120, 360)]


def queue_booking_email(kind: str, appointment: Appointment) -> None:
    """Queue the email about this appointment for when the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown booking email {kind!r}")
    appointment_id = appointment.pk
    transaction.on_commit(lambda: send_booking_email.enqueue(kind, appointment_id, 0))


@task()
def send_booking_email(kind: str, appointment_id: int, attempt: int) -> None:
    """Send one booking email; on a mail failure, queue another try later (safe to run twice:
    a second run sends a second copy, never a wrong one)."""
    appointment = (
        Appointment.objects.select_related("practice", "location", "service", "practitioner", "client")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return
    token = token_for(appointment)
    link = manage_url(appointment.practice, token) if token else None
    try:
        if kind == "confirmation":
            booking_emails.send_booking_confirmation(appointment, link or "")
        elif kind == "rescheduled":
            booking_emails.send_booking_rescheduled(appointment, link)
        else:
            booking_emails.send_booking_cancelled(appointment)
    except Exception:
        # The booking stands whatever the mail server does; the email is retried, then given up.
        if attempt < len(RETRY_DELAYS):
            log.warning("the %s email for appointment %s failed; retrying", kind, appointment_id, exc_info=True)
            later = send_booking_email.using(run_after=timezone.now() + RETRY_DELAYS[attempt])
            later.enqueue(kind, appointment_id, attempt + 1)
        else:
            log.exception("gave up on the %s email for appointment %s", kind, appointment_id)
