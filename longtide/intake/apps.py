from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "longtide.intake"
    label = "intake"
    verbose_name = "Intake, consent and safety screening"
