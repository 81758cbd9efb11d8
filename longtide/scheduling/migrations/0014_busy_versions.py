"""BusyVersion, changed by the database on every change to a practitioner's or a room's busy time.

The availability cache (scheduling/slot_cache.py) keys what it keeps by these numbers, so they must
move with every change a search reads: working hours, hours exceptions and time off (the
practitioner's number), and appointments (the practitioner's and the room's, before and after an
update). Triggers, so that no change escapes them (a save, a queryset update, a bulk insert, the
admin, plain SQL), in the transaction that makes the change.

PostgreSQL: statement-level triggers with transition tables, so a set-based insert of a million
appointments (large_clinic.add_history) changes each number once, not once a row; the numbers are
upserted in (kind, ref) order. An appointment update changes them only when a column a search
reads changed (practitioner, room, status, blocked range, hold_until): a note or a reminder flag
does not empty the cache. SQLite: the same as row triggers.
"""

from django.db import migrations, models

TABLE = "scheduling_busyversion"
HOURS = ["scheduling_workinghours", "scheduling_hoursexception", "scheduling_timeoff"]
APPOINTMENTS = "scheduling_appointment"
SEARCHED = ["practitioner_id", "room_id", "status", "blocked_start", "blocked_end", "hold_until"]

# A random number (52 bits on PostgreSQL, 63 on SQLite), drawn afresh with every change, rather than
# a count: a number then names one state of the rows it covers, whatever happens to the database
# after, so a rolled-back change or a restored backup can never pair a number a worker has cached
# under with other rows (a count would be handed out again after either).
PG_RANDOM = "floor(random() * 4503599627370496)::bigint"
SQLITE_RANDOM = "(random() & 9223372036854775807)"
UPSERT = (
    f"INSERT INTO {TABLE} (kind, ref, version) SELECT k, r, {PG_RANDOM} FROM ({{rows}}) s WHERE r IS NOT NULL "
    f"ORDER BY k, r ON CONFLICT (kind, ref) DO UPDATE SET version = {PG_RANDOM}"
)


def _old_new(columns: list[str]) -> tuple[str, str]:
    return ", ".join(f"o.{c}" for c in columns), ", ".join(f"n.{c}" for c in columns)


_OLD, _NEW = _old_new(SEARCHED)

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION scheduling_busy_version_hours() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {UPSERT.format(rows="SELECT DISTINCT 1 AS k, practitioner_id AS r FROM new_rows")};
        ELSIF TG_OP = 'DELETE' THEN
            {UPSERT.format(rows="SELECT DISTINCT 1 AS k, practitioner_id AS r FROM old_rows")};
        ELSE
            {
        UPSERT.format(
            rows="SELECT 1 AS k, practitioner_id AS r FROM old_rows UNION SELECT 1, practitioner_id FROM new_rows"
        )
    };
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION scheduling_busy_version_appointment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {
        UPSERT.format(rows="SELECT 1 AS k, practitioner_id AS r FROM new_rows UNION SELECT 2, room_id FROM new_rows")
    };
        ELSIF TG_OP = 'DELETE' THEN
            {
        UPSERT.format(rows="SELECT 1 AS k, practitioner_id AS r FROM old_rows UNION SELECT 2, room_id FROM old_rows")
    };
        ELSE
            WITH changed AS (
                SELECT o.practitioner_id AS op, o.room_id AS orm, n.practitioner_id AS np, n.room_id AS nr
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})
            )
            {
        UPSERT.format(
            rows="SELECT 1 AS k, op AS r FROM changed UNION SELECT 1, np FROM changed "
            "UNION SELECT 2, orm FROM changed UNION SELECT 2, nr FROM changed"
        )
    };
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    *(
        statement
        for table, function in [
            *((t, "scheduling_busy_version_hours") for t in HOURS),
            (APPOINTMENTS, "scheduling_busy_version_appointment"),
        ]
        for statement in (
            f"CREATE TRIGGER {table}_busy_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_busy_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_busy_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        )
    ),
]
POSTGRES_BACKWARDS = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_busy_{op} ON {table}"
        for table in [*HOURS, APPOINTMENTS]
        for op in ("insert", "update", "delete")
    ),
    "DROP FUNCTION IF EXISTS scheduling_busy_version_hours()",
    "DROP FUNCTION IF EXISTS scheduling_busy_version_appointment()",
]


def _sqlite_bump(kind: int, refs: list[str]) -> str:
    values = ", ".join(f"({kind}, {ref}, 0)" for ref in refs)
    return (
        f"INSERT OR IGNORE INTO {TABLE} (kind, ref, version) VALUES {values}; "
        f"UPDATE {TABLE} SET version = {SQLITE_RANDOM} WHERE kind = {kind} AND ref IN ({', '.join(refs)});"
    )


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SEARCHED)
SQLITE_FORWARDS = [
    *(
        statement
        for table in HOURS
        for statement in (
            f"CREATE TRIGGER {table}_busy_insert AFTER INSERT ON {table} FOR EACH ROW "
            f"BEGIN {_sqlite_bump(1, ['NEW.practitioner_id'])} END",
            f"CREATE TRIGGER {table}_busy_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"BEGIN {_sqlite_bump(1, ['OLD.practitioner_id', 'NEW.practitioner_id'])} END",
            f"CREATE TRIGGER {table}_busy_delete AFTER DELETE ON {table} FOR EACH ROW "
            f"BEGIN {_sqlite_bump(1, ['OLD.practitioner_id'])} END",
        )
    ),
    f"CREATE TRIGGER {APPOINTMENTS}_busy_insert AFTER INSERT ON {APPOINTMENTS} FOR EACH ROW "
    f"BEGIN {_sqlite_bump(1, ['NEW.practitioner_id'])} {_sqlite_bump(2, ['NEW.room_id'])} END",
    f"CREATE TRIGGER {APPOINTMENTS}_busy_update AFTER UPDATE ON {APPOINTMENTS} FOR EACH ROW WHEN {_CHANGED} "
    f"BEGIN {_sqlite_bump(1, ['OLD.practitioner_id', 'NEW.practitioner_id'])} "
    f"{_sqlite_bump(2, ['OLD.room_id', 'NEW.room_id'])} END",
    f"CREATE TRIGGER {APPOINTMENTS}_busy_delete AFTER DELETE ON {APPOINTMENTS} FOR EACH ROW "
    f"BEGIN {_sqlite_bump(1, ['OLD.practitioner_id'])} {_sqlite_bump(2, ['OLD.room_id'])} END",
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {table}_busy_{op}"
    for table in [*HOURS, APPOINTMENTS]
    for op in ("insert", "update", "delete")
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
    dependencies = [("scheduling", "0013_opening_kept_when_visit_destroyed")]

    operations = [
        migrations.CreateModel(
            name="BusyVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.PositiveSmallIntegerField()),
                ("ref", models.BigIntegerField()),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "ref"), name="busy_version_one_per_thing")]
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
