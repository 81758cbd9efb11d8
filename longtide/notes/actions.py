"""Workflows of a session note: start, save the draft, sign, add an addendum, and record reads.

Each runs in one transaction with its audit row (longtide/audit/trail.py). Who may call them is
decided by the caller through longtide/practice/access.py (may_write_note, may_add_addendum,
chart_access); the rules about the note itself (when it may start, what signing needs, that a
signed note never changes) are here and on the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.clients.models import Client
from longtide.lib.formats import Formats
from longtide.notes import checklists, template
from longtide.notes.canonical import HASH_FORMAT_LISTS
from longtide.notes.models import TREATMENT_FIELDS, NoteAddendum, NoteCosignature, NoteStatus, SessionNote
from longtide.practice.access import supervisor_of
from longtide.practice.models import Practitioner
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.history import record as record_change
from longtide.scheduling.models import Appointment, EventKind, Status

NOTE_OBJECT = "session_note"
ADDENDUM_OBJECT = "note_addendum"
COSIGNATURE_OBJECT = "note_cosignature"
# A note belongs to a session that happened or is happening: booked (and started) or completed.
NOTE_APPOINTMENT_STATUSES = (Status.BOOKED, Status.COMPLETED)
REASON_MAX = 300
TEXT_MAX = 20_000


class NoteError(Exception):
    """A note action that cannot go ahead; `message` is for the person, `fields` name what to fix."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


class NoteConflict(NoteError):
    """The draft was saved elsewhere (another tab or device) since this page loaded it."""

    def __init__(self, current_revision: int) -> None:
        super().__init__(
            "This draft was saved from another tab or device since you opened it. What you typed is "
            "kept below; saving again replaces the other version with it."
        )
        self.current_revision = current_revision


def why_no_note(appointment: Appointment, now: datetime) -> str | None:
    """Why the appointment cannot have a note started now, or None when it can."""
    if appointment.status not in NOTE_APPOINTMENT_STATUSES:
        return _("This appointment is %(status)s: there is no session to write up.") % {
            "status": appointment.get_status_display().lower()
        }
    if appointment.start > now:
        return _("A note can be started once the session has begun.")
    return None


def last_signed_note(appointment: Appointment) -> SessionNote | None:
    """The client's last signed note before this session (any practitioner of the practice)."""
    return (
        SessionNote.objects.signed()
        .filter(practice_id=appointment.practice_id, client_id=appointment.client_id)
        .filter(appointment__start__lt=appointment.start)
        .select_related("appointment")
        .order_by("-appointment__start")
        .first()
    )


DEFAULT_FORMATS = Formats()


def subjective_start(known: Sequence[str], last: SessionNote | None, formats: Formats = DEFAULT_FORMATS) -> str:
    """The Subjective's starting text: what the caller knows from the intake (`known`: main concern,
    goals, the "anything new?" answer, flags still open) and the last signed note's plan, its date
    in the practice's locale."""
    lines = [line for line in known if line.strip()]
    if last is not None and last.plan.strip():
        lines.append(f"Last note's plan ({formats.date(last.session_date, 'j M Y')}): {last.plan.strip()}")
    return "\n".join(lines)


def start_note(
    appointment: Appointment,
    *,
    by: Actor,
    now: datetime,
    same_as_last: bool = False,
    known: Sequence[str] = (),
) -> SessionNote:
    """Open the draft note of an appointment (or return the one already open: a double submit).

    The Subjective starts from `known` (lines the caller has from the intake, which notes do not
    import) and the last signed note's plan, for the practitioner to edit."""
    if by.user is None:
        raise NoteError(_("Sign in to write a note."))
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update().select_related("practitioner", "location").get(pk=appointment.pk)
        )
        existing = SessionNote.objects.filter(appointment=locked).first()
        if existing is not None:
            return existing
        if reason := why_no_note(locked, now):
            raise NoteError(reason)
        earlier = Appointment.objects.filter(
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            status__in=NOTE_APPOINTMENT_STATUSES,
            start__lt=locked.start,
        ).count()
        note = SessionNote(
            practice_id=locked.practice_id,
            appointment=locked,
            client_id=locked.client_id,
            author=by.user,  # type: ignore[misc]  # a signed-in User
            session_date=locked.start.astimezone(locked.location.zone).date(),
            session_number=earlier + 1,
            style=locked.practitioner.style,
        )
        own_lists = checklists.latest(locked.practice)
        if own_lists is not None:
            note.checklist = own_lists
            note.template_key, note.template_version = template.PRACTICE_KEY, own_lists.version
        copied = ""
        last = last_signed_note(locked)
        note.subjective = subjective_start(known, last, locked.practice.formats)
        if same_as_last and last is not None:
            shown = {field.key for field in note.field_spec if field.shown}
            for name in TREATMENT_FIELDS:
                if name in ("regions", "holds") or name in shown:  # not a field this template hides
                    setattr(note, name, getattr(last, name))
            copied = f"treatment copied from note {last.pk}"
        note.save()
        record(
            by=by,
            action=Action.CREATE,
            object_type=NOTE_OBJECT,
            object_id=note.pk,
            practice_id=note.practice_id,
            client_id=note.client_id,
            detail=copied,
        )
    return note


