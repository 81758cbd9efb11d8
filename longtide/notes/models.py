"""Session notes (domain.md §4): one SOAP note per appointment, a draft until signed, then locked.

A signed note never changes: the model refuses (`NoteLocked`), and so does the database (triggers,
migration 0002: PostgreSQL and SQLite refuse UPDATE and DELETE of a signed row). Corrections are
addenda, new rows linked to the note, which are never changed either. Rules about who may write
are in longtide/practice/access.py; workflows (start, save, sign, add an addendum) in actions.py.
A student's signed note also waits for their supervisor's co-signature (NoteCosignature), a row of
its own that is never changed either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from longtide.clients.models import Client
from longtide.notes import fields, template
from longtide.notes.canonical import (
    HASH_FORMAT,
    HASH_FORMAT_FIELDS,
    HASH_FORMAT_LISTS,
    content_hash,
    cosignature_content,
)
from longtide.practice.models import Practice, Style
from longtide.scheduling.models import Appointment


class NoteLocked(Exception):
    """An attempt to change or remove a signed note (or any addendum) through the app."""


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class Position(models.TextChoices):
    SUPINE = "supine", _("Supine")
    SIDE_LYING = "side_lying", _("Side-lying")
    SEATED = "seated", _("Seated")
    PRONE = "prone", _("Prone")


class Guardian(models.TextChoices):
    NOT_A_MINOR = "not_a_minor", _("Not a minor")
    PRESENT = "present", _("Minor: guardian present")
    ABSENT = "absent", _("Minor: guardian not present")


# The fields a practitioner writes, in the order of the form and of the canonical content.
CONTENT_FIELDS = (
    "style",
    "session_number",
    "consent_confirmed",
    "areas_agreed",
    "clothed",
    "position",
    "guardian",
    "pelvic_diaphragm_consent",
    "intra_oral_consent",
    "subjective",
    "pain_nrs",
    "since_last",
    "objective",
    "impression_rhythm",
    "impression_restrictions",
    "impression_still_points",
    "mouth_opening_mm",
    "regions",
    "holds",
    "intra_oral_work",
    "bio_orientation",
    "bio_stillness",
    "bio_felt_sense",
    "bio_resourcing",
    "bio_closing_state",
    "client_response",
    "stopped",
    "stop_reason",
    "assessment",
    "plan",
)
# "Same as last time" copies these (the treatment section) from the client's last signed note.
TREATMENT_FIELDS = (
    "regions",
    "holds",
    "bio_orientation",
    "bio_stillness",
    "bio_felt_sense",
    "bio_resourcing",
    "bio_closing_state",
)


# How a note written with the shipped fields labels them when read (shorter than the form's).
READING_LABELS = {
    "pain_nrs": _("Pain today (client's rating)"),
    "since_last": _("Since the last visit"),
    "impression_rhythm": _("Rhythm"),
    "impression_restrictions": _("Restrictions"),
    "impression_still_points": _("Still points"),
    "mouth_opening_mm": _("Mouth opening (measured)"),
    "bio_orientation": _("Orientation"),
    "bio_stillness": _("Stillness or shift"),
    "bio_felt_sense": _("Client's felt sense"),
    "bio_resourcing": _("Resourcing"),
    "bio_closing_state": _("Closing state"),
    "client_response": _("Client's response"),
}


def _empty_list() -> list[str]:
    return []


class SessionNoteQuerySet(models.QuerySet["SessionNote"]):
    def for_practice(self, practice: Practice) -> SessionNoteQuerySet:
        return self.filter(practice=practice)

    def signed(self) -> SessionNoteQuerySet:
        return self.filter(status=NoteStatus.SIGNED)

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=NoteStatus.SIGNED).exists():
            raise NoteLocked("A signed note cannot be changed; add an addendum.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=NoteStatus.SIGNED).exists():
            raise NoteLocked("A signed note cannot be deleted.")
        return super().delete()


class NoteChecklist(models.Model):
    """One version of a practice's own note template (notes/checklists.py): its lists of contact
    regions and holds, and its fields (notes/fields.py; none: the shipped fields). Never changed: an
    edit of either is a new version, and each note points to the version it was written with."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="note_checklists")
    version = models.PositiveIntegerField()
    regions = models.JSONField()  # [[key, label], ...] in the order shown
    holds = models.JSONField()
    fields = models.JSONField(null=True, blank=True)  # fields.to_data(...) or None: the shipped fields
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["practice", "version"], name="one_checklist_per_version")]

    def __str__(self) -> str:
        return f"Note checklist v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise NoteLocked("A checklist version is never changed; publish a new one.")
        super().save(*args, **kwargs)

    @property
    def as_checklist(self) -> template.Checklist:
        return template.Checklist(
            template.PRACTICE_KEY,
            self.version,
            tuple(template.Item(key, label) for key, label in self.regions),
            tuple(template.Item(key, label) for key, label in self.holds),
        )


