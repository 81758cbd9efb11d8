"""A practice's setup number (BusyVersion kind 3, ref the practice's id), drawn afresh by the database
on every change to what a booking's read ahead keeps per process (scheduling/setup_cache.py): its
practitioners, locations and services, who offers which service, and the weekly working hours.

Triggers, as migration 0014's, so that no change escapes them (a save, a queryset update, a bulk
insert, the admin, plain SQL), in the transaction that makes the change. Row triggers on both
databases: these tables change a row or a handful at a time (staff editing a practice's setup), and
a row trigger can look the practice up from each row. A random number per change, as 0014's: it
names one state of those rows for good (a rolled-back change or a restored backup cannot hand it
out again).
"""

from django.db import migrations

TABLE = "scheduling_busyversion"
SETUP = 3
# table -> how a row names its practice: its own practice_id, or through a practitioner or a service.
OWN = ["practice_practitioner", "practice_location", "practice_service"]
THROUGH = {"scheduling_workinghours": "practitioner", "practice_service_practitioners": "service"}
LOOKUP = {"practitioner": "practice_practitioner", "service": "practice_service"}

PG_RANDOM = "floor(random() * 4503599627370496)::bigint"

POSTGRES_FORWARDS = [
    # TG_ARGV[0]: the row's column naming the practice ('practice_id') or what leads to it
    # ('practitioner_id', 'service_id'), TG_ARGV[1]: the table holding that row's practice_id, or ''.
    f"""
    CREATE OR REPLACE FUNCTION scheduling_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        refs bigint[] := ARRAY[]::bigint[];
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            refs := refs || (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            refs := refs || (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
        END IF;
        IF TG_ARGV[1] <> '' THEN
            EXECUTE format('SELECT array_agg(practice_id) FROM %I WHERE id = ANY($1)', TG_ARGV[1])
                INTO refs USING refs;
        END IF;
        INSERT INTO {TABLE} (kind, ref, version)
            SELECT {SETUP}, r, {PG_RANDOM} FROM (SELECT DISTINCT r FROM unnest(refs) r WHERE r IS NOT NULL) s
            ORDER BY r ON CONFLICT (kind, ref) DO UPDATE SET version = {PG_RANDOM};
        RETURN NULL;
    END;
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_setup_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION scheduling_setup_version('{column}', '{lookup}')"
        for table, column, lookup in [
            *((t, "practice_id", "") for t in OWN),
            *((t, f"{through}_id", LOOKUP[through]) for t, through in THROUGH.items()),
        ]
    ),
]
POSTGRES_BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {table}_setup_version ON {table}" for table in [*OWN, *THROUGH]),
    "DROP FUNCTION IF EXISTS scheduling_setup_version()",
]

SQLITE_RANDOM = "(random() & 9223372036854775807)"


def _sqlite_bump(refs: list[str]) -> str:
    values = ", ".join(f"({SETUP}, {ref}, 0)" for ref in refs)
    return (
        f"INSERT OR IGNORE INTO {TABLE} (kind, ref, version) VALUES {values}; "
        f"UPDATE {TABLE} SET version = {SQLITE_RANDOM} WHERE kind = {SETUP} AND ref IN ({', '.join(refs)});"
    )


def _practice(table: str, row: str) -> str:
    """SQL for the practice id of the trigger's OLD or NEW row (`row`) of `table`."""
    through = THROUGH.get(table)
    if through is None:
        return f"{row}.practice_id"
    return f"(SELECT practice_id FROM {LOOKUP[through]} WHERE id = {row}.{through}_id)"


SQLITE_FORWARDS = [
    statement
    for table in [*OWN, *THROUGH]
    for statement in (
        f"CREATE TRIGGER {table}_setup_insert AFTER INSERT ON {table} FOR EACH ROW "
        f"BEGIN {_sqlite_bump([_practice(table, 'NEW')])} END",
        f"CREATE TRIGGER {table}_setup_update AFTER UPDATE ON {table} FOR EACH ROW "
        f"BEGIN {_sqlite_bump([_practice(table, 'OLD'), _practice(table, 'NEW')])} END",
        f"CREATE TRIGGER {table}_setup_delete AFTER DELETE ON {table} FOR EACH ROW "
        f"BEGIN {_sqlite_bump([_practice(table, 'OLD')])} END",
    )
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {table}_setup_{op}" for table in [*OWN, *THROUGH] for op in ("insert", "update", "delete")
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
    dependencies = [
        ("scheduling", "0016_appointment_write_indexes"),
        ("practice", "0014_service_bounds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
