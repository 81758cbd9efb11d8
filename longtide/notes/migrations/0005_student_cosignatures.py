"""A student's signed note awaits their supervisor's co-signature: a row of its own, never changed.

The schema: `SessionNote.cosign_by` (and the supervisor's name), set when a student signs, and
`NoteCosignature`. The guards: as for addenda (0002, 0003), the database refuses every UPDATE and
DELETE of a co-signature, except a DELETE inside a retention destruction (a DestructionPermit for the
note's client), and on PostgreSQL TRUNCATE. On SQLite, adding the columns and the check rebuilds the
notes table, which drops its triggers, and which SQLite refuses while another table's trigger names
it (the addendum's DELETE guard): that one is dropped first, and all are made again as 0003 left
them (both ways).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PERMITTED_VIA_NOTE = (
    "EXISTS (SELECT 1 FROM records_destructionpermit p JOIN notes_sessionnote n ON n.client_id = p.client_id "
    "WHERE n.id = OLD.note_id)"
)
NOTE_PERMITTED = "EXISTS (SELECT 1 FROM records_destructionpermit p WHERE p.client_id = OLD.client_id)"

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION notes_cosignature_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND {PERMITTED_VIA_NOTE} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'signed notes are locked: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER notes_cosignature_append_only BEFORE UPDATE OR DELETE ON notes_notecosignature
        FOR EACH ROW EXECUTE FUNCTION notes_cosignature_locked()
    """,
    """
    CREATE TRIGGER notes_cosignature_no_truncate BEFORE TRUNCATE ON notes_notecosignature
        FOR EACH STATEMENT EXECUTE FUNCTION notes_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_cosignature_no_truncate ON notes_notecosignature",
    "DROP TRIGGER IF EXISTS notes_cosignature_append_only ON notes_notecosignature",
    "DROP FUNCTION IF EXISTS notes_cosignature_locked()",
]
SQLITE_NOTE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS notes_signed_no_update",
    """
    CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes_sessionnote WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: UPDATE refused'); END
    """,
    "DROP TRIGGER IF EXISTS notes_signed_no_delete",
    f"""
    CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes_sessionnote
    WHEN OLD.status = 'signed' AND NOT {NOTE_PERMITTED}
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
]
SQLITE_ADDENDUM_TRIGGER = [
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",
    f"""
    CREATE TRIGGER notes_addendum_no_delete BEFORE DELETE ON notes_noteaddendum
    WHEN NOT {PERMITTED_VIA_NOTE}
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
]
SQLITE_FORWARDS = [
    *SQLITE_NOTE_TRIGGERS,
    *SQLITE_ADDENDUM_TRIGGER,
    """
    CREATE TRIGGER notes_cosignature_no_update BEFORE UPDATE ON notes_notecosignature
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER notes_cosignature_no_delete BEFORE DELETE ON notes_notecosignature
    WHEN NOT {PERMITTED_VIA_NOTE}
    BEGIN SELECT RAISE(ABORT, 'signed notes are locked: DELETE refused'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS notes_cosignature_no_update",
    "DROP TRIGGER IF EXISTS notes_cosignature_no_delete",
    "DROP TRIGGER IF EXISTS notes_addendum_no_delete",  # the rebuild going back: made again after it
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


def before_rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS notes_addendum_no_delete", params=None)


def after_rebuild_going_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*SQLITE_NOTE_TRIGGERS, *SQLITE_ADDENDUM_TRIGGER]:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0005_client_merged_into'),
        ('notes', '0004_practice_note_checklists'),
        ('practice', '0013_student_supervisor'),
        ('records', '0004_destruction_permit'),
        ('scheduling', '0012_waitlist_told_gone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(before_rebuild, after_rebuild_going_back),
        migrations.CreateModel(
            name='NoteCosignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cosigner_name', models.CharField(max_length=150)),
                ('cosigner_credential', models.CharField(blank=True, max_length=200)),
                ('cosigned_at', models.DateTimeField()),
                ('content_hash', models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='sessionnote',
            name='cosign_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sessionnote',
            name='cosign_by_name',
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddConstraint(
            model_name='sessionnote',
            constraint=models.CheckConstraint(condition=models.Q(('cosign_by__isnull', True), ('status', 'signed'), _connector='OR'), name='note_cosign_by_only_when_signed'),
        ),
        migrations.AddField(
            model_name='notecosignature',
            name='cosigner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='notecosignature',
            name='note',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='cosignature', to='notes.sessionnote'),
        ),
        migrations.AddConstraint(
            model_name='notecosignature',
            constraint=models.CheckConstraint(condition=models.Q(('content_hash', ''), _negated=True), name='cosignature_has_hash'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
