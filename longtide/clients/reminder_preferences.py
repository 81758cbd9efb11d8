"""How a client wants reminders and after-session check-ins: by email, by text message, or not at all.

Texts need the client's recorded agreement (`sms_consent_at`, the moment staff ticked that the
client agreed) and a number that reads as a valid phone number in the practice's country. Taking
the agreement back (unticking) clears it, and then no texts go: not even those already waiting
in the outbox, which are checked right before sending (scheduling.booking_messages.unwanted_because).
A number that replied STOP gets no texts whatever is recorded here (notifications.SmsOptOut).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from longtide.clients.models import Client, ReminderChannel
from longtide.notifications.phone import e164


class PreferenceRefused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def set_reminder_preference(
    *, client: Client, channel: ReminderChannel, sms_consent: bool, region: str, now: datetime
) -> Client:
    """Record the client's channel for reminders and whether they agreed to text messages."""
    if channel == ReminderChannel.EMAIL and not client.email:
        raise PreferenceRefused("channel", _("This client has no email address. Choose text messages or none."))
    if channel == ReminderChannel.SMS:
        if e164(client.phone, region) is None:
            raise PreferenceRefused(
                "channel",
                _("Add the client's mobile number first: the number on file is not a phone number we can text."),
            )
        if not sms_consent:
            raise PreferenceRefused(
                "sms_consent", _("Texts need the client's agreement: tick the box once they gave it.")
            )
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        locked.reminder_channel = channel
        if sms_consent and locked.sms_consent_at is None:
            locked.sms_consent_at = now
        elif not sms_consent:
            locked.sms_consent_at = None
        locked.save(update_fields=["reminder_channel", "sms_consent_at"])
    client.reminder_channel, client.sms_consent_at = locked.reminder_channel, locked.sms_consent_at
    return client
