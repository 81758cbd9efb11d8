from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "longtide.checkins"
    label = "checkins"
    verbose_name = _("After-session check-ins")

    def ready(self) -> None:
        # The worker plans the check-in messages (notifications/subjects.py) and, right before
        # sending one, asks whether the client has answered already.
        from longtide.checkins import actions
        from longtide.notifications.subjects import register_planner, register_veto

        register_planner("checkins", actions.plan_checkins)
        register_veto("appointment", actions.checkin_unwanted_because)
