"""Which sessions still need a signed note, which of those are overdue, and which students' notes
await a co-signature (and which of those are overdue).

A student's signed note is overdue for its supervisor when it still has no co-signature more than the
practice's `note_overdue_days` after the student signed it: the supervisor's clock starts when they can
act, and gets the same days a practitioner gets for their own note. Until the student signs, the note
is an unsigned note like any other (overdue for the student, and for owners).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from longtide.notes.actions import NOTE_APPOINTMENT_STATUSES
from longtide.notes.models import NoteStatus, SessionNote
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment

# How far back the list looks: older unsigned sessions are still listed, up to this many days.
LOOKBACK_DAYS = 120


def is_overdue(session_date: date, today: date, overdue_days: int) -> bool:
    """Unsigned notes of sessions more than `overdue_days` days ago are overdue."""
    return (today - session_date).days > overdue_days


@dataclass(frozen=True)
class ToWrite:
    appointment: Appointment
    session_date: date
    draft: bool  # a draft exists (else nothing written yet)
    days: int  # days since the session
    overdue: bool


def notes_to_write(
    practice: Practice, *, now: datetime, today: date, practitioner_user_id: int | None = None
) -> list[ToWrite]:
    """Sessions that have begun, were not cancelled, and have no signed note: oldest first. Only one
    practitioner's when `practitioner_user_id` is given."""
    found = (
        Appointment.objects.filter(
            practice=practice,
            status__in=NOTE_APPOINTMENT_STATUSES,
            start__lte=now,
            start__gte=now - timedelta(days=LOOKBACK_DAYS),
        )
        .filter(Q(session_note__isnull=True) | Q(session_note__status=NoteStatus.DRAFT))
        .select_related("client", "practitioner", "service", "location", "session_note")
        .order_by("start")
    )
    if practitioner_user_id is not None:
        found = found.filter(practitioner__user_id=practitioner_user_id)
    rows = []
    for appointment in found:
        day = appointment.start.astimezone(appointment.location.zone).date()
        draft = getattr(appointment, "session_note", None) is not None
        rows.append(
            ToWrite(appointment, day, draft, (today - day).days, is_overdue(day, today, practice.note_overdue_days))
        )
    return rows


def notes_to_cosign(
    practice: Practice, *, supervisor_user_id: int | None = None, student_user_id: int | None = None
) -> list[SessionNote]:
    """Students' signed notes still waiting for a co-signature, oldest session first: those awaiting
    one supervisor when `supervisor_user_id` is given, those one student signed when `student_user_id`
    is, else all of the practice's (for owners)."""
    found = (
        SessionNote.objects.signed()
        .filter(practice=practice, cosign_by__isnull=False, cosignature__isnull=True)
        .select_related(
            "appointment__client", "appointment__practitioner", "appointment__service", "appointment__location"
        )
        .order_by("session_date", "id")
    )
    if supervisor_user_id is not None:
        found = found.filter(cosign_by_id=supervisor_user_id)
    if student_user_id is not None:
        found = found.filter(signed_by_id=student_user_id)
    return list(found)


@dataclass(frozen=True)
class ToCosign:
    note: SessionNote
    signed_date: date  # the day the student signed, in the session's location's time zone
    days: int  # days since then
    overdue: bool


def cosignatures_due(
    practice: Practice, *, today: date, supervisor_user_id: int | None = None, student_user_id: int | None = None
) -> list[ToCosign]:
    """`notes_to_cosign` with how long each has waited and whether it is overdue (see the module's rule)."""
    rows = []
    for note in notes_to_cosign(practice, supervisor_user_id=supervisor_user_id, student_user_id=student_user_id):
        assert note.signed_at is not None  # signed notes only
        day = note.signed_at.astimezone(note.appointment.location.zone).date()
        rows.append(ToCosign(note, day, (today - day).days, is_overdue(day, today, practice.note_overdue_days)))
    return rows
