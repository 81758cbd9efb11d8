"""A client's care team: the practitioners who have seen or will see the client (practice/access.py
gives them the client's chart). A booking still held for the confirmation of its email address, and
a cancelled one, make nobody part of it."""

from __future__ import annotations

from longtide.practice.models import Practitioner
from longtide.scheduling.models import Appointment, Status

# Seen (completed, or booked and missed) or will see (booked).
CARE_STATUSES = (Status.BOOKED, Status.COMPLETED, Status.NO_SHOW)


def care_team(client_id: int) -> list[Practitioner]:
    """Return the client's care team, by name."""
    ids = Appointment.objects.filter(client_id=client_id, status__in=CARE_STATUSES).values("practitioner_id")
    return list(Practitioner.objects.filter(pk__in=ids).order_by("display_name"))


def care_team_user_ids(client_id: int) -> set[int]:
    """Return the user ids of the client's care team (practitioners with a login)."""
    return {p.user_id for p in care_team(client_id) if p.user_id is not None}
