"""The outbox: every message a practice sends, one row each, written before it is sent.

A message is created in the same transaction as whatever caused it (a booking, a move, a planner
run), so the cause and its message commit together or not at all. The worker then claims it with
a conditional update and sends it through a transport (email or SMS). Rows are never edited into
another message: a resend is a new row pointing at the old one.

This package knows channels and delivery, not bookings: `purpose` and `about` are opaque strings
chosen by the code that asks for a message (e.g. purpose "booking.reminder", about
"appointment:42"), and link placeholders in the bodies are filled at send time by that code's
subject hooks (longtide/notifications/subjects.py), so that no token is stored here.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def new_uid() -> str:
    """Return a random id for a message's stable Message-ID header."""
    return secrets.token_hex(16)


class MessageQuerySet(models.QuerySet["Message"]):
    def for_practice(self, practice_id: int) -> MessageQuerySet:
        return self.filter(practice_id=practice_id)

    def claimable(self, now: datetime) -> MessageQuerySet:
        """Messages a worker may claim now: due and waiting, or held by a worker whose lease ran out."""
        return self.filter(claimable_q(now))


def claimable_q(now: datetime) -> Q:
    return Q(status=State.PENDING, send_after__lte=now) | Q(status=State.SENDING, lease_until__lt=now)


class Message(models.Model):
    # Indexed by message_about and message_outbox_page, which lead with it.
    practice = models.ForeignKey("practice.Practice", on_delete=models.CASCADE, related_name="+", db_index=False)
    purpose = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # An email address or an E.164 phone number. Never written to a log line.
    recipient = models.CharField(max_length=254)
    # What the message is about, e.g. "appointment:42": used to withdraw it and to ask, at send time,
    # whether it is still wanted (subjects.py). Opaque here.
    about = models.CharField(max_length=80, blank=True)
    # Unique per practice: asking for the same message twice creates it once.
    dedupe_key = models.CharField(max_length=160)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": ..., "mimetype": ..., "content": <text>}], e.g. the appointment's .ics.
    attachments = models.JSONField(default=list, blank=True)
    # True while the subject, bodies and attachments are still to be written: the worker asks the
    # subject's hooks to compose them right before the first send (subjects.py `compose`) and
    # stores them here, so that a busy request only inserts the row (an online booking's request
    # to confirm). False for messages composed when they were queued.
    compose_at_send = models.BooleanField(default=False)
    reply_to = models.CharField(max_length=254, blank=True)
    send_after = models.DateTimeField()
    # Never sent at or after this time (a reminder expires when the visit starts).
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The same for every attempt at this message (its Message-ID), so a copy sent twice after a
    # crash is recognisable as one message; a resend is a new row with a new uid.
    uid = models.CharField(max_length=32, default=new_uid, unique=True)
    # The provider's id for a sent SMS.
    provider_id = models.CharField(max_length=64, blank=True)
    # Both indexed only where set (message_resend_of, message_created_by): most messages have neither.
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "dedupe_key"], name="one_message_per_dedupe_key"),
            models.CheckConstraint(condition=Q(status__in=State.values), name="message_status_known"),
            models.CheckConstraint(
                condition=~Q(status=State.SENDING) | Q(lease_until__isnull=False), name="message_sending_has_lease"
            ),
        ]
        indexes = [
            # What the worker polls: due messages, and claims whose lease may have run out.
            models.Index(fields=["send_after"], condition=Q(status=State.PENDING), name="message_due"),
            models.Index(fields=["lease_until"], condition=Q(status=State.SENDING), name="message_leased"),
            models.Index(fields=["practice", "-created_at"], name="message_outbox_page"),
            models.Index(fields=["practice", "about"], name="message_about"),
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="message_created_by"),
            models.Index(fields=["resend_of"], condition=Q(resend_of__isnull=False), name="message_resend_of"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.purpose}, {self.channel}, {self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in (State.SENT, State.FAILED, State.WITHDRAWN)

    @classmethod
    def claim(cls, pk: int, *, worker: str, now: datetime, lease: timedelta) -> bool:
        """Claim one message for this worker: a compare-and-set, so two workers never both win.

        The row changes only if it is still claimable (waiting and due, or held by a worker whose
        lease ran out); the update's row count says who won.
        """
        won = cls.objects.filter(claimable_q(now), pk=pk).update(
            status=State.SENDING,
            claimed_by=worker,
            claimed_at=now,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
        return won == 1

    def finish(
        self,
        *,
        worker: str,
        status: State,
        now: datetime,
        error: str = "",
        retry_at: datetime | None = None,
        provider_id: str = "",
    ) -> bool:
        """Record how this worker's attempt ended; False when the claim was lost (the lease ran out
        and another worker took the message over), in which case nothing is written."""
        fields: dict[str, object] = {
            "status": status,
            "last_error": error[:300],
            "claimed_by": "",
            "lease_until": None,
        }
        if status == State.SENT:
            fields |= {"sent_at": now, "provider_id": provider_id[:64]}
        if retry_at is not None:
            fields["send_after"] = retry_at
        done = Message.objects.filter(pk=self.pk, status=State.SENDING, claimed_by=worker).update(**fields)
        if done:
            for name, value in fields.items():
                setattr(self, name, value)
        return done == 1


class MessageTemplate(models.Model):
    """A practice's own wording for one kind of message on one channel (the defaults live in code).

    Bodies use the tiny `{{ field }}` language of template_language.py and nothing else.
    """

    practice = models.ForeignKey("practice.Practice", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=5000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "purpose", "channel"], name="one_template_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.channel})"


class SmsOptOut(models.Model):
    """A phone number that replied STOP: no text message goes to it until it replies START.

    Kept per number, not per client: carriers and providers honour opt-outs per number, one
    number may belong to client records in several practices, and a client who changes number
    is not opted out on the new one. One sender number per deployment (SMS_URL), so one list.
    """

    number = models.CharField(max_length=20, unique=True, help_text=_("E.164, e.g. +12075550142"))
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "opted-out number"
