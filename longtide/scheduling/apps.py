from django.apps import AppConfig

# psycopg writes a statement's parameters into its text on the client (Django's cursors), after
# splitting the text at its placeholders. The split is cached per statement text, but only for
# statements of at most 50 parameters; a booking's insert has ~56 (the appointment's columns, the
# overlap checks, the rate-limit counters), so it was split again on every booking (~0.2 ms of
# CPU). The cache stays bounded (an LRU of 128 texts); statements with more parameters than this
# (a planner's many-row inserts) are still not cached. The limit is psycopg's private constant
# (3.3): if a later release renames it, nothing is set and bookings only lose that ~0.2 ms
# (tests/api/test_booking_driver_cache.py then fails, to say so).
PSYCOPG_CACHED_PARAMS = 100
# Likewise its length: at most 4 kB of text; an API booking's first statement (the service, the
# places and the search's inputs, search.service_and_places with `at`) is ~9 kB, and splitting it
# again cost ~1.3 ms of CPU per booking. 128 texts of at most 16 kB stay a bounded cache.
PSYCOPG_CACHED_LENGTH = 16_384


class SchedulingConfig(AppConfig):
    name = "longtide.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from psycopg import _queries

        limit = getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None)
        if isinstance(limit, int):
            _queries.MAX_CACHED_STATEMENT_PARAMS = max(limit, PSYCOPG_CACHED_PARAMS)
        length = getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", None)
        if isinstance(length, int):
            _queries.MAX_CACHED_STATEMENT_LENGTH = max(length, PSYCOPG_CACHED_LENGTH)

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
