from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "longtide.intake"
    label = "intake"
    verbose_name = _("Intake, consent and safety screening")

    def ready(self) -> None:
        from longtide.intake import messages
        from longtide.notifications.subjects import SubjectHooks, register_subject, register_veto

        hooks = SubjectHooks(
            unwanted_because=messages.unwanted_because,
            links=messages.links_for,
            current_recipient=messages.current_recipient,
        )
        register_subject("intake-link", hooks)
        register_subject("intake", hooks)
        # No reminder for a visit held by an open EMERGENCY flag (status.py).
        register_veto("appointment", messages.reminder_held_because)
