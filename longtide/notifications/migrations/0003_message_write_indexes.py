"""Four indexes fewer to write per queued message (every booking queues one):

* practice_id alone: message_about (practice, about) and message_outbox_page (practice,
  -created_at) lead with it, so every query by practice (and a practice's deletion) can use them;
* the `_like` copy of uid's unique index (varchar_pattern_ops, for LIKE 'abc%', which nothing asks
  of a uid: it is looked up by equality, through the unique index);
* created_by and resend_of, now partial (most messages have neither; a look-up by either asks for a
  value, e.g. a user's or a message's deletion setting it to NULL, and so uses the partial index).

Only the indexes: AlterField would also drop and re-add (and so re-validate) the foreign keys on
PostgreSQL. The `_like` index is Django's own companion of a unique CharField on PostgreSQL, not
part of the migration state; Django drops it with IF EXISTS when the field changes.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PLAIN = (["practice_id"], ["created_by_id"], ["resend_of_id"])
KEPT = ("message_created_by", "message_resend_of")


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("notifications", "Message")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    for name, info in found.items():
        plain = info["index"] and not info["unique"] and not info["primary_key"] and not info["foreign_key"]
        uid_like = info["columns"] == ["uid"] and name.endswith("_like")
        if plain and name not in KEPT and (info["columns"] in PLAIN or uid_like):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("notifications", "Message")
    for field in ("practice", "created_by", "resend_of"):
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(field)]))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("uid")))


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("practice", "0013_student_supervisor"),
        ("notifications", "0002_compose_at_send"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="practice",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="practice.practice",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
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
                migrations.AlterField(
                    model_name="message",
                    name="resend_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="resends",
                        to="notifications.message",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)), fields=["created_by"], name="message_created_by"
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("resend_of__isnull", False)), fields=["resend_of"], name="message_resend_of"
            ),
        ),
    ]
