"""The bounds of a service's length and buffers, checked in the database: they were checked only by
the forms and the model's validators, which a script or a bulk update skips, and overlap queries
rely on them (scheduling.models.MAX_BLOCK: an appointment holds less than a day).

PostgreSQL: CHECK constraints (ALTER TABLE ... ADD CONSTRAINT). SQLite cannot add a constraint to
a table, and Django would rebuild practice_service to do it, which drops the public_version
triggers of migration 0010 (see 0012): there, BEFORE INSERT and BEFORE UPDATE triggers refuse the
same rows with SQLITE_CONSTRAINT (an IntegrityError, as the CHECK gives). The models state the
constraints either way.
"""

from typing import Any

from django.db import migrations, models

LENGTH = "duration_minutes >= 5 AND duration_minutes <= 720"
BUFFERS = "buffer_before_minutes <= 240 AND buffer_after_minutes <= 240"


def refuse_services_out_of_bounds(apps: Any) -> None:
    """Name any service outside the bounds, rather than fail with the database's bare message:
    its owner decides its length, not this migration."""
    Service = apps.get_model("practice", "Service")
    outside = Service.objects.exclude(
        models.Q(duration_minutes__gte=5, duration_minutes__lte=720)
        & models.Q(buffer_before_minutes__lte=240, buffer_after_minutes__lte=240)
    ).values_list("pk", "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes")
    found = [
        f"service {pk} ({name!r}): {length} minutes, buffers {before} and {after}"
        for pk, name, length, before, after in outside
    ]
    if found:
        raise RuntimeError(
            "A session lasts 5 to 720 minutes and a buffer at most 240; change these first, then "
            "migrate again: " + "; ".join(found)
        )


def forwards(apps: Any, schema_editor: Any) -> None:
    refuse_services_out_of_bounds(apps)
    if schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER practice_service_bounds_{event.lower()} BEFORE {event} ON practice_service "
                f"FOR EACH ROW WHEN NOT ({LENGTH.replace('duration', 'NEW.duration')} AND "
                f"{BUFFERS.replace('buffer_', 'NEW.buffer_')}) "
                "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: service_length_bounded or "
                "service_buffers_bounded'); END"
            )
    else:
        schema_editor.execute(f"ALTER TABLE practice_service ADD CONSTRAINT service_length_bounded CHECK ({LENGTH})")
        schema_editor.execute(f"ALTER TABLE practice_service ADD CONSTRAINT service_buffers_bounded CHECK ({BUFFERS})")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS practice_service_bounds_{event}")
    else:
        for name in ("service_length_bounded", "service_buffers_bounded"):
            schema_editor.execute(f"ALTER TABLE practice_service DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0013_student_supervisor"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddConstraint(
                    model_name="service",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("duration_minutes__gte", 5), ("duration_minutes__lte", 720)),
                        name="service_length_bounded",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="service",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("buffer_before_minutes__lte", 240), ("buffer_after_minutes__lte", 240)),
                        name="service_buffers_bounded",
                    ),
                ),
            ],
        ),
    ]
