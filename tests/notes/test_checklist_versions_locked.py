"""A practice's note template version (NoteChecklist) is the meaning of a signed note's ticks: the
database refuses to change or remove it (notes migration 0007), and a note signed with a practice's
own lists has its ticked items' labels in its signed content (hash format v3), so a version changed
by whoever can set the triggers aside no longer matches the note's SHA-256. Found by a review: plain
SQL could relabel the item a signed note ticked, and the hash still matched. On PostgreSQL run with
DATABASE_URL set."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes import checklists, guards
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.notes.canonical import HASH_FORMAT, HASH_FORMAT_LISTS, content_hash
from longtide.notes.data import note_data
from longtide.notes.models import NoteChecklist, SessionNote
from longtide.sampledata.demo import DEMO_SLUG, remove_demo, seed_demo
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
DatabaseRefusal = (IntegrityError, InternalError, OperationalError)
REFUSED = "note template versions are never changed"


def raw(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def forearm_note(cast: Cast, visit: Callable[..., Any]) -> SessionNote:
    """A note signed with the practice's own lists, "Left forearm" ticked."""
    olga, ana = Actor(cast.olga_user, "owner"), Actor(cast.ana_user, "practitioner")
    regions = "\n".join(item.label for item in checklists.current(cast.tidewater).regions)
    checklists.publish(
        cast.tidewater, regions=regions + "\nLeft forearm", holds="Still point (CV-4)", by=olga, now=timezone.now()
    )
    note = start_note(visit(days_ago=1), by=ana, now=timezone.now())
    forearm = next(i.key for i in note.checklist_items.regions if i.label == "Left forearm")
    note = save_draft(note, {**complete(note), "regions": [forearm], "holds": []}, revision=0, by=ana)
    note = sign_note(note, by=ana, now=timezone.now(), consents_on_file=frozenset({"treatment"}))
    assert note.region_labels == ["Left forearm"]
    return note


def _relabelled(note: SessionNote) -> str:
    version = note.checklist
    assert version is not None
    forearm = note.regions[0]
    return json.dumps([[key, "Pelvic floor (internal)" if key == forearm else label] for key, label in version.regions])


def test_the_database_refuses_to_relabel_the_checklist_a_signed_note_was_written_with(
    cast: Cast, forearm_note: SessionNote
) -> None:
    assert forearm_note.checklist is not None
    with pytest.raises(DatabaseRefusal, match=REFUSED):
        raw(
            "UPDATE notes_notechecklist SET regions = %s WHERE id = %s",
            [_relabelled(forearm_note), forearm_note.checklist.pk],
        )

    stored = SessionNote.objects.select_related("checklist").get(pk=forearm_note.pk)
    assert stored.region_labels == ["Left forearm"] and stored.hash_matches()
    page = HttpClient()
    page.force_login(cast.ana_user)
    printed = page.get(f"/staff/tidewater/appointments/{forearm_note.appointment_id}/note/print/").content.decode()
    assert "Left forearm" in printed and "Pelvic floor (internal)" not in printed


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes_notechecklist SET holds = '[]' WHERE id = %s",
        "UPDATE notes_notechecklist SET fields = NULL WHERE id = %s",
        "UPDATE notes_notechecklist SET version = version + 10 WHERE id = %s",
        "UPDATE notes_notechecklist SET version = version WHERE id = %s",
        "DELETE FROM notes_notechecklist WHERE id = %s",
    ],
    ids=["holds", "fields", "version", "touch", "delete"],
)
def test_the_database_refuses_every_change_of_a_version(forearm_note: SessionNote, sql: str) -> None:
    assert forearm_note.checklist is not None
    before = NoteChecklist.objects.values().get(pk=forearm_note.checklist.pk)
    with pytest.raises(DatabaseRefusal, match=REFUSED):
        raw(sql, [forearm_note.checklist.pk])
    assert NoteChecklist.objects.values().get(pk=forearm_note.checklist.pk) == before


def test_the_publishers_login_may_still_be_cleared(forearm_note: SessionNote) -> None:
    # The model's SET_NULL when a login is removed: the only change the triggers let through.
    assert forearm_note.checklist is not None
    raw("UPDATE notes_notechecklist SET created_by_id = NULL WHERE id = %s", [forearm_note.checklist.pk])
    assert NoteChecklist.objects.get(pk=forearm_note.checklist.pk).created_by_id is None
    assert SessionNote.objects.get(pk=forearm_note.pk).hash_matches()


