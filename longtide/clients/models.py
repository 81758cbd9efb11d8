"""Clients of a practice. One client record per practice per email address."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Replace
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Practice


class ClientQuerySet(models.QuerySet["Client"]):
    def for_practice(self, practice: Practice) -> ClientQuerySet:
        return self.filter(practice=practice)

    def current(self) -> ClientQuerySet:
        """Records in use: not merged into another record of the same person (records/merge.py)."""
        return self.filter(merged_into__isnull=True)

    def with_email(self, practice: Practice, email: str) -> ClientQuerySet:
        """The practice's client with this address, ignoring case (through the lower(email) index;
        `email__iexact` would compare with UPPER(...) LIKE and scan the table)."""
        return self.alias(email_lower=Lower("email")).filter(practice=practice, email_lower=email.lower())


def _digits_of(field: str) -> Replace:
    """A database expression: the field without the separators the phone rule allows."""
    expression: models.Expression | models.F = models.F(field)
    for separator in (" ", "+", "(", ")", ".", "/", "-"):
        expression = Replace(expression, models.Value(separator), models.Value(""))
    assert isinstance(expression, Replace)
    return expression


class ReminderChannel(models.TextChoices):
    """How a client wants reminders and after-session check-ins."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    NONE = "none", _("No reminders")


class Client(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    # Optional: staff may book a client who has only a phone (clients/contact.py: one of the two).
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The phone number's digits only, kept by the database, so that the client list finds "207 555"
    # in "(207) 555-0100" through an index. contact.PHONE allows no other characters than these.
    phone_digits = models.GeneratedField(
        expression=_digits_of("phone"), output_field=models.CharField(max_length=40), db_persist=True
    )
    # Reminders and check-ins go by this channel. Email is the default (appointment reminders are
    # part of the care the client booked); text messages also need sms_consent_at, because texts
    # need the client's explicit agreement, and stop when the number replies STOP
    # (notifications.SmsOptOut). A client with no usable channel gets no reminders.
    reminder_channel = models.CharField(max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL)
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the client agreed to receive text messages from the practice.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the client's contact details were erased at their request (records/erasure.py); the
    # clinical record stays, restricted, until its retention date.
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into the record kept for the same person (records/merge.py): it stays as a
    # pointer (the audit trail and signed notes may name it), out of the list and searches.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "practice", condition=~Q(email=""), name="one_client_per_email_per_practice"
            ),
        ]
        # The client list's order. Prefix searches on names, email and phone digits have their own
        # indexes on PostgreSQL (migration 0004: pattern operator classes, which SQLite has not).
        indexes = [models.Index(fields=["practice", "last_name", "first_name", "id"], name="client_list_order")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def stays_erased(self) -> bool:
        """Their contact details were erased on request and none given since: nothing new is sent
        or made for them to open (records/erasure.py voids their links)."""
        return self.contact_erased_at is not None and not self.email and not self.phone

    @property
    def in_use(self) -> Client:
        """The record in use for this person: this one, or the one it was merged into."""
        return self.merged_into if self.merged_into_id and self.merged_into else self

    @property
    def reminders_label(self) -> str:
        """How reminders actually reach the client, for staff pages: the chosen channel only when it
        can carry them (a phone-only client left on the default "email" gets none, and says so)."""
        if self.reminder_channel == ReminderChannel.EMAIL and not self.email:
            return str(_("None: no email address (add one, or text messages with the client's agreement)"))
        if self.reminder_channel == ReminderChannel.SMS and not (self.phone and self.sms_consent_at):
            return str(_("None: texts chosen, but no phone number or no recorded agreement to texts"))
        return str(self.get_reminder_channel_display())
