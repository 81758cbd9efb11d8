"""`longtide retention --apply` destroys a client's whole record — signed notes and their addenda
included, which the database otherwise refuses to delete — and nothing of anyone else's. The date of
birth from the intake form decides the minors' rule. On PostgreSQL run with DATABASE_URL set."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.audit.verify import verify_trail
from longtide.clients.models import Client
from longtide.intake.models import Intake, IntakeStatus, Signature
from longtide.notes.models import NoteAddendum, NoteStatus, SessionNote
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.records.models import ClientMerge, DestructionPermit
from longtide.records.retention import Candidate, Verdict, candidates, destroy, message_subjects
from longtide.sampledata.demo import seed_demo
from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

DatabaseRefusal = (IntegrityError, InternalError, OperationalError)


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rows_naming(ids: list[int]) -> dict[str, int]:
    """Every row that points to one of these clients, by model and relation (all of them: a new
    model is counted without changing this test)."""
    found = {}
    for relation in Client._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            model = relation.related_model
            assert isinstance(model, type)
            found[f"{model._meta.label}.{relation.field.name}"] = model._base_manager.filter(
                **{f"{relation.field.name}__in": ids}
            ).count()
    return found


def test_the_demo_client_with_the_fullest_record_is_destroyed_whole_and_no_one_else_loses_a_row() -> None:
    practice = seed_demo()
    client = NoteAddendum.objects.select_related("note__client").get().note.client
    duplicate = Client.objects.create(practice=practice, first_name=client.first_name, last_name="Dup")
    Client.objects.filter(pk=duplicate.pk).update(merged_into=client)
    ClientMerge.objects.create(
        practice=practice, kept=client, merged=duplicate, merged_at=timezone.now(), merged_name="Dup"
    )
    ids = [client.pk, duplicate.pk]
    before = _rows_naming(ids)
    # The record is a full one: signed notes with an addendum, a submitted intake, consents, visits.
    assert SessionNote.objects.filter(client=client, status=NoteStatus.SIGNED).count() >= 2
    assert Intake.objects.filter(client=client, status=IntakeStatus.SUBMITTED).exists()
    assert Signature.objects.filter(client=client).exists() and before["scheduling.Appointment.client"] >= 3
    visit = Appointment.objects.filter(client=client).first()
    assert visit is not None
    with transaction.atomic():
        queue(
            practice_id=practice.pk,
            messages=[
                NewMessage(
                    purpose="booking.confirmation",
                    channel=Channel.EMAIL,
                    recipient="cleo@example.test",
                    dedupe_key=f"test:{visit.pk}",
                    body_text="Your visit.",
                    send_after=visit.start,
                    about=f"appointment:{visit.pk}",
                )
            ],
        )
    subjects = list(Message.objects.filter(message_subjects(ids)).values_list("pk", flat=True))
    assert subjects
    others = {
        "notes": SessionNote.objects.exclude(client__in=ids).count(),
        "clients": Client.objects.exclude(pk__in=ids).count(),
        "appointments": Appointment.objects.exclude(client__in=ids).count(),
        "messages": Message.objects.exclude(pk__in=subjects).count(),
    }

    counts = destroy(
        practice,
        Candidate(client.pk, date(2019, 1, 1), date(2025, 1, 1), Verdict.DUE),
        rule_key="new_york",
        now=timezone.now(),
    )

    assert not Client.objects.filter(pk__in=ids).exists()
    assert {name: n for name, n in _rows_naming(ids).items() if n} == {}
    assert not Message.objects.filter(pk__in=subjects).exists()
    assert counts["notes.SessionNote"] >= 2 and counts["notes.NoteAddendum"] == 1
    assert not DestructionPermit.objects.exists()
    assert others == {
        "notes": SessionNote.objects.count(),
        "clients": Client.objects.count(),
        "appointments": Appointment.objects.count(),
        "messages": Message.objects.count(),
    }
    (event,) = AuditEvent.objects.filter(action="destroy")
    assert event.client_id == client.pk and "noteaddendum" in event.detail
    assert verify_trail(chain=None).ok
    # Everyone else's signed notes are as locked as before.
    other = SessionNote.objects.filter(status=NoteStatus.SIGNED).first()
    assert other is not None
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        _raw("DELETE FROM notes_sessionnote WHERE id = %s", [other.pk])


def test_a_permit_lets_only_its_clients_signed_notes_be_deleted_and_never_changed() -> None:
    practice = seed_demo()
    addendum = NoteAddendum.objects.select_related("note").get()
    note = addendum.note
    other = SessionNote.objects.filter(status=NoteStatus.SIGNED).exclude(client=note.client).first()
    assert other is not None
    DestructionPermit.objects.create(client_id=other.client_id, granted_at=timezone.now())
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        _raw("DELETE FROM notes_noteaddendum WHERE id = %s", [addendum.pk])
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        _raw("DELETE FROM notes_sessionnote WHERE id = %s", [note.pk])
    DestructionPermit.objects.create(client_id=note.client_id, granted_at=timezone.now())
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        _raw("UPDATE notes_sessionnote SET plan = 'rewritten' WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        _raw("UPDATE notes_noteaddendum SET text = 'rewritten' WHERE id = %s", [addendum.pk])
    _raw("DELETE FROM notes_noteaddendum WHERE id = %s", [addendum.pk])
    assert not NoteAddendum.objects.exists() and practice.pk


def _intake_saying(client: Client, born: str) -> None:
    form = Intake.objects.filter(practice=client.practice).values_list("form_id", flat=True).first()
    assert form is not None
    Intake.objects.create(
        practice=client.practice,
        client=client,
        form_id=form,
        status=IntakeStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=3000),
        answers={"about": {"date_of_birth": born}},
    )


def test_the_intakes_date_of_birth_decides_the_minors_rule() -> None:
    practice = seed_demo()
    practice.retention_rule = "new_york"  # 6 years after the last entry, and at least until 22
    practice.save(update_fields=["retention_rule"])
    long_ago = timezone.now() - timedelta(days=365 * 8)
    child = Client.objects.create(practice=practice, first_name="Young", last_name="Client")
    adult = Client.objects.create(practice=practice, first_name="Old", last_name="Client")
    unknown = Client.objects.create(practice=practice, first_name="Nobody", last_name="Knows")
    Client.objects.filter(pk__in=[child.pk, adult.pk, unknown.pk]).update(created_at=long_ago)
    today = timezone.now().date()
    _intake_saying(child, f"{today.year - 12}-03-01")
    _intake_saying(adult, "1970-03-01")
    found = {c.client_id: c.verdict for c in candidates(practice, today=today, assume_adults=False)}
    assert child.pk not in found  # kept until 22
    assert found[adult.pk] == Verdict.DUE
    assert found[unknown.pk] == Verdict.NO_DATE_OF_BIRTH
