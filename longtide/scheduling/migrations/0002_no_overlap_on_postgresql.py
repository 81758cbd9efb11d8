"""PostgreSQL only: the database itself forbids overlapping appointments per practitioner and room.

SQLite has no exclusion constraints; there the booking transaction is IMMEDIATE (settings), which
serializes the overlap check and the insert. The status list matches `OCCUPYING` in models.py.
"""

from django.db import migrations

CONSTRAINTS = [
    ("appointment_no_practitioner_overlap", "practitioner_id"),
    ("appointment_no_room_overlap", "room_id"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&) "
            "WHERE (status IN ('booked', 'no_show', 'completed'))"
        )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
