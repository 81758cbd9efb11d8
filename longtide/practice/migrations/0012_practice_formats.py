"""The practice's formats (lib/formats.py): its locale and its 12- or 24-hour clock; currency codes
are checked against CLDR's list (a validator, no schema change).

The columns are added with plain ALTER TABLE ... ADD COLUMN (a database default, which the models
state as db_default) on both databases: Django would rebuild practice_practice on SQLite for a NOT
NULL column, and a rebuild drops the public_version triggers of migration 0010.
"""

import longtide.practice.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0011_booking_policy_bounds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE practice_practice ADD COLUMN clock_hours smallint NOT NULL DEFAULT 12 "
                    "CHECK (clock_hours IN (12, 24))",
                    "ALTER TABLE practice_practice DROP COLUMN clock_hours",
                ),
                migrations.RunSQL(
                    "ALTER TABLE practice_practice ADD COLUMN locale varchar(10) NOT NULL DEFAULT 'en-US'",
                    "ALTER TABLE practice_practice DROP COLUMN locale",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="practice",
                    name="clock_hours",
                    field=models.PositiveSmallIntegerField(
                        choices=[(12, "12-hour (2:00 PM)"), (24, "24-hour (14:00)")],
                        db_default=12,
                        default=12,
                        help_text="How times are written on your pages and in emails and texts.",
                        verbose_name="Clock",
                    ),
                ),
                migrations.AddField(
                    model_name="practice",
                    name="locale",
                    field=models.CharField(
                        choices=[
                            ("en-US", "English (United States)"),
                            ("en-CA", "English (Canada)"),
                            ("en-GB", "English (United Kingdom)"),
                            ("en-IE", "English (Ireland)"),
                            ("en-AU", "English (Australia)"),
                            ("en-NZ", "English (New Zealand)"),
                            ("fr-CA", "French (Canada)"),
                            ("fr-FR", "French (France)"),
                            ("fr-CH", "French (Switzerland)"),
                            ("de-DE", "German (Germany)"),
                            ("de-AT", "German (Austria)"),
                            ("de-CH", "German (Switzerland)"),
                            ("nl-NL", "Dutch (Netherlands)"),
                            ("es-ES", "Spanish (Spain)"),
                            ("es-MX", "Spanish (Mexico)"),
                            ("it-IT", "Italian (Italy)"),
                            ("pt-PT", "Portuguese (Portugal)"),
                            ("pt-BR", "Portuguese (Brazil)"),
                            ("sv-SE", "Swedish (Sweden)"),
                            ("da-DK", "Danish (Denmark)"),
                            ("nb-NO", "Norwegian (Norway)"),
                        ],
                        db_default="en-US",
                        default="en-US",
                        help_text="Prices follow this region's conventions ($150, 150 €). Page text is in English.",
                        max_length=10,
                        verbose_name="Formats (language and region)",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="practice",
            name="currency",
            field=models.CharField(
                default="USD",
                help_text="ISO 4217 code, e.g. USD, CAD, GBP, EUR.",
                max_length=3,
                validators=[longtide.practice.models.validate_currency],
            ),
        ),
    ]
