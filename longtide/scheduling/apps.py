from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "longtide.scheduling"
    label = "scheduling"
