"""PostgreSQL only: held bookings hold their time too, so the exclusion constraints (0002) cover
'held'. A hold whose time has lapsed is marked 'expired' under the booking locks before another
booking takes its time (booking.still_free), so the constraint never sees the two together.

The status list matches `OCCUPYING` in models.py.
"""

from django.db import migrations

CONSTRAINTS = [
    ("appointment_no_practitioner_overlap", "practitioner_id"),
    ("appointment_no_room_overlap", "room_id"),
]


def _replace(schema_editor, statuses: str) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS {name}")
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&) "
            f"WHERE (status IN ({statuses}))"
        )


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(schema_editor, "'booked', 'held', 'no_show', 'completed'")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(schema_editor, "'booked', 'no_show', 'completed'")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0005_held_bookings")]
    operations = [migrations.RunPython(forwards, backwards)]
