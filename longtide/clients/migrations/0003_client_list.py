"""The client list: email optional (phone-only clients booked by staff), the phone's digits kept by the
database, and indexes for the list's order and its prefix searches.

PostgreSQL compares LIKE 'abc%' through an index only with a pattern operator class (the database's
collation is not C); SQLite has no operator classes, so these four are PostgreSQL's only.
"""

import django.db.models.functions.text
from django.db import migrations, models


PREFIX_INDEXES = {
    "client_first_name_prefix": "lower(first_name) text_pattern_ops",
    "client_last_name_prefix": "lower(last_name) text_pattern_ops",
    "client_email_prefix": "lower(email) text_pattern_ops",
    "client_phone_prefix": "phone_digits varchar_pattern_ops",
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in PREFIX_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON clients_client (practice_id, {column})")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in PREFIX_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0002_reminder_channel'),
        ('practice', '0007_online_booking_limits'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='client',
            name='one_client_per_email_per_practice',
        ),
        migrations.AddField(
            model_name='client',
            name='phone_digits',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(models.F('phone'), models.Value(' '), models.Value('')), models.Value('+'), models.Value('')), models.Value('('), models.Value('')), models.Value(')'), models.Value('')), models.Value('.'), models.Value('')), models.Value('/'), models.Value('')), models.Value('-'), models.Value('')), output_field=models.CharField(max_length=40)),
        ),
        migrations.AlterField(
            model_name='client',
            name='email',
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['practice', 'last_name', 'first_name', 'id'], name='client_list_order'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('practice'), condition=models.Q(('email', ''), _negated=True), name='one_client_per_email_per_practice'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