def _in_template_order(keys: list[str], items: tuple[template.Item, ...]) -> list[str]:
    chosen = set(keys)
    return [item.key for item in items if item.key in chosen]


def save_draft(
    note: SessionNote,
    changes: Mapping[str, Any],
    *,
    revision: int | None,
    by: Actor,
    editor: str = "",
    submitted: bool = False,
) -> SessionNote:
    """Save the draft's fields. Refused once signed; `revision` (the one the page loaded) catches a
    save from a stale page, unless that page (`editor`) made the last save itself (its autosave was
    still on its way back when the button was pressed). `submitted`: the page's own submission (its
    "Save draft" button); a request that page sent before it and that arrives after it is refused
    like a stale page's. Returns the saved note (revision bumped)."""
    with transaction.atomic():
        locked = SessionNote.objects.select_for_update().get(pk=note.pk)
        if locked.is_signed:
            raise NoteError(_("This note is signed and can no longer be changed. Add an addendum instead."))
        _save_locked(locked, changes, revision=revision, by=by, editor=editor, submitted=submitted)
    return locked


def _save_locked(
    locked: SessionNote, changes: Mapping[str, Any], *, revision: int | None, by: Actor, editor: str, submitted: bool
) -> None:
    """save_draft's work on the draft its caller has locked (select_for_update), in its transaction.

    A page's saves carry the revision it holds: its last save's answer (the stored revision), or,
    while that answer is on its way back, the revision before it (each save bumps it by one; the
    page's autosaves go one at a time). So a save from the editor of the last save may carry the
    revision before the stored one, never an older one (a request older than the page's last save).
    A submitted save (a button) clears `editor`: whatever arrives from that page after it was sent
    before it, and must not overwrite it."""
    own_last_save = bool(editor) and editor == locked.editor and revision == locked.revision - 1
    if revision is not None and revision != locked.revision and not own_last_save:
        raise NoteConflict(locked.revision)
    locked.editor = "" if submitted else editor
    for name, value in changes.items():
        setattr(locked, name, value)
    lists = locked.checklist_items
    locked.regions = _in_template_order(list(locked.regions or []), lists.regions)
    locked.holds = _in_template_order(list(locked.holds or []), lists.holds)
    locked.revision += 1
    locked.save()
    record(
        by=by,
        action=Action.CHANGE,
        object_type=NOTE_OBJECT,
        object_id=locked.pk,
        practice_id=locked.practice_id,
        client_id=locked.client_id,
        detail=f"draft revision {locked.revision}",
    )


# The note's separate consent ticks and the kind of signed consent each needs on file (the kinds of
# longtide.intake.consent_texts.Kind; notes may not import intake, so the caller passes what the
# client has agreed to, and a test checks these names against Kind).
# Signing marks a still-booked session completed, which needs the client's current treatment consent
# (or an override on the appointment: Appointment.completion_refusal).
TREATMENT_CONSENT = "treatment"
CONSENT_ON_FILE = {"pelvic_diaphragm_consent": "pelvic_diaphragm", "intra_oral_consent": "intraoral"}
NO_CONSENT_ON_FILE = {
    "pelvic_diaphragm_consent": "The client has not signed the consent to the pelvic diaphragm hold: untick it and the "
    "hold, or ask the client to sign it (their intake's consent step) before this work.",
    "intra_oral_consent": "The client has not signed the consent to intra-oral work: untick it and the work, or ask "
    "the client to sign it (their intake's consent step) before this work.",
}