class SessionNote(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="session_notes")
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="session_note")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="session_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    template_key = models.CharField(max_length=40, default=template.TEMPLATE_KEY)
    template_version = models.PositiveIntegerField(default=template.TEMPLATE_VERSION)
    # The practice's own checklist version the note was written with (none: the shipped one).
    checklist = models.ForeignKey(NoteChecklist, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Bumped on every save of the draft: a save from a stale page (another tab) is caught.
    revision = models.PositiveIntegerField(default=0)
    # Which open page last saved the draft (a random id per page load): a page's own autosave and
    # its own later button press never conflict with each other, only with another tab or device.
    editor = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The session's date in the location's time zone, kept so that a late entry is judged against it.
    session_date = models.DateField()

    # Header.
    style = models.CharField(max_length=20, choices=Style.choices, blank=True)
    session_number = models.PositiveSmallIntegerField(default=1)
    # Consent check.
    consent_confirmed = models.BooleanField(_("Ongoing consent confirmed"), default=False)
    areas_agreed = models.CharField(_("Areas agreed"), max_length=300, blank=True)
    clothed = models.BooleanField(_("Client clothed"), default=True)
    position = models.CharField(max_length=20, choices=Position.choices, blank=True)
    guardian = models.CharField(max_length=20, choices=Guardian.choices, default=Guardian.NOT_A_MINOR)
    pelvic_diaphragm_consent = models.BooleanField(_("Consent to the pelvic diaphragm hold"), default=False)
    intra_oral_consent = models.BooleanField(_("Consent to intra-oral work"), default=False)
    # S.
    subjective = models.TextField(_("In the client's words"), blank=True)
    pain_nrs = models.PositiveSmallIntegerField(_("Pain today (0–10, client's rating)"), null=True, blank=True)
    since_last = models.TextField(_("Since the last visit"), blank=True)
    # O. Palpation findings are practitioner impressions, never measurements (domain.md §4).
    objective = models.TextField(_("Observations"), blank=True)
    impression_rhythm = models.TextField(_("Rhythm: rate, amplitude, symmetry"), blank=True)
    impression_restrictions = models.TextField(_("Restrictions"), blank=True)
    impression_still_points = models.TextField(_("Still points"), blank=True)
    mouth_opening_mm = models.PositiveSmallIntegerField(_("Mouth opening (mm)"), null=True, blank=True)
    # Treatment.
    regions = models.JSONField(default=_empty_list, blank=True)
    holds = models.JSONField(default=_empty_list, blank=True)
    intra_oral_work = models.BooleanField(_("Intra-oral work done"), default=False)
    bio_orientation = models.CharField(_("Orientation (e.g. mid-tide)"), max_length=200, blank=True)
    bio_stillness = models.TextField(_("Stillness or holistic shift"), blank=True)
    bio_felt_sense = models.TextField(_("Client's felt sense"), blank=True)
    bio_resourcing = models.TextField(_("Resourcing"), blank=True)
    bio_closing_state = models.TextField(_("Closing state"), blank=True)
    client_response = models.TextField(_("Client's response"), blank=True)
    stopped = models.BooleanField(_("Session stopped early"), default=False)
    stop_reason = models.TextField(_("Why it stopped"), blank=True)
    # A and P.
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    # The practice's extra fields (notes/fields.py), {key: text}; None on a note written with the
    # shipped fields (whose signed content has no such key).
    extra = models.JSONField(null=True, blank=True)

    # Signing.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=150, blank=True)
    signer_credential = models.CharField(max_length=200, blank=True)
    late_entry = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64, blank=True)
    # A student's note: their supervisor when they signed it, whose co-signature it awaits
    # (NoteCosignature). Set at signing, in the same write, and covered by the signature's hash.
    cosign_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosign_by_name = models.CharField(max_length=150, blank=True)
    # The hash format the note was signed in, when set at signing (HASH_FORMAT_LISTS: a note written
    # with a practice's own lists, signed since they are in the content); None for every note signed
    # before, whose format is read from what it was written with (v1, or v2 with own fields).
    signed_format = models.CharField(max_length=20, null=True, blank=True)

    # The status as last read from or written to the database (what the lock is judged on).
    _stored_status: str | None = None

    objects = SessionNoteQuerySet.as_manager()

    class Meta:
        ordering = ["session_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "signed"]), name="note_status_known"),
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True, signed_by__isnull=True, content_hash="")
                | (Q(status="signed", signed_at__isnull=False, signed_by__isnull=False) & ~Q(content_hash="")),
                name="note_signed_iff_signature",
            ),
            models.CheckConstraint(
                condition=Q(cosign_by__isnull=True) | Q(status="signed"), name="note_cosign_by_only_when_signed"
            ),
            models.CheckConstraint(condition=Q(pain_nrs__isnull=True) | Q(pain_nrs__lte=10), name="note_nrs_0_10"),
            models.CheckConstraint(
                condition=Q(mouth_opening_mm__isnull=True) | Q(mouth_opening_mm__lte=100), name="note_mouth_mm"
            ),
        ]
        indexes = [models.Index(fields=["practice", "client", "session_date"], name="note_client_date")]

    def __str__(self) -> str:
        return f"Note {self.pk} ({self.status}) for appointment {self.appointment_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.was_signed:
            raise NoteLocked("A signed note cannot be changed; add an addendum.")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.was_signed or self.is_signed:
            raise NoteLocked("A signed note cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> SessionNote:
        note = super().from_db(*args, **kwargs)
        note._stored_status = note.__dict__.get("status")
        return note

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    @property
    def was_signed(self) -> bool:
        """Whether the row as stored is signed (what the guards judge, not the unsaved status)."""
        return self._stored_status == NoteStatus.SIGNED

    def content(self) -> dict[str, object]:
        """What the signature covers: the written fields, whose note it is, and the signature."""
        written = {name: getattr(self, name) for name in CONTENT_FIELDS}
        return {
            **written,
            "note_id": self.pk,
            "practice_id": self.practice_id,
            "appointment_id": self.appointment_id,
            "client_id": self.client_id,
            "author_id": self.author_id,
            "template": f"{self.template_key}@{self.template_version}",
            "session_date": _iso(self.session_date),
            "signed_at": _iso(self.signed_at),
            "signed_by_id": self.signed_by_id,
            "signer_name": self.signer_name,
            "signer_credential": self.signer_credential,
            "late_entry": self.late_entry,
            # Only on a student's note, so every note signed before students existed keeps its hash.
            **({"cosign_by_id": self.cosign_by_id, "cosign_by_name": self.cosign_by_name} if self.cosign_by_id else {}),
            # Only on a note written with a practice's own fields (hash format v2): the exact spec it
            # was written with (its SHA-256) and its extra fields' values.
            **(
                {"fields_template": fields.spec_hash(self.field_spec), "extra": dict(self.extra or {})}
                if self.has_own_fields
                else {}
            ),
            # Only in format v3 (a practice's own lists): the ticked items' labels as the note's
            # version names them, so a version's rows changed by hand no longer match the hash.
            **(
                {"region_labels": self.region_labels, "hold_labels": self.hold_labels}
                if self.signed_format == HASH_FORMAT_LISTS
                else {}
            ),
        }

    @property
    def has_own_fields(self) -> bool:
        """Written with a practice's own fields (not the shipped ones)."""
        return bool(self.checklist_id) and self.checklist is not None and self.checklist.fields is not None

    @property
    def field_spec(self) -> tuple[fields.Field, ...]:
        """The fields this note was written with: its template version's, or the shipped ones."""
        if self.has_own_fields:
            assert self.checklist is not None and self.checklist.fields is not None
            return fields.from_data(self.checklist.fields)
        return fields.SHIPPED_FIELDS

    @property
    def hash_format(self) -> str:
        if self.signed_format:
            return self.signed_format
        return HASH_FORMAT_FIELDS if self.has_own_fields else HASH_FORMAT

    @property
    def labels(self) -> dict[str, str]:
        """Each field's label for reading the note: as its practice template names it, or the shipped
        reading labels."""
        if self.has_own_fields:
            return {f.key: f.label for f in self.field_spec}
        return {key: str(label) for key, label in READING_LABELS.items()}

    @property
    def extra_rows(self) -> dict[str, list[tuple[str, str]]]:
        """The extra fields filled in, by section: (label, value with its unit)."""
        rows: dict[str, list[tuple[str, str]]] = {key: [] for key in fields.SECTION_KEYS}
        values = self.extra or {}
        for f in self.field_spec:
            value = str(values.get(f.key) or "").strip() if f.is_extra else ""
            if value:
                measured = f"{value} {f.unit} {gettext(fields.MEASURED_MARK)}"
                rows[f.section].append((f.label, measured if f.kind == fields.NUMBER else value))
        return rows

    @property
    def needs_cosignature(self) -> bool:
        """A signed student note whose co-signature is still to come."""
        return self.is_signed and self.cosign_by_id is not None and not self.is_cosigned

    @property
    def is_cosigned(self) -> bool:
        try:
            return self.cosignature is not None
        except NoteCosignature.DoesNotExist:
            return False

    def compute_hash(self) -> str:
        return content_hash(self.content(), fmt=self.hash_format)

    def hash_matches(self) -> bool:
        return self.is_signed and self.compute_hash() == self.content_hash

    @property
    def checklist_items(self) -> template.Checklist:
        """The lists this note was written with (the practice's version, or the shipped ones)."""
        return self.checklist.as_checklist if self.checklist_id and self.checklist else template.SHIPPED

    @property
    def region_labels(self) -> list[str]:
        return template.labels(self.checklist_items.regions, list(self.regions or []))

    @property
    def hold_labels(self) -> list[str]:
        return template.labels(self.checklist_items.holds, list(self.holds or []))


class NoteAddendumQuerySet(models.QuerySet["NoteAddendum"]):
    def update(self, **kwargs: Any) -> int:
        raise NoteLocked("Addenda are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NoteLocked("Addenda are never deleted.")


class NoteAddendum(models.Model):
    """A correction or addition to a signed note: who, when, why and what. Never changed."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    author_credential = models.CharField(max_length=200, blank=True)
    written_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    text = models.TextField()
    content_hash = models.CharField(max_length=64)

    objects = NoteAddendumQuerySet.as_manager()

    class Meta:
        ordering = ["note", "written_at", "id"]
        verbose_name_plural = _("note addenda")
        constraints = [models.CheckConstraint(condition=~Q(reason="") & ~Q(text=""), name="addendum_says_why_and_what")]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NoteLocked("Addenda are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NoteLocked("Addenda are never deleted.")

    def content(self) -> dict[str, object]:
        return {
            "kind": "addendum",
            "note_id": self.note_id,
            "note_hash": self.note.content_hash,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "author_credential": self.author_credential,
            "written_at": _iso(self.written_at),
            "reason": self.reason,
            "text": self.text,
        }

    def compute_hash(self) -> str:
        return content_hash(self.content())


class NoteCosignatureQuerySet(models.QuerySet["NoteCosignature"]):
    def update(self, **kwargs: Any) -> int:
        raise NoteLocked("Co-signatures are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NoteLocked("Co-signatures are never deleted.")


class NoteCosignature(models.Model):
    """A supervisor's co-signature of a student's signed note: who, credential, when, and a SHA-256
    over the note's own hash, the co-signer and the time. One per note; never changed or removed
    (the model refuses, and so does the database: migration 0005)."""

    note = models.OneToOneField(SessionNote, on_delete=models.PROTECT, related_name="cosignature")
    cosigner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cosigner_name = models.CharField(max_length=150)
    cosigner_credential = models.CharField(max_length=200, blank=True)
    cosigned_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)

    objects = NoteCosignatureQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(content_hash=""), name="cosignature_has_hash")]

    def __str__(self) -> str:
        return f"Co-signature of note {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NoteLocked("Co-signatures are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NoteLocked("Co-signatures are never deleted.")

    def content(self) -> dict[str, object]:
        return cosignature_content(
            note_id=self.note_id,
            note_hash=self.note.content_hash,
            cosigner_id=self.cosigner_id,
            cosigner_name=self.cosigner_name,
            cosigner_credential=self.cosigner_credential,
            cosigned_at=_iso(self.cosigned_at),
        )

    def compute_hash(self) -> str:
        return content_hash(self.content())

    def hash_matches(self) -> bool:
        return self.compute_hash() == self.content_hash


def _iso(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value.isoformat() if value is not None else None
