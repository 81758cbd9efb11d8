from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "longtide.backups"
    label = "backups"
    verbose_name = "Backups"
