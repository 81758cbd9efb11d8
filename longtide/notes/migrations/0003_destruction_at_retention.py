"""Signed notes and addenda may be deleted only as part of a retention destruction.

0002's triggers refuse every UPDATE and DELETE of a signed note or an addendum. A record past its
retention date must still be destroyable (`longtide retention --apply`, records/retention.py), so a
DELETE now passes when the database holds a destruction permit for the note's client
(records.DestructionPermit). The retention code writes the permit and removes it inside the one
transaction that destroys the record, so no other connection ever sees it; UPDATE stays refused
always, and TRUNCATE too. Whoever can write a permit row by hand could also drop a trigger: the
triggers stop the app and casual SQL, the SHA-256 of each signature and the audit trail's
`destroy` row show what was done.
"""

from django.db import migrations

PERMITTED = "EXISTS (SELECT 1 FROM records_destructionpermit p WHERE p.client_id = {client})"
NOTE_CLIENT = PERMITTED.format(client="OLD.client_id")
ADDENDUM_CLIENT = (
    "EXISTS (SELECT 1 FROM records_destructionpermit p JOIN notes_sessionnote n ON n.client_id = p.client_id "
    "WHERE n.id = OLD.note_id)"
)

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION notes_signed_note_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND {NOTE_CLIENT} THEN
            RETURN OLD;
        END IF;
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
    f"""
    CREATE OR REPLACE FUNCTION notes_addendum_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND {ADDENDUM_CLIENT} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'signed notes are locked: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS notes_addendum_append_only ON notes_noteaddendum",
    """
    CREATE TRIGGER notes_addendum_append_only BEFORE UPDATE OR DELETE ON notes_noteaddendum
        FOR EACH ROW EXECUTE FUNCTION notes_addendum_locked()
    """,
]
POSTGRES_BACKWARDS = [
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
    "DROP TRIGGER IF EXISTS notes_addendum_append_only ON notes_noteaddendum",
    """
    CREATE TRIGGER notes_addendum_append_only BEFORE UPDATE OR DELETE ON notes_noteaddendum
        FOR EACH ROW EXECUTE FUNCTION notes_append_only()
    """,
    "DROP FUNCTION IF EXISTS notes_addendum_locked()",
]
SQLITE_FORWARDS = [
    "DROP TRIGGER IF EXISTS notes_signed_no_delete",
    f"""
    CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote
    WHEN OLD.status = 'signed' AND NOT {NOTE_CLIENT}
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",
    f"""
    CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_noteaddendum
    WHEN NOT {ADDENDUM_CLIENT}
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_signed_no_delete",
    """
    CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",
    """
    CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_noteaddendum
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
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
    dependencies = [("notes", "0002_signed_notes_locked"), ("records", "0004_destruction_permit")]
    operations = [migrations.RunPython(forwards, backwards)]
