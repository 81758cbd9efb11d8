from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementConfig(AppConfig):
    name = "longtide.measurement"
    label = "measurement"
    verbose_name = _("Outcomes: episodes, questionnaires and the headache diary")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from longtide.measurement import messages, schedule
        from longtide.notifications.subjects import SubjectHooks, register_planner, register_subject

        register_subject(
            "outcomes-link",
            SubjectHooks(
                unwanted_because=messages.unwanted_because,
                links=messages.links_for,
                current_recipient=messages.current_recipient,
            ),
        )
        # Episodes open at booking and their questionnaires go at their timepoints (schedule.py).
        register_planner("outcomes", schedule.plan_outcomes)
