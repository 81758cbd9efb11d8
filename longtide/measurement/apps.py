from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "longtide.measurement"
    label = "measurement"
    verbose_name = "Outcomes: episodes, questionnaires and the headache diary"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from longtide.measurement import messages
        from longtide.notifications.subjects import SubjectHooks, register_subject

        register_subject(
            "outcomes-link",
            SubjectHooks(
                unwanted_because=messages.unwanted_because,
                links=messages.links_for,
                current_recipient=messages.current_recipient,
            ),
        )
