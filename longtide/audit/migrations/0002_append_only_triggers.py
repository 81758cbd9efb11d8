"""The database refuses UPDATE and DELETE of audit rows (and, on PostgreSQL, TRUNCATE of the table).

The app has no update or delete path either (models.py); these triggers stop anyone with plain SQL
access. Someone who can drop or disable a trigger (the table's owner, a superuser) can still change
rows: the hash chain makes that visible to `longtide audit verify`.
"""

from django.db import migrations

POSTGRES_FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_FORWARDS = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
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
    dependencies = [("audit", "0001_trail")]
    operations = [migrations.RunPython(forwards, backwards)]
