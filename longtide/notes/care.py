"""Who is in a client's care team, for `access.chart_access`: the practitioners (their logins) who
have seen or are booked to see the client. Held online bookings that were never confirmed, and
cancelled visits, make nobody part of it."""

from __future__ import annotations

from longtide.clients.models import Client
from longtide.scheduling.models import Appointment, Status

CARE_STATUSES = (Status.BOOKED, Status.COMPLETED, Status.NO_SHOW)


def care_team_user_ids(client: Client) -> set[int]:
    ids = (
        Appointment.objects.filter(client=client, status__in=CARE_STATUSES, practitioner__user__isnull=False)
        .values_list("practitioner__user_id", flat=True)
        .distinct()
    )
    return {int(pk) for pk in ids}