def sign_problems(note: SessionNote, consents_on_file: frozenset[str] = frozenset()) -> dict[str, str]:
    """What must be filled in or fixed before the note can be signed (field -> message).

    `consents_on_file`: the consent kinds the client has agreed to (intake.status.agreed_kinds); a
    separate consent ticked without its signed document on file is refused.
    """
    problems: dict[str, str] = {}
    for field, kind in CONSENT_ON_FILE.items():
        if getattr(note, field) and kind not in consents_on_file:
            problems[field] = NO_CONSENT_ON_FILE[field]
    if note.stopped:
        if not note.stop_reason.strip():
            problems["stop_reason"] = _("Say why the session stopped.")
    else:
        if not note.consent_confirmed:
            problems["consent_confirmed"] = _(
                "Confirm the client's ongoing consent, or record that the session stopped."
            )
        if not note.position:
            problems["position"] = _("Record the client's position.")
        if not note.regions:
            problems["regions"] = _("Tick at least one contact region.")
    if not note.style:
        problems["style"] = _("Choose the style used.")
    if "pelvic_diaphragm" in (note.holds or []) and not note.pelvic_diaphragm_consent:
        problems["pelvic_diaphragm_consent"] = _(
            "The pelvic diaphragm hold is ticked: tick its separate consent, or untick the hold."
        )
    if note.intra_oral_work and not note.intra_oral_consent:
        problems["intra_oral_consent"] = _("Intra-oral work is ticked: tick its separate consent, or untick the work.")
    # What the note's template requires (the shipped one: S, A and P).
    extra = note.extra or {}
    for spec in note.field_spec:
        if not (spec.shown and spec.required):
            continue
        value = extra.get(spec.key) if spec.is_extra else getattr(note, spec.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing = _section_missing(spec.key) or _("Fill in “%(label)s”: this practice asks for it.") % {
                "label": spec.label
            }
            problems[spec.key] = missing
    return problems


def _section_missing(key: str) -> str | None:
    """What a missing S, A or P section says (None for other fields)."""
    return {
        "subjective": _("Write the subjective section."),
        "assessment": _("Write the assessment section."),
        "plan": _("Write the plan section."),
    }.get(key)


def sign_note(
    note: SessionNote,
    *,
    by: Actor,
    now: datetime,
    consents_on_file: frozenset[str] = frozenset(),
    changes: Mapping[str, Any] | None = None,
    revision: int | None = None,
    editor: str = "",
) -> SessionNote:
    """Sign and lock the note: signer, credential, time, late-entry flag and the SHA-256 of its
    canonical content. The appointment is marked completed if it was still booked, which needs the
    client's current treatment consent in `consents_on_file` or an override recorded on the
    appointment (Appointment.completion_refusal); the note stays a draft otherwise.

    `consents_on_file` are the consent kinds the client has agreed to (the caller asks intake); a
    separate consent ticked in the note without its document on file is refused (sign_problems).

    `changes` (with the page's `revision` and `editor`, as save_draft takes them): what is on the
    page, saved first under the same lock and in the same transaction as the signature, so what is
    signed is exactly what was posted (no other save can land between them). When the note cannot
    be signed, that save is still kept (the draft) and NoteError is raised after it; a conflict
    (NoteConflict) saves nothing.
    """
    if by.user is None:
        raise NoteError(_("Sign in to sign a note."))
    refused: NoteError | None = None
    with transaction.atomic():
        locked = SessionNote.objects.select_for_update().get(pk=note.pk)
        if locked.is_signed:
            raise NoteError(_("This note is already signed."))
        if changes is not None:
            _save_locked(locked, changes, revision=revision, by=by, editor=editor, submitted=True)
        try:
            _sign_locked(locked, by=by, now=now, consents_on_file=consents_on_file)
        except NoteError as error:
            if changes is None:
                raise
            refused = error  # the draft's save above is kept
    if refused is not None:
        raise refused
    return locked


def _sign_locked(locked: SessionNote, *, by: Actor, now: datetime, consents_on_file: frozenset[str]) -> None:
    """sign_note's work on the draft its caller has locked, in its transaction. Raises NoteError
    before writing anything when the note cannot be signed."""
    assert by.user is not None
    appointment = (
        Appointment.objects.select_for_update().select_related("practitioner", "location").get(pk=locked.appointment_id)
    )
    if appointment.status not in NOTE_APPOINTMENT_STATUSES:
        raise NoteError(
            _("The appointment is %(status)s; its note cannot be signed.")
            % {"status": appointment.get_status_display().lower()}
        )
    if problems := sign_problems(locked, consents_on_file):
        raise NoteError(_("The note is not ready to sign:") + " " + " ".join(problems.values()), problems)
    if appointment.status == Status.BOOKED and (
        refusal := appointment.completion_refusal(treatment_consent=TREATMENT_CONSENT in consents_on_file)
    ):
        # Signing marks the session completed: the same rule as marking it on the appointment page.
        raise NoteError(
            _("%(refusal)s The note is kept as a draft; sign it after that.") % {"refusal": refusal.message}
        )
    practitioner = appointment.practitioner
    locked.status = NoteStatus.SIGNED
    locked.signed_at = now
    locked.signed_by = by.user  # type: ignore[assignment]
    locked.signer_name = practitioner.display_name if practitioner.user_id == by.user.pk else _name(by)
    locked.signer_credential = practitioner.credentials if practitioner.user_id == by.user.pk else ""
    locked.late_entry = now.astimezone(appointment.location.zone).date() > locked.session_date
    # A student's signature locks the note like anyone's; the note then awaits their supervisor.
    supervisor = supervisor_of(by.user, appointment.practice)  # type: ignore[arg-type]  # a signed-in User
    if supervisor is not None:
        locked.cosign_by = supervisor
        locked.cosign_by_name = _practitioner_name(supervisor, locked.practice_id)
    if locked.checklist_id is not None:  # a practice's own lists: their labels are signed too
        locked.signed_format = HASH_FORMAT_LISTS
    locked.content_hash = locked.compute_hash()
    locked.save()
    if appointment.status == Status.BOOKED:
        appointment.mark(Status.COMPLETED)
        appointment.save(update_fields=["status", "updated_at"])
        record_change(
            appointment,
            EventKind.COMPLETED,
            ChangedBy.staff(by.user),
            now=now,
            from_status=Status.BOOKED,
            reason="The session note was signed.",
        )
    record(
        by=by,
        action=Action.SIGN,
        object_type=NOTE_OBJECT,
        object_id=locked.pk,
        practice_id=locked.practice_id,
        client_id=locked.client_id,
        detail=", ".join(
            part
            for part in ("late entry" if locked.late_entry else "", "awaits co-signature" if supervisor else "")
            if part
        ),
    )


def _profile(user: Any, practice_id: int) -> Practitioner | None:
    return Practitioner.objects.filter(practice_id=practice_id, user_id=user.pk).first()


def _practitioner_name(user: Any, practice_id: int, profile: Practitioner | None = None) -> str:
    """The practitioner profile's name in the practice (`profile` when the caller has it), else the account's."""
    profile = profile or _profile(user, practice_id)
    if profile is not None:
        return profile.display_name
    return str(user.get_full_name() or user.get_username())


def cosign_note(note: SessionNote, *, by: Actor, now: datetime) -> NoteCosignature:
    """Co-sign a student's signed note: who, credential, time, and a SHA-256 over the note's hash,
    the co-signer and the time. The caller has asked practice/access.py (may_cosign); refused for a
    draft, for a note that needs none, twice (a double submit meets the first), and for its own
    author."""
    if by.user is None:
        raise NoteError(_("Sign in to co-sign a note."))
    with transaction.atomic():
        locked = SessionNote.objects.select_for_update().get(pk=note.pk)
        if not locked.is_signed:
            raise NoteError(_("The student has not signed this note yet; it can be co-signed once they have."))
        if locked.cosign_by_id is None:
            raise NoteError(_("This note was not written by a student: it needs no co-signature."))
        if NoteCosignature.objects.filter(note=locked).exists():
            raise NoteError(_("This note is already co-signed."))
        if by.user.pk in (locked.author_id, locked.signed_by_id):
            raise NoteError(_("A note is co-signed by someone other than its author."))
        profile = _profile(by.user, locked.practice_id)
        cosignature = NoteCosignature(
            note=locked,
            cosigner=by.user,  # type: ignore[misc]  # a signed-in User
            cosigner_name=_practitioner_name(by.user, locked.practice_id, profile),
            cosigner_credential=profile.credentials if profile is not None else "",
            cosigned_at=now,
        )
        cosignature.content_hash = cosignature.compute_hash()
        cosignature.save()
        record(
            by=by,
            action=Action.SIGN,
            object_type=COSIGNATURE_OBJECT,
            object_id=cosignature.pk,
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            detail=f"co-signature of note {locked.pk}",
        )
    return cosignature


def _name(by: Actor) -> str:
    user: Any = by.user
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None:
        return str(practitioner.display_name)
    return str(user.get_full_name() or user.get_username())


# The same author's same reason and text again within this time is the same form sent twice.
SAME_ADDENDUM = timedelta(minutes=2)


def add_addendum(note: SessionNote, *, reason: str, text: str, by: Actor, now: datetime) -> NoteAddendum:
    """Add a correction or addition to a signed note (author, time, reason, text), never changed.
    An addendum that repeats the author's last one on the note within SAME_ADDENDUM is that one
    (a double submit: addenda cannot be deleted), returned as it is."""
    if by.user is None:
        raise NoteError(_("Sign in to add an addendum."))
    reason, text = reason.strip(), text.strip()
    problems = {}
    if not reason:
        problems["reason"] = _("Say why you are adding to the note.")
    elif len(reason) > REASON_MAX:
        problems["reason"] = _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX}
    if not text:
        problems["text"] = _("Write the addendum.")
    elif len(text) > TEXT_MAX:
        problems["text"] = _("Keep the addendum under %(count)d characters.") % {"count": TEXT_MAX}
    if problems:
        raise NoteError(" ".join(problems.values()), problems)
    with transaction.atomic():
        # The note's row locked: two submissions of one form are judged one after the other.
        stored = (
            SessionNote.objects.select_for_update(of=("self",))
            .select_related("appointment__practitioner")
            .get(pk=note.pk)
        )
        if not stored.is_signed:
            raise NoteError(_("Only a signed note takes addenda; change the draft itself."))
        last = stored.addenda.order_by("-written_at", "-pk").first()
        if (
            last is not None
            and last.author_id == by.user.pk
            and (last.reason, last.text) == (reason, text)
            and timedelta(0) <= now - last.written_at < SAME_ADDENDUM
        ):
            return last  # the same form sent twice (a double click, a resubmit): one addendum
        practitioner: Any = getattr(by.user, "practitioner", None)
        addendum = NoteAddendum(
            note=stored,
            author=by.user,  # type: ignore[misc]  # a signed-in User
            author_name=_name(by),
            author_credential=str(practitioner.credentials) if practitioner is not None else "",
            written_at=now,
            reason=reason,
            text=text,
        )
        addendum.content_hash = addendum.compute_hash()
        addendum.save()
        record(
            by=by,
            action=Action.CREATE,
            object_type=ADDENDUM_OBJECT,
            object_id=addendum.pk,
            practice_id=stored.practice_id,
            client_id=stored.client_id,
            detail=f"addendum to note {stored.pk}",
        )
    return addendum


def record_read(note: SessionNote, *, by: Actor, basis: str, action: Action = Action.VIEW, detail: str = "") -> None:
    """Audit a read (or print, or PDF download: `detail` says which) of a note's content."""
    with transaction.atomic():
        record(
            by=by,
            action=action,
            object_type=NOTE_OBJECT,
            object_id=note.pk,
            practice_id=note.practice_id,
            client_id=note.client_id,
            basis=basis,
            detail=detail,
        )


def record_list_read(client: Client, *, by: Actor, basis: str, count: int, query: str) -> None:
    """Audit a read of a client's list of notes (one row for the list; the search words are not kept)."""
    with transaction.atomic():
        record(
            by=by,
            action=Action.VIEW,
            object_type="session_note_list",
            object_id=client.pk,
            practice_id=client.practice_id,
            client_id=client.pk,
            basis=basis,
            detail=f"{count} notes" + (", searched" if query else ""),
        )
