"""Intake, consent and safety flags (docs/intake.md).

- `FormVersion`: a practice's form as data (its own questions and screen items on top of the
  shipped ones); answers are stored against the version they answered.
- `Intake`: one client's answers, a draft saved step by step until submitted. The client's current
  intake is their latest submitted one; "anything new?" → "yes" opens a new one.
- `Flag`: what the screen raised, with the practitioner's acknowledgement (who, when, what was done).
- `ConsentDocument` / `Signature`: versioned documents bound to the SHA-256 of their text; a
  signature is immutable.
- `IntakeLink`: the client's private link (token derived from a nonce, stored as its hash, expiring).
- `IntakeSettings`: the practice's emergency number and crisis line, shown to clients.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from longtide.clients.models import Client
from longtide.intake.consent_texts import Kind
from longtide.intake.screening import Level
from longtide.practice.models import Practice


class IntakeSettings(models.Model):
    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="intake_settings")
    emergency_number = models.CharField(
        max_length=40, default="911", help_text=_("The local emergency number clients are told to call.")
    )
    crisis_line = models.CharField(
        max_length=200,
        default="988 (call or text, Suicide & Crisis Lifeline)",
        help_text=_("Where someone with thoughts of self-harm can talk to someone today."),
    )

    def __str__(self) -> str:
        return f"Intake settings of {self.practice}"


class FormVersion(models.Model):
    """A practice's intake form, one row per version: its own questions and screen items as JSON
    (`form.Definition.build`). Versions are never edited once an intake has answered them."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="intake_forms")
    number = models.PositiveIntegerField()
    shipped_version = models.CharField(max_length=20)
    definition = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "-number"]
        constraints = [models.UniqueConstraint(fields=["practice", "number"], name="one_intake_form_number")]

    def __str__(self) -> str:
        return f"{self.practice} intake form v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.shipped_version}-p{self.number}"


class IntakeStatus(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted")


class Intake(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="intakes")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    form = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.DRAFT)
    # Answers by step key: {"about": {...}, "reasons": {...}, "health": {...}, "screen": {...}}.
    answers = models.JSONField(default=dict, blank=True)
    # What the client typed on a step that did not pass its checks (kept so nothing is lost).
    typed = models.JSONField(default=dict, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("The screen's highest flag level."))
    signer = models.CharField(max_length=10, blank=True, help_text=_("client or guardian"))
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when the client said "yes, something is new": the screen must be answered again.
    reopened_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(status="draft"), name="one_draft_intake_per_client"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="submitted_intake_has_time"
            ),
        ]
        indexes = [models.Index(fields=["client", "status", "-submitted_at"], name="intake_client_current")]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.status})"

    @property
    def level_enum(self) -> Level | None:
        return Level(self.level) if self.level else None


class FlagAction(models.TextChoices):
    REFERRED = "referred", _("Referred (to a doctor or emergency care)")
    CLEARANCE = "clearance", _("Medical clearance received")
    MODIFIED = "modified", _("Technique modified")
    DECLINED = "declined", _("Declined to treat")


class FlagLevel(models.IntegerChoices):
    PRECAUTION = Level.PRECAUTION, _("Precaution")
    REFER = Level.REFER, _("Refer")
    EMERGENCY = Level.EMERGENCY, _("Emergency")


class FlagQuerySet(models.QuerySet["Flag"]):
    def open(self) -> FlagQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class Flag(models.Model):
    """A raised flag. Acknowledging it records who, when, what was done; it is then closed for good."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="intake_flags")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intake_flags")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="flags")
    item_key = models.CharField(max_length=50)
    level = models.PositiveSmallIntegerField(choices=FlagLevel.choices)
    staff_label = models.CharField(max_length=200)
    urgent = models.BooleanField(default=False)
    crisis = models.BooleanField(default=False)
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=12, choices=FlagAction.choices, blank=True)
    action_note = models.TextField(blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-level", "raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "item_key"], name="one_flag_per_item_per_intake"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, action="")
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False) & ~Q(action=""),
                name="flag_acknowledged_completely",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "client"], condition=Q(acknowledged_at__isnull=True), name="flag_open_by_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.staff_label}"

    @property
    def level_enum(self) -> Level:
        return Level(self.level)


class ConsentDocument(models.Model):
    """One version of one consent document; its text never changes once published (sign against hash)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="consent_documents")
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in Kind])
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    agree_label = models.CharField(max_length=300)
    text_sha256 = models.CharField(max_length=64)
    required = models.BooleanField(default=False)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["practice", "kind", "version"], name="one_consent_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ImmutableError(RuntimeError):
    """A signature was about to be changed or deleted."""


class Signer(models.TextChoices):
    CLIENT = "client", _("The client")
    GUARDIAN = "guardian", _("Parent or guardian")


class Signature(models.Model):
    """A client's answer to one consent document. Append-only: a new answer is a new row."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consent_signatures")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="signatures")
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    agreed = models.BooleanField()
    typed_name = models.CharField(max_length=200)
    signer = models.CharField(max_length=10, choices=Signer.choices, default=Signer.CLIENT)
    guardian_relationship = models.CharField(max_length=100, blank=True)
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["client", "document"], name="signature_client_document")]

    def __str__(self) -> str:
        return f"{'Agreed' if self.agreed else 'Declined'}: {self.document} ({self.signed_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("A signature cannot be changed; record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("A signature cannot be deleted.")


class IntakeLink(models.Model):
    """The client's private link to their intake: the token is HMAC(SECRET_KEY, nonce), the database
    keeps the nonce and the token's hash (links.py). A new link voids the client's older ones."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intake_links")
    nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Intake link for client {self.client_id}"


class VisitCheck(models.Model):
    """The client's answer to "anything new since last time?" before a later visit. "Yes" opens a new
    intake whose safety screen must be answered again."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="visit_checks")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT, related_name="intake_checks")
    anything_new = models.BooleanField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [models.UniqueConstraint(fields=["appointment"], name="one_visit_check_per_appointment")]

    def __str__(self) -> str:
        return f"Visit check for appointment {self.appointment_id}"
