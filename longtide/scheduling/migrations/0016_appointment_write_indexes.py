"""Two indexes fewer to write per booking: the `_like` copy of manage_token_hash's unique index
(varchar_pattern_ops, for LIKE 'abc%', which nothing asks of a token's hash: it is looked up by
equality, through the unique index) and the full index on created_by, now partial (online and API
bookings have no creator; the look-ups by creator, e.g. a user's deletion setting it to NULL, ask
for a value and so use the partial index).

Only the indexes: AlterField would also drop and re-add (and so re-validate) the foreign key on
PostgreSQL. The `_like` index is Django's own companion of a unique CharField on PostgreSQL, not
part of the migration state; Django drops it with IF EXISTS when the field changes.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _found(schema_editor: Any, model: Any) -> dict[str, Any]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return dict(connection.introspection.get_constraints(cursor, model._meta.db_table))


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("scheduling", "Appointment")
    for name, info in _found(schema_editor, model).items():
        plain = info["index"] and not info["unique"] and not info["primary_key"] and not info["foreign_key"]
        token_like = info["columns"] == ["manage_token_hash"] and name.endswith("_like")
        creator = info["columns"] == ["created_by_id"] and not info.get("definition")
        if plain and (token_like or creator) and name != "appt_created_by":
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("scheduling", "Appointment")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field("created_by")]))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("manage_token_hash")))


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0015_single_column_indexes_covered"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)), fields=["created_by"], name="appt_created_by"
            ),
        ),
    ]
