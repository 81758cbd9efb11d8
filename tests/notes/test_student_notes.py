"""A student writes and signs their session's note; their signature locks it like anyone's, and the
note awaits their supervisor's co-signature: a row of its own with its own SHA-256, given once, by
the supervisor (or an owner) only, audited, and refused to change by the database as well."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import Action, AuditEvent
from longtide.audit.trail import Actor
from longtide.notes.actions import NoteError, cosign_note, save_draft, sign_note, start_note
from longtide.notes.canonical import content_hash, cosignature_content
from longtide.notes.models import NoteCosignature, NoteLocked, SessionNote
from longtide.notes.overdue import notes_to_cosign
from longtide.practice.access import (
    Basis,
    Perm,
    can,
    chart_access,
    may_cosign,
    may_override_consent,
    may_write_note,
    supervisor_of,
)
from longtide.practice.models import Role, StaffMembership
from tests.notes.conftest import complete
from tests.notes.students import make_student, student_visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
TREATMENT_ON_FILE = frozenset({"treatment"})
DatabaseRefusal = (IntegrityError, InternalError, OperationalError)


@pytest.fixture
def sam(cast: Cast) -> User:
    return make_student(cast)


def _signed_by_student(cast: Any, sam: Any, **kwargs: Any) -> SessionNote:
    by = Actor(sam, "student")
    note = start_note(student_visit(cast, sam, **kwargs), by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    return sign_note(note, by=by, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)


@pytest.fixture
def awaiting(cast: Any, sam: Any) -> SessionNote:
    return _signed_by_student(cast, sam)


def raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# -- the role ---------------------------------------------------------------------------------


def test_a_student_needs_a_supervising_practitioner_of_the_practice(cast: Any, sam: Any) -> None:
    membership = StaffMembership.objects.get(user=sam)
    membership.full_clean()
    assert supervisor_of(sam, cast.tidewater) == cast.ana_user
    for who, message in [
        (None, "Choose the student's supervising practitioner"),
        (sam, "cannot supervise themselves"),
        (cast.ben_user, "must be a practitioner or owner"),  # front desk
        (cast.olga_user, "must be a practitioner or owner"),  # an owner without a practitioner profile
        (cast.dov_user, "must be a practitioner or owner"),  # Harbour's practitioner
    ]:
        membership.supervisor = who
        with pytest.raises(ValidationError, match=message):
            membership.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        StaffMembership.objects.filter(pk=membership.pk).update(supervisor=None)
    ana = StaffMembership.objects.get(user=cast.ana_user, practice=cast.tidewater)
    ana.supervisor = cast.olga_user
    with pytest.raises(ValidationError, match="Only a student has a supervisor"):
        ana.full_clean()


def test_a_student_reads_only_the_charts_of_their_own_sessions(cast: Any, sam: Any) -> None:
    assert can(sam, Perm.CLINICAL_READ, cast.tidewater) and can(sam, Perm.CLINICAL_WRITE, cast.tidewater)
    for perm in (Perm.SCHEDULE_VIEW, Perm.CLIENTS_VIEW, Perm.BREAK_GLASS, Perm.OUTBOX_VIEW, Perm.AUDIT_READ):
        assert not can(sam, perm, cast.tidewater)
    in_care = chart_access(sam, cast.tidewater, care_team_user_ids={sam.pk}, break_glass_open=False)
    assert in_care is not None and in_care.basis == Basis.CARE_TEAM and in_care.clinical
    # Nobody else's client, not even under shared care or with a break-glass grant: nothing at all.
    cast.tidewater.shared_care = True
    assert chart_access(sam, cast.tidewater, care_team_user_ids={cast.ana_user.pk}, break_glass_open=True) is None
    assert chart_access(sam, cast.harbour, care_team_user_ids={sam.pk}, break_glass_open=False) is None


def test_a_student_writes_their_own_sessions_notes_but_never_overrides_consent(cast: Any, sam: Any) -> None:
    assert may_write_note(sam, cast.tidewater, sam.pk)
    assert not may_write_note(sam, cast.tidewater, cast.ana_user.pk)
    assert not may_override_consent(sam, cast.tidewater, sam.pk)


# -- signing and co-signing -------------------------------------------------------------------


def test_a_students_signature_locks_the_note_and_names_the_supervisor(awaiting: SessionNote, cast: Any) -> None:
    assert awaiting.is_signed and awaiting.hash_matches()
    assert awaiting.cosign_by == cast.ana_user and awaiting.cosign_by_name == "Ana Silva"
    assert awaiting.content()["cosign_by_id"] == cast.ana_user.pk  # covered by the signature's hash
    assert awaiting.signer_credential == "CST student"
    assert awaiting.needs_cosignature
    awaiting.plan = "changed"
    with pytest.raises(NoteLocked):
        awaiting.save()
    assert AuditEvent.objects.filter(action=Action.SIGN, object_id=awaiting.pk, detail="awaits co-signature").exists()


def test_a_practitioners_note_needs_no_cosignature_and_keeps_its_hash_form(cast: Any, visit: Any) -> None:
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(), by=by, now=timezone.now())
    note = sign_note(
        save_draft(note, complete(note), revision=0, by=by),
        by=by,
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    assert note.cosign_by is None and not note.needs_cosignature and "cosign_by_id" not in note.content()
    with pytest.raises(NoteError, match="needs no co-signature"):
        cosign_note(note, by=Actor(cast.olga_user, "owner"), now=timezone.now())


def test_the_supervisor_cosigns_once_with_a_hash_over_the_notes_hash(awaiting: SessionNote, cast: Any) -> None:
    now = timezone.now()
    cosignature = cosign_note(awaiting, by=Actor(cast.ana_user, "practitioner"), now=now)
    assert (cosignature.cosigner, cosignature.cosigner_name, cosignature.cosigner_credential) == (
        cast.ana_user,
        "Ana Silva",
        cast.ana.credentials,
    )
    expected = content_hash(
        cosignature_content(
            note_id=awaiting.pk,
            note_hash=awaiting.content_hash,
            cosigner_id=cast.ana_user.pk,
            cosigner_name="Ana Silva",
            cosigner_credential=cast.ana.credentials,
            cosigned_at=cosignature.cosigned_at.astimezone(UTC).isoformat(timespec="microseconds"),
        )
    )
    assert cosignature.content_hash == expected and cosignature.hash_matches()
    note = SessionNote.objects.get(pk=awaiting.pk)
    assert note.is_cosigned and not note.needs_cosignature and note.hash_matches()
    assert AuditEvent.objects.filter(
        action=Action.SIGN, object_type="note_cosignature", object_id=cosignature.pk, actor_id=cast.ana_user.pk
    ).exists()
    with pytest.raises(NoteError, match="already co-signed"):
        cosign_note(note, by=Actor(cast.olga_user, "owner"), now=now + timedelta(minutes=1))
    assert NoteCosignature.objects.count() == 1


def test_who_may_cosign(awaiting: SessionNote, cast: Any, sam: Any) -> None:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner

    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw")
    Practitioner.objects.create(practice=cast.tidewater, user=bea, display_name="Bea", slug="bea", style="biodynamic")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    supervisor = awaiting.cosign_by_id
    assert may_cosign(cast.ana_user, cast.tidewater, supervisor_id=supervisor)
    assert may_cosign(cast.olga_user, cast.tidewater, supervisor_id=supervisor)  # an owner
    assert not may_cosign(bea, cast.tidewater, supervisor_id=supervisor)  # another practitioner
    assert not may_cosign(sam, cast.tidewater, supervisor_id=supervisor)  # the student
    assert not may_cosign(cast.ben_user, cast.tidewater, supervisor_id=supervisor)  # front desk
    assert not may_cosign(cast.dov_user, cast.tidewater, supervisor_id=supervisor)  # another practice


def test_a_draft_is_not_cosigned_and_an_author_never_cosigns_their_own(cast: Any, sam: Any) -> None:
    by = Actor(sam, "student")
    draft = start_note(student_visit(cast, sam), by=by, now=timezone.now())
    with pytest.raises(NoteError, match="has not signed"):
        cosign_note(draft, by=Actor(cast.ana_user), now=timezone.now())
    note = sign_note(
        save_draft(draft, complete(draft), revision=0, by=by),
        by=by,
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    with pytest.raises(NoteError, match="someone other than its author"):
        cosign_note(note, by=by, now=timezone.now())


def test_the_supervisors_to_do_lists_the_notes_awaiting_them(awaiting: SessionNote, cast: Any) -> None:
    assert notes_to_cosign(cast.tidewater, supervisor_user_id=cast.ana_user.pk) == [awaiting]
    assert notes_to_cosign(cast.tidewater) == [awaiting]  # an owner's: all of them
    assert notes_to_cosign(cast.tidewater, supervisor_user_id=cast.olga_user.pk) == []
    cosign_note(awaiting, by=Actor(cast.ana_user), now=timezone.now())
    assert notes_to_cosign(cast.tidewater) == []


# -- the model and the database refuse to change a co-signature -------------------------------


@pytest.fixture
def cosigned(awaiting: SessionNote, cast: Any) -> NoteCosignature:
    return cosign_note(awaiting, by=Actor(cast.ana_user), now=timezone.now())


def test_the_model_refuses_to_change_a_cosignature(cosigned: NoteCosignature) -> None:
    cosigned.cosigner_name = "Someone else"
    with pytest.raises(NoteLocked):
        cosigned.save()
    with pytest.raises(NoteLocked):
        cosigned.delete()
    with pytest.raises(NoteLocked):
        NoteCosignature.objects.all().update(cosigner_name="x")
    with pytest.raises(NoteLocked):
        NoteCosignature.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes_notecosignature SET cosigner_name = 'Someone else' WHERE note_id = %s",
        "UPDATE notes_notecosignature SET cosigned_at = cosigned_at WHERE note_id = %s",
        "DELETE FROM notes_notecosignature WHERE note_id = %s",
        "UPDATE notes_sessionnote SET cosign_by_id = NULL, cosign_by_name = '' WHERE id = %s",
    ],
    ids=["rename", "touch", "delete", "unask-the-supervisor"],
)
def test_the_database_refuses_to_change_a_cosignature(cosigned: NoteCosignature, sql: str) -> None:
    before = NoteCosignature.objects.values().get()
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw(sql, [cosigned.note_id])
    assert NoteCosignature.objects.values().get() == before
    assert NoteCosignature.objects.get().hash_matches()


def test_postgresql_refuses_to_truncate_cosignatures(cosigned: NoteCosignature) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    raw("SET CONSTRAINTS ALL IMMEDIATE", [])  # the test's own inserts leave deferred checks pending
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw("TRUNCATE notes_notecosignature CASCADE", [])
    assert NoteCosignature.objects.count() == 1


def test_the_notes_own_guards_survive_the_migration_on_both_databases(awaiting: SessionNote) -> None:
    # The co-signature migration rebuilds the notes table on SQLite; its triggers must be back.
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw("UPDATE notes_sessionnote SET plan = 'rewritten' WHERE id = %s", [awaiting.pk])
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw("DELETE FROM notes_sessionnote WHERE id = %s", [awaiting.pk])


def test_a_retention_destruction_takes_the_cosignature_with_the_note(cosigned: NoteCosignature, cast: Any) -> None:
    from longtide.records.retention import Candidate, Verdict, destroy

    today = timezone.now().date()
    counts = destroy(
        cast.tidewater,
        Candidate(cast.cleo.pk, today, today, Verdict.DUE),
        rule_key="longest",
        now=timezone.now(),
    )
    assert counts["notes.NoteCosignature"] == 1 and counts["notes.SessionNote"] == 1
    assert not NoteCosignature.objects.exists()
