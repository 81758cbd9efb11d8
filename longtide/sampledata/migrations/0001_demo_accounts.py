import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The logins earlier versions of `longtide demo` created. They are marked as demo accounts only if
# they still look exactly as the demo left them (the demo's address, a role in the demo practice),
# so that `longtide demo --reset` keeps working on an existing demo database.
EARLIER_DEMO_LOGINS = ["owner", "frontdesk", "maya", "jonah", "ines"]


def mark_earlier_demo_logins(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    DemoAccount = apps.get_model("sampledata", "DemoAccount")
    for username in EARLIER_DEMO_LOGINS:
        user = User.objects.filter(
            username=username,
            email=f"{username}@stillwater-demo.invalid",
            is_superuser=False,
            memberships__practice__slug="demo",
        ).first()
        if user is not None:
            DemoAccount.objects.get_or_create(user=user)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("practice", "0002_service_duration_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="DemoAccount",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="demo_account",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(mark_earlier_demo_logins, migrations.RunPython.noop),
    ]
