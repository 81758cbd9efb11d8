from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "longtide.practice"
    label = "practice"
    verbose_name = "Practice"
