"""The database refuses to change or remove a signed note, and any addendum.

PostgreSQL: a row trigger refuses UPDATE and DELETE of a row whose stored status is `signed` (a
draft may be saved and signed; from then on nothing changes), another refuses every UPDATE and
DELETE of an addendum, and statement triggers refuse TRUNCATE of either table. SQLite: the same row
rules as triggers (SQLite has no TRUNCATE). The app has no such path either (models.py); these stop
anyone with plain SQL access. Whoever can drop a trigger (the tables' owner) can still change a row:
the SHA-256 kept with each signature shows it.
"""

from django.db import migrations

POSTGRES_FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION notes_signed_note_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'signed notes are locked: % refused on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'signed notes are locked: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER notes_signed_note_locked BEFORE UPDATE OR DELETE ON notes_sessionnote
        FOR EACH ROW EXECUTE FUNCTION notes_signed_note_locked()
    """,
    """
    CREATE TRIGGER notes_note_no_truncate BEFORE TRUNCATE ON notes_sessionnote
        FOR EACH STATEMENT EXECUTE FUNCTION notes_append_only()
    """,
    """
    CREATE TRIGGER notes_addendum_append_only BEFORE UPDATE OR DELETE ON notes_noteaddendum
        FOR EACH ROW EXECUTE FUNCTION notes_append_only()
    """,
    """
    CREATE TRIGGER notes_addendum_no_truncate BEFORE TRUNCATE ON notes_noteaddendum
        FOR EACH STATEMENT EXECUTE FUNCTION notes_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_addendum_no_truncate ON notes_noteaddendum",
    "DROP TRIGGER IF EXISTS notes_addendum_append_only ON notes_noteaddendum",
    "DROP TRIGGER IF EXISTS notes_note_no_truncate ON notes_sessionnote",
    "DROP TRIGGER IF EXISTS notes_signed_note_locked ON notes_sessionnote",
    "DROP FUNCTION IF EXISTS notes_append_only()",
    "DROP FUNCTION IF EXISTS notes_signed_note_locked()",
]
SQLITE_FORWARDS = [
    """
    CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes_sessionnote WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
    """
    CREATE TRIGGER notes_addendum_no_update BEFORE UPDATE ON notes_noteaddendum
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_noteaddendum
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_signed_no_update",
    "DROP TRIGGER IF EXISTS notes_signed_no_delete",
    "DROP TRIGGER IF EXISTS notes_addendum_no_update",
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",
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
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
