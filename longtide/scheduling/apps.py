from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "longtide.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        # Plug the booking side into the outbox's worker (longtide/notifications/subjects.py):
        # whether a message about a visit is still wanted, its private links, its current address.
        from longtide.notifications.subjects import SubjectHooks, register_planner, register_subject
        from longtide.scheduling import booking_messages, reminders, waitlist

        register_subject(
            "appointment",
            SubjectHooks(
                unwanted_because=booking_messages.unwanted_because,
                links=booking_messages.links,
                current_recipient=booking_messages.current_recipient,
                compose=booking_messages.compose_at_send,
            ),
        )
        register_planner("reminders", reminders.plan_reminders)
        register_subject(
            "waitlist",
            SubjectHooks(
                unwanted_because=waitlist.unwanted_because,
                links=waitlist.links,
                current_recipient=waitlist.current_recipient,
            ),
        )
        register_planner("waitlist", waitlist.plan_offers)
