"""Reminders before a visit, at the practice's offsets (48 and 24 hours by default).

The worker calls `plan_reminders` about once a minute. It creates the reminders that fall due
within the next hour (so a reminder exists a little before it is sent, and a missed minute loses
nothing); each has a dedupe key per visit, per time the visit is booked for and per offset, so
running it twice, or on two workers at once, creates each reminder once.

Rules:

- only booked visits that have not started; the reminder expires when the visit starts;
- one reminder per offset, sent at start − offset;
- a reminder that fell due before the client was given this time (`time_set_at`: the booking
  or the last move) is skipped: the confirmation or the move message has just told them;
- when several offsets are due at once (the worker was down), only the latest one is sent;
- a move withdraws the waiting reminders (booking_messages.queue_booking_message) and, as the
  dedupe key carries the visit's `sequence`, the new time gets reminders of its own; a
  cancellation withdraws them; and right before sending, the worker checks again that the visit
  is still booked, at the same time, and in the future (booking_messages.unwanted_because).

Settings changes (offsets, templates) apply to reminders planned after them; a reminder already
planned keeps what it says, written for the moment it is due (`send_after`: whether online changes
are still open then). The client's channel, agreement to texts and address are checked again right
before sending: a reminder that no longer goes where the client's record sends it is withdrawn.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction

from longtide.notifications.compose import Wording, wordings
from longtide.notifications.models import Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.practice.models import MAX_REMINDER_HOURS, Practice
from longtide.scheduling.booking_messages import new_message, reminder_key
from longtide.scheduling.message_texts import KINDS, Purpose
from longtide.scheduling.models import Appointment, Status

PLAN_AHEAD = timedelta(hours=1)


def due_offset(
    *, start: datetime, time_set_at: datetime, offsets: list[int], now: datetime, ahead: timedelta
) -> int | None:
    """Return the offset (hours) whose reminder should exist by now for a visit, or None.

    The latest offset due within `ahead` that fell due after the client was given the time.
    """
    if start <= now:
        return None
    due = [hours for hours in offsets if time_set_at < start - timedelta(hours=hours) <= now + ahead]
    return min(due) if due else None


def plan_reminders(now: datetime, *, ahead: timedelta = PLAN_AHEAD) -> int:
    """Create the reminders that fall due by `now + ahead`; return how many were created."""
    offsets = {
        practice.pk: practice.reminder_offsets
        for practice in Practice.objects.only("pk", "reminder_hours_first", "reminder_hours_second")
    }
    longest = max((o[0] for o in offsets.values() if o), default=0)
    if not longest:
        return 0
    upcoming = Appointment.objects.filter(
        status=Status.BOOKED, start__gt=now, start__lte=now + timedelta(hours=min(longest, MAX_REMINDER_HOURS)) + ahead
    ).values_list("pk", "practice_id", "start", "time_set_at", "sequence")
    wanted: dict[int, tuple[int, str]] = {}  # appointment → (offset, dedupe key)
    for pk, practice_id, start, time_set_at, sequence in upcoming:
        hours = due_offset(
            start=start, time_set_at=time_set_at, offsets=offsets.get(practice_id, []), now=now, ahead=ahead
        )
        if hours is not None:
            wanted[pk] = (hours, reminder_key(pk, sequence, hours))
    if not wanted:
        return 0
    existing = set(
        Message.objects.filter(dedupe_key__in=[key for _, key in wanted.values()]).values_list("dedupe_key", flat=True)
    )
    missing = {pk: hours for pk, (hours, key) in wanted.items() if key not in existing}
    if not missing:
        return 0
    visits = Appointment.objects.select_related("practice", "location", "service", "practitioner", "client").filter(
        pk__in=missing, status=Status.BOOKED
    )
    by_practice: dict[int, list[NewMessage]] = defaultdict(list)
    reminder_kinds = [kind for kind in KINDS if kind.purpose == Purpose.REMINDER]
    texts: dict[int, dict[str, Wording]] = {}
    for visit in visits:
        hours = missing[visit.pk]
        if visit.practice_id not in texts:
            texts[visit.practice_id] = wordings(visit.practice_id, reminder_kinds)
        message = new_message(
            visit,
            Purpose.REMINDER,
            now=now,
            wording=texts[visit.practice_id],
            send_after=visit.start - timedelta(hours=hours),
            expires_at=visit.start,
            offset_hours=hours,
        )
        if message is not None:
            by_practice[visit.practice_id].append(message)
    with transaction.atomic():
        for practice_id, messages in by_practice.items():
            queue(practice_id=practice_id, messages=messages)
    return sum(len(messages) for messages in by_practice.values())
