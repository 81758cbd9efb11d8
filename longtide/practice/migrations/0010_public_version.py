"""Practice.public_version, raised by the database on every change that public pages show.

Triggers, so that no change escapes them (a save, a queryset update, the admin, plain SQL): the
practice row itself; its practitioners, services and locations (insert, update, delete); and the
links of who offers which service. The public page cache (web/public/page_cache.py) keys pages by
this number, so the next request after any such change renders afresh.
"""

from django.db import migrations, models

import longtide.practice.models

CHILDREN = ["practice_practitioner", "practice_service", "practice_location"]
LINKS = "practice_service_practitioners"

POSTGRES_FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION practice_public_version_own() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Always from the stored number: a save of a practice read before another change writes
        -- the number it read, which must not take the version back.
        NEW.public_version := OLD.public_version + 1;
        RETURN NEW;
    END;
    $$
    """,
    """
    CREATE TRIGGER practice_public_version BEFORE UPDATE ON practice_practice
        FOR EACH ROW EXECUTE FUNCTION practice_public_version_own()
    """,
    """
    CREATE OR REPLACE FUNCTION practice_public_version_child() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE practice_practice SET public_version = public_version + 1 WHERE id = OLD.practice_id;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.practice_id IS DISTINCT FROM OLD.practice_id) THEN
            UPDATE practice_practice SET public_version = public_version + 1 WHERE id = NEW.practice_id;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_public_version AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION practice_public_version_child()
        """
        for table in CHILDREN
    ),
    """
    CREATE OR REPLACE FUNCTION practice_public_version_link() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE practice_practice SET public_version = public_version + 1
                WHERE id = (SELECT practice_id FROM practice_service WHERE id = OLD.service_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE practice_practice SET public_version = public_version + 1
                WHERE id = (SELECT practice_id FROM practice_service WHERE id = NEW.service_id);
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {LINKS}_public_version AFTER INSERT OR UPDATE OR DELETE ON {LINKS}
        FOR EACH ROW EXECUTE FUNCTION practice_public_version_link()
    """,
]
POSTGRES_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {LINKS}_public_version ON {LINKS}",
    *(f"DROP TRIGGER IF EXISTS {table}_public_version ON {table}" for table in CHILDREN),
    "DROP TRIGGER IF EXISTS practice_public_version ON practice_practice",
    "DROP FUNCTION IF EXISTS practice_public_version_link()",
    "DROP FUNCTION IF EXISTS practice_public_version_child()",
    "DROP FUNCTION IF EXISTS practice_public_version_own()",
]

BUMP = "UPDATE practice_practice SET public_version = public_version + 1 WHERE id"
SQLITE_FORWARDS = [
    # Always one more than the stored number: a save of a practice read before another change
    # writes the number it read, which must not take the version back. The children's UPDATE of
    # the practice fires this too; its WHEN stops a second raise (and recursive_triggers is off).
    """
    CREATE TRIGGER practice_public_version AFTER UPDATE ON practice_practice FOR EACH ROW
        WHEN NEW.public_version IS NOT OLD.public_version + 1
    BEGIN UPDATE practice_practice SET public_version = OLD.public_version + 1 WHERE id = NEW.id; END
    """,
    *(
        statement
        for table in CHILDREN
        for statement in (
            f"CREATE TRIGGER {table}_public_version_insert AFTER INSERT ON {table} FOR EACH ROW "
            f"BEGIN {BUMP} = NEW.practice_id; END",
            f"CREATE TRIGGER {table}_public_version_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"BEGIN {BUMP} IN (OLD.practice_id, NEW.practice_id); END",
            f"CREATE TRIGGER {table}_public_version_delete AFTER DELETE ON {table} FOR EACH ROW "
            f"BEGIN {BUMP} = OLD.practice_id; END",
        )
    ),
    f"CREATE TRIGGER {LINKS}_public_version_insert AFTER INSERT ON {LINKS} FOR EACH ROW "
    f"BEGIN {BUMP} = (SELECT practice_id FROM practice_service WHERE id = NEW.service_id); END",
    f"CREATE TRIGGER {LINKS}_public_version_update AFTER UPDATE ON {LINKS} FOR EACH ROW "
    f"BEGIN {BUMP} IN (SELECT practice_id FROM practice_service WHERE id IN (OLD.service_id, NEW.service_id)); END",
    f"CREATE TRIGGER {LINKS}_public_version_delete AFTER DELETE ON {LINKS} FOR EACH ROW "
    f"BEGIN {BUMP} = (SELECT practice_id FROM practice_service WHERE id = OLD.service_id); END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS practice_public_version",
    *(
        f"DROP TRIGGER IF EXISTS {table}_public_version_{op}"
        for table in [*CHILDREN, LINKS]
        for op in ("insert", "update", "delete")
    ),
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
    dependencies = [("practice", "0009_note_overdue_days")]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="public_version",
            field=models.PositiveBigIntegerField(default=longtide.practice.models.first_public_version, editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
