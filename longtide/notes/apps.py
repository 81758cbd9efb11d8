from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotesConfig(AppConfig):
    name = "longtide.notes"
    label = "notes"
    verbose_name = _("Session notes")
    default_auto_field = "django.db.models.BigAutoField"
