"""The database refuses to change or remove a version of a practice's note template (NoteChecklist).

A signed note's ticks and fields mean what its version's lists and fields say (region and hold keys
are labelled from the version's rows), so a version is as locked as the notes written with it: the
model refuses (NoteChecklist.save), and now the database too. PostgreSQL: a row trigger refuses
UPDATE and DELETE, and a statement trigger TRUNCATE; SQLite: the same row rules as triggers. One
UPDATE passes: clearing `created_by` and nothing else (the publisher's login removed: the model's
SET_NULL). Whoever can drop a trigger (the table's owner) can still change a row; a note signed in
hash format v3 has its ticked items' labels in its signed content, so its SHA-256 then shows it.
`longtide.notes.guards.set_aside` sets these aside with the others (`longtide demo --reset`).

On SQLite a later migration that rebuilds notes_notechecklist drops these triggers: it must make
them again, as 0005 does for the notes table.
"""

from django.db import migrations

UNCHANGED = " AND ".join(
    f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
    for column in ("id", "practice_id", "version", "regions", "holds", "fields", "created_at")
)
SQLITE_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in ("id", "practice_id", "version", "regions", "holds", "fields", "created_at")
)

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION notes_checklist_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.created_by_id IS NULL AND {UNCHANGED} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'note template versions are never changed: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER notes_checklist_locked BEFORE UPDATE OR DELETE ON notes_notechecklist
        FOR EACH ROW EXECUTE FUNCTION notes_checklist_locked()
    """,
    """
    CREATE TRIGGER notes_checklist_no_truncate BEFORE TRUNCATE ON notes_notechecklist
        FOR EACH STATEMENT EXECUTE FUNCTION notes_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_checklist_no_truncate ON notes_notechecklist",
    "DROP TRIGGER IF EXISTS notes_checklist_locked ON notes_notechecklist",
    "DROP FUNCTION IF EXISTS notes_checklist_locked()",
]
SQLITE_FORWARDS = [
    f"""
    CREATE TRIGGER notes_checklist_no_update BEFORE UPDATE ON notes_notechecklist
    WHEN NOT (NEW.created_by_id IS NULL AND {SQLITE_UNCHANGED})
    BEGIN SELECT RAISE(ABORT, 'note template versions are never changed: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER notes_checklist_no_delete BEFORE DELETE ON notes_notechecklist
    BEGIN SELECT RAISE(ABORT, 'note template versions are never changed: DELETE refused'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_checklist_no_update",
    "DROP TRIGGER IF EXISTS notes_checklist_no_delete",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("notes", "0006_practice_note_fields")]
    operations = [migrations.RunPython(forwards, backwards)]
