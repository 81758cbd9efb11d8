from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "longtide.records"
    label = "records"
    verbose_name = "Clinical records"