def test_postgresql_refuses_to_truncate_the_versions(forearm_note: SessionNote) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseRefusal):
        raw("TRUNCATE notes_notechecklist CASCADE")
    assert NoteChecklist.objects.count() == 1


def test_a_version_changed_past_the_triggers_no_longer_matches_the_signature(forearm_note: SessionNote) -> None:
    # Whoever owns the tables can set the triggers aside; the v3 signature covers the ticked labels.
    assert forearm_note.hash_format == HASH_FORMAT_LISTS
    assert forearm_note.checklist is not None
    with guards.set_aside(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notes_notechecklist SET regions = %s WHERE id = %s",
            [_relabelled(forearm_note), forearm_note.checklist.pk],
        )
    stored = SessionNote.objects.select_related("checklist").get(pk=forearm_note.pk)
    assert stored.region_labels == ["Pelvic floor (internal)"]
    assert not stored.hash_matches()
    assert note_data(stored)["hash_matches"] is False


def test_a_v3_notes_hash_is_recomputed_from_its_data_with_the_labels(forearm_note: SessionNote) -> None:
    data = note_data(SessionNote.objects.select_related("checklist", "cosignature").get(pk=forearm_note.pk))
    assert data["hash_format"] == HASH_FORMAT_LISTS
    assert data["region_labels"] == ["Left forearm"] and data["hold_labels"] == []
    after = ("status", "hash_format", "template_fields", "content_hash", "hash_matches", "addenda")
    content = {k: v for k, v in data.items() if k not in (*after, "awaiting_cosignature", "cosignature")}
    assert content_hash(content, fmt=data["hash_format"]) == data["content_hash"]


def test_a_note_signed_before_v3_keeps_its_format_and_hash(forearm_note: SessionNote) -> None:
    # A note signed with practice lists before v3 existed: no signed_format stored, v1 content.
    with guards.set_aside(), connection.cursor() as cursor:
        old = SessionNote.objects.select_related("checklist").get(pk=forearm_note.pk)
        old.signed_format = None
        old_hash = content_hash(old.content(), fmt=HASH_FORMAT)
        cursor.execute(
            "UPDATE notes_sessionnote SET signed_format = NULL, content_hash = %s WHERE id = %s",
            [old_hash, forearm_note.pk],
        )
    stored = SessionNote.objects.select_related("checklist").get(pk=forearm_note.pk)
    assert stored.hash_format == HASH_FORMAT and "region_labels" not in stored.content()
    assert stored.hash_matches()


def test_a_note_with_the_shipped_lists_stays_v1(cast: Cast, visit: Callable[..., Any]) -> None:
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=1), by=ana, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=ana)
    note = sign_note(note, by=ana, now=timezone.now(), consents_on_file=frozenset({"treatment"}))
    assert note.signed_format is None and note.hash_format == HASH_FORMAT and note.hash_matches()


def test_the_demo_resets_with_a_published_checklist() -> None:
    seed_demo()
    from longtide.practice.models import Practice

    practice = Practice.objects.get(slug=DEMO_SLUG)
    lists = checklists.current(practice)
    checklists.publish(
        practice,
        regions="\n".join(item.label for item in lists.regions) + "\nLeft forearm",
        holds="\n".join(item.label for item in lists.holds),
        by=Actor.system(),
        now=timezone.now(),
    )
    assert NoteChecklist.objects.filter(practice=practice).exists()
    remove_demo()
    assert not NoteChecklist.objects.exists() and not Practice.objects.filter(slug=DEMO_SLUG).exists()
    seed_demo()
    assert Practice.objects.filter(slug=DEMO_SLUG).exists()
    test_the_guards_are_in_place()


def test_the_guards_are_in_place() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'notes_notechecklist'::regclass AND NOT tgisinternal"
            )
            expected = {"notes_checklist_locked", "notes_checklist_no_truncate"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'notes_notechecklist'")
            expected = {"notes_checklist_no_update", "notes_checklist_no_delete"}
        assert {name for (name,) in cursor.fetchall()} == expected
