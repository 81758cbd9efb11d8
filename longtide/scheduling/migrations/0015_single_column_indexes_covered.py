"""Drop the single-column indexes on appointment.practice, .practitioner and .room.

The composite indexes appt_practice_start (practice_id, start), appt_practitioner_range and
appt_room_range (practitioner_id / room_id, blocked_start, blocked_end) lead with the same columns,
so every query by those columns alone (and the foreign-key checks of a delete) can use them; the
single-column ones only cost writes (three fewer indexes to update per booking).

Only the indexes are dropped: AlterField would also drop and re-add (and so re-validate) the
foreign keys on PostgreSQL, a scan of the whole table for nothing.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (["practice_id"], ["practitioner_id"], ["room_id"])


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("scheduling", "Appointment")._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    for name, info in found.items():
        plain = info["index"] and not info["unique"] and not info["primary_key"] and not info["foreign_key"]
        if plain and info["columns"] in COLUMNS:
            schema_editor.execute(schema_editor._delete_index_sql(apps.get_model("scheduling", "Appointment"), name))


def create_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("scheduling", "Appointment")
    for field in ("practice", "practitioner", "room"):
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(field)]))


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0013_student_supervisor"),
        ("scheduling", "0014_busy_versions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name=name,
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to=f"practice.{name}",
                    ),
                )
                for name in ("practice", "practitioner", "room")
            ],
        ),
    ]
