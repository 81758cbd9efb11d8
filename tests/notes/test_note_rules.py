"""The note's rules: one per appointment, when it may start, what signing needs and records, that a
signed note never changes through the app, addenda, and the audit rows of each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.notes.actions import (
    NoteConflict,
    NoteError,
    add_addendum,
    save_draft,
    sign_note,
    start_note,
)
from longtide.notes.canonical import content_hash
from longtide.notes.models import NoteAddendum, NoteLocked, NoteStatus, SessionNote
from longtide.scheduling.models import Status
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})


def ana(cast: Cast) -> Actor:
    return Actor(cast.ana_user, "practitioner")


def test_a_note_starts_as_a_draft_with_the_session_header(cast: Cast, visit: Callable[..., Any]) -> None:
    first = visit(days_ago=14)
    first.status = Status.COMPLETED
    first.save()
    appointment = visit(days_ago=0)
    note = start_note(appointment, by=ana(cast), now=timezone.now())
    assert note.status == NoteStatus.DRAFT
    assert note.session_number == 2  # the earlier completed visit is the first
    assert note.style == "biodynamic"  # Ana's style, editable
    assert note.session_date == appointment.start.astimezone(cast.location.zone).date()
    assert (note.template_key, note.template_version) == ("cst", 1)
    assert note.author == cast.ana_user


def test_one_note_per_appointment_a_second_start_returns_the_first(cast: Cast, visit: Callable[..., Any]) -> None:
    appointment = visit()
    first = start_note(appointment, by=ana(cast), now=timezone.now())
    again = start_note(appointment, by=ana(cast), now=timezone.now())
    assert again.pk == first.pk
    assert SessionNote.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.create(
            practice=cast.tidewater, appointment=appointment, client=cast.cleo, author=cast.ana_user,
            session_date=first.session_date,
        )  # fmt: skip


@pytest.mark.parametrize("status", ["cancelled_client", "cancelled_clinic", "late_cancelled", "no_show", "expired"])
def test_no_note_for_a_session_that_did_not_happen(cast: Cast, visit: Callable[..., Any], status: str) -> None:
    appointment = visit(status=status)
    with pytest.raises(NoteError, match="no session to write up"):
        start_note(appointment, by=ana(cast), now=timezone.now())


def test_no_note_before_the_session_begins(cast: Cast, visit: Callable[..., Any]) -> None:
    appointment = visit(days_ago=-2)
    with pytest.raises(NoteError, match="once the session has begun"):
        start_note(appointment, by=ana(cast), now=timezone.now())


def test_same_as_last_time_copies_the_treatment_section_only(cast: Cast, visit: Callable[..., Any]) -> None:
    earlier = start_note(visit(days_ago=7), by=ana(cast), now=timezone.now())
    earlier = save_draft(earlier, {**complete(earlier), "bio_orientation": "Mid-tide"}, revision=0, by=ana(cast))
    sign_note(earlier, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    note = start_note(visit(), by=ana(cast), now=timezone.now(), same_as_last=True)
    assert note.regions == ["neck", "head", "sacrum"] or note.regions == ["sacrum", "neck", "head"]
    assert note.holds == ["still_point_cv4", "occipital_cranial_base"]
    assert note.bio_orientation == "Mid-tide"
    # Not the earlier Subjective: only the start every note gets (here, the last plan).
    assert note.subjective.startswith("Last note's plan (") and complete(earlier)["subjective"] not in note.subjective
    assert note.plan == ""


def test_a_stale_save_is_caught_and_the_current_revision_reported(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    save_draft(note, {"subjective": "from the tablet"}, revision=0, by=ana(cast))
    with pytest.raises(NoteConflict) as caught:
        save_draft(note, {"subjective": "from the desk"}, revision=0, by=ana(cast))
    assert caught.value.current_revision == 1
    assert SessionNote.objects.get().subjective == "from the tablet"


def test_signing_needs_the_consent_check_and_the_soap_sections(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    with pytest.raises(NoteError) as caught:
        sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    assert set(caught.value.fields) == {"consent_confirmed", "position", "regions", "subjective", "assessment", "plan"}
    assert SessionNote.objects.get().status == NoteStatus.DRAFT


def test_sensitive_work_needs_its_own_consent_tick(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    fields = {**complete(note), "holds": ["pelvic_diaphragm"], "intra_oral_work": True}
    note = save_draft(note, fields, revision=0, by=ana(cast))
    with pytest.raises(NoteError) as caught:
        sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    assert set(caught.value.fields) == {"pelvic_diaphragm_consent", "intra_oral_consent"}


def test_a_separate_consent_tick_needs_the_signed_consent_on_file(cast: Cast, visit: Callable[..., Any]) -> None:
    from longtide.intake import actions as intake_actions
    from longtide.intake.consent_texts import Kind
    from longtide.intake.status import agreed_kinds
    from longtide.notes.actions import CONSENT_ON_FILE, NO_CONSENT_ON_FILE
    from tests.intake.test_intake_actions import ORIGIN, TODAY, _filled

    assert set(CONSENT_ON_FILE.values()) <= {kind.value for kind in Kind}  # the names notes cannot import
    note = start_note(visit(consent=False), by=ana(cast), now=timezone.now())
    fields = {**complete(note), "holds": ["pelvic_diaphragm"], "pelvic_diaphragm_consent": True}
    note = save_draft(note, fields, revision=0, by=ana(cast))
    assert agreed_kinds(cast.cleo) == frozenset()
    with pytest.raises(NoteError) as caught:
        sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=agreed_kinds(cast.cleo))
    assert caught.value.fields == {"pelvic_diaphragm_consent": NO_CONSENT_ON_FILE["pelvic_diaphragm_consent"]}
    documents = intake_actions.current_documents(cast.tidewater)
    agreed = {d.pk for d in documents if d.kind != Kind.INTRAORAL}  # the pelvic hold yes, intra-oral work no
    intake_actions.submit(
        _filled(cast.cleo), intake_actions.ConsentAnswer(agreed, "Cleo Park"), origin=ORIGIN, today=TODAY
    )
    assert "pelvic_diaphragm" in agreed_kinds(cast.cleo) and "intraoral" not in agreed_kinds(cast.cleo)
    assert sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=agreed_kinds(cast.cleo)).is_signed


def test_the_subjective_starts_from_the_intake_and_the_last_plan(cast: Cast, visit: Callable[..., Any]) -> None:
    from longtide.intake import actions as intake_actions
    from longtide.intake.status import known_before_session
    from tests.intake.test_intake_actions import ORIGIN, TODAY, _agree_all, _filled

    earlier = visit(days_ago=7)
    last = start_note(earlier, by=ana(cast), now=timezone.now())
    last = sign_note(
        save_draft(last, {**complete(last), "plan": "Weekly for three weeks."}, revision=0, by=ana(cast)),
        by=ana(cast),
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    intake_actions.submit(_filled(cast.cleo, "chiari"), _agree_all(cast.cleo), origin=ORIGIN, today=TODAY)
    today = visit(days_ago=0)
    note = start_note(today, by=ana(cast), now=timezone.now(), known=known_before_session(today))
    lines = note.subjective.splitlines()
    assert lines[0].startswith("Main concern (intake ") and lines[0].endswith("): Headaches or migraines, 7/10")
    flags = cast.cleo.intake_flags.order_by("-level", "raised_at")
    assert [f.item_key for f in flags] == ["chiari", "intraoral"]  # REFER, then the PRECAUTION of the tick
    assert lines[1:] == [
        "Goals: Fewer headache days",
        f"Open flag (REFER): {flags[0].staff_label}",
        f"Open flag (PRECAUTION): {flags[1].staff_label}",
        f"Last note's plan ({last.session_date:%d %b %Y}): Weekly for three weeks.",
    ]
    assert start_note(visit(days_ago=1), by=ana(cast), now=timezone.now()).subjective.endswith(
        "Weekly for three weeks."
    )  # no intake lines passed: the last plan alone


def test_a_stopped_session_needs_a_reason_not_a_treatment(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    fields = {"stopped": True, "subjective": "Arrived upset.", "assessment": "Not today.", "plan": "Call next week."}
    note = save_draft(note, fields, revision=0, by=ana(cast))
    with pytest.raises(NoteError) as caught:
        sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    assert set(caught.value.fields) == {"stop_reason"}
    note = save_draft(note, {"stop_reason": "Client asked to stop after ten minutes."}, revision=1, by=ana(cast))
    assert sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE).is_signed


def test_signing_records_signer_credential_time_and_the_hash_of_the_content(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    appointment = visit()
    note = start_note(appointment, by=ana(cast), now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana(cast))
    now = timezone.now()
    sign_note(note, by=ana(cast), now=now, consents_on_file=TREATMENT_ON_FILE)
    signed = SessionNote.objects.get()
    assert (signed.status, signed.signed_at, signed.signed_by) == (NoteStatus.SIGNED, now, cast.ana_user)
    assert (signed.signer_name, signed.signer_credential) == ("Ana Silva", "RCST")
    assert signed.content_hash == content_hash(signed.content()) and signed.hash_matches()
    assert signed.late_entry is False
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED  # a signed note says the session happened
    # The hash covers what was written: one character changed is another hash.
    signed.plan += "."
    assert not signed.hash_matches()


def test_a_note_signed_after_the_session_day_is_a_late_entry(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(days_ago=3), by=ana(cast), now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana(cast))
    assert sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE).late_entry is True


def test_a_signed_note_cannot_be_changed_or_deleted_through_the_app(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana(cast))
    sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    signed = SessionNote.objects.get()
    signed.plan = "rewritten"
    with pytest.raises(NoteLocked):
        signed.save()
    with pytest.raises(NoteLocked):
        signed.delete()
    with pytest.raises(NoteLocked):
        SessionNote.objects.filter(pk=signed.pk).update(plan="rewritten")
    with pytest.raises(NoteLocked):
        SessionNote.objects.all().delete()
    with pytest.raises(NoteError, match="signed"):
        save_draft(signed, {"plan": "rewritten"}, revision=None, by=ana(cast))
    with pytest.raises(NoteError, match="already signed"):
        sign_note(signed, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    assert SessionNote.objects.get().plan == complete(note)["plan"]


def test_addenda_are_added_to_signed_notes_only_and_never_change(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    with pytest.raises(NoteError, match="Only a signed note"):
        add_addendum(note, reason="typo", text="x", by=ana(cast), now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana(cast))
    note = sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    with pytest.raises(NoteError) as caught:
        add_addendum(note, reason="  ", text="", by=ana(cast), now=timezone.now())
    assert set(caught.value.fields) == {"reason", "text"}
    later = timezone.now() + timedelta(hours=2)
    addendum = add_addendum(
        note, reason="Client called", text="Mild headache that evening, gone by morning.", by=ana(cast), now=later
    )
    assert (addendum.author_name, addendum.author_credential, addendum.written_at) == ("Ana Silva", "RCST", later)
    assert addendum.content_hash == content_hash(addendum.content())
    addendum.text = "changed"
    with pytest.raises(NoteLocked):
        addendum.save()
    with pytest.raises(NoteLocked):
        addendum.delete()
    with pytest.raises(NoteLocked):
        NoteAddendum.objects.update(text="changed")
    assert SessionNote.objects.get().hash_matches()  # the note itself is untouched


def test_every_step_is_audited(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=ana(cast), now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana(cast))
    note = sign_note(note, by=ana(cast), now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    add_addendum(note, reason="Client called", text="All well.", by=ana(cast), now=timezone.now())
    rows = list(AuditEvent.objects.values_list("action", "object_type", "client_id", "actor_id"))
    who = (cast.cleo.pk, cast.ana_user.pk)
    assert rows == [
        ("create", "session_note", *who),
        ("change", "session_note", *who),
        ("sign", "session_note", *who),
        ("create", "note_addendum", *who),
    ]
