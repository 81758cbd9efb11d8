"""The database itself refuses to change or remove a signed note or an addendum, as anyone with plain
SQL access would try (migration notes 0002). On PostgreSQL run with DATABASE_URL set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes.actions import add_addendum, save_draft, sign_note, start_note
from longtide.notes.models import NoteAddendum, SessionNote
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})

DatabaseRefusal = (IntegrityError, InternalError, OperationalError)


def raw(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def signed(cast: Cast, visit: Callable[..., Any]) -> SessionNote:
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(), by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    note = sign_note(note, by=by, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    add_addendum(note, reason="Client called", text="Slept well that night.", by=by, now=timezone.now())
    return note


def test_a_draft_can_be_saved_and_deleted_in_plain_sql(cast: Cast, visit: Callable[..., Any]) -> None:
    note = start_note(visit(), by=Actor(cast.ana_user), now=timezone.now())
    raw("UPDATE notes_sessionnote SET plan = 'draft plan' WHERE id = %s", [note.pk])
    assert SessionNote.objects.get().plan == "draft plan"
    raw("DELETE FROM notes_sessionnote WHERE id = %s", [note.pk])
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes_sessionnote SET plan = 'rewritten' WHERE id = %s",
        "UPDATE notes_sessionnote SET status = 'draft', signed_at = NULL, signed_by_id = NULL, content_hash = '' "
        "WHERE id = %s",
        "UPDATE notes_sessionnote SET revision = revision WHERE id = %s",
        "DELETE FROM notes_sessionnote WHERE id = %s",
    ],
    ids=["content", "unsign", "touch", "delete"],
)
def test_the_database_refuses_to_change_a_signed_note(signed: SessionNote, sql: str) -> None:
    before = SessionNote.objects.values().get(pk=signed.pk)
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw(sql, [signed.pk])
    assert SessionNote.objects.values().get(pk=signed.pk) == before
    assert SessionNote.objects.get(pk=signed.pk).hash_matches()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes_noteaddendum SET text = 'changed' WHERE note_id = %s",
        "DELETE FROM notes_noteaddendum WHERE note_id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_an_addendum(signed: SessionNote, sql: str) -> None:
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw(sql, [signed.pk])
    assert NoteAddendum.objects.get().text == "Slept well that night."


def test_postgresql_refuses_to_truncate_notes(signed: SessionNote) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts leave deferred checks pending
    for table in ("notes_noteaddendum", "notes_sessionnote"):
        with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
            raw(f"TRUNCATE {table} CASCADE")
    assert SessionNote.objects.count() == 1 and NoteAddendum.objects.count() == 1


def test_postgresql_refuses_even_the_table_owner_without_setting_the_trigger_aside(signed: SessionNote) -> None:
    # The test database's user owns the tables (and is a superuser here): the trigger still fires.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[1] is True
    with pytest.raises(DatabaseRefusal, match="signed notes are locked"):
        raw("UPDATE notes_sessionnote SET subjective = 'edited by the owner' WHERE id = %s", [signed.pk])


def test_the_guards_are_in_place_after_every_migration() -> None:
    # A later migration that rebuilds a table on SQLite would drop its triggers silently.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN ('notes_sessionnote'::regclass, "
                "'notes_noteaddendum'::regclass) AND NOT tgisinternal"
            )
            expected = {
                "notes_signed_note_locked",
                "notes_note_no_truncate",
                "notes_addendum_append_only",
                "notes_addendum_no_truncate",
            }
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('notes_sessionnote', 'notes_noteaddendum')"
            )
            expected = {
                "notes_signed_no_update",
                "notes_signed_no_delete",
                "notes_addendum_no_update",
                "notes_addendum_no_delete",
            }
        assert {name for (name,) in cursor.fetchall()} == expected


def test_set_aside_lets_the_owner_remove_rows_and_puts_the_guards_back(signed: SessionNote) -> None:
    from longtide.notes.guards import set_aside

    with set_aside():
        NoteAddendum.objects.all()._raw_delete(NoteAddendum.objects.db)
        SessionNote.objects.all()._raw_delete(SessionNote.objects.db)
    assert not SessionNote.objects.exists()
    test_the_guards_are_in_place_after_every_migration()
