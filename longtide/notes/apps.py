from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "longtide.notes"
    label = "notes"
    verbose_name = "Session notes"
    default_auto_field = "django.db.models.BigAutoField"
