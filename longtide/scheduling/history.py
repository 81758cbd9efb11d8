"""An appointment's history: who created, confirmed, moved, cancelled or marked it, when, and from
what to what (AppointmentEvent). The booking actions (booking.py) record each event inside the
change's own transaction, so a change and its history commit or roll back together, whichever
path made it: staff pages, online booking, the manage link, the API or a waitlist offer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from longtide.scheduling.models import Appointment, AppointmentEvent, Channel, EventKind, Source


@dataclass(frozen=True, slots=True)
class ChangedBy:
    """Who made a change: a signed-in user (staff pages, a staff API token) or nobody (the client
    through their private link, the public API, or the system), and through what."""

    channel: str
    user: AbstractBaseUser | None = None

    @classmethod
    def staff(cls, user: AbstractBaseUser | AnonymousUser | None) -> ChangedBy:
        return cls(Channel.STAFF, user if isinstance(user, AbstractBaseUser) else None)

    @classmethod
    def client_link(cls) -> ChangedBy:
        return cls(Channel.MANAGE_LINK)

    @classmethod
    def api(cls, user: AbstractBaseUser | None = None) -> ChangedBy:
        return cls(Channel.API, user)

    @classmethod
    def system(cls) -> ChangedBy:
        return cls(Channel.SYSTEM)

    @classmethod
    def for_source(cls, source: str, user: AbstractBaseUser | AnonymousUser | None) -> ChangedBy:
        """Who created a booking, from its source."""
        channel = {
            Source.STAFF: Channel.STAFF,
            Source.API: Channel.API,
            Source.WAITLIST: Channel.WAITLIST,
        }.get(Source(source), Channel.ONLINE)
        return cls(channel, user if isinstance(user, AbstractBaseUser) else None)

    @property
    def name(self) -> str:
        if self.user is None:
            return ""
        full = getattr(self.user, "get_full_name", lambda: "")()
        return str(full or self.user.get_username())


def record(
    appointment: Appointment, kind: str, by: ChangedBy, *, now: datetime, from_status: str = "", **details: Any
) -> AppointmentEvent:
    """Record one change (call it inside the change's transaction). `details`: from/to start and
    practitioner, reason, decided_by. The new status is the appointment's as it is now."""
    return AppointmentEvent.objects.create(
        appointment=appointment,
        at=now,
        kind=kind,
        channel=by.channel,
        by_user=by.user,  # type: ignore[misc]
        by_name=by.name,
        from_status=from_status,
        to_status=appointment.status,
        **details,
    )


def record_expired(appointment_ids: Iterable[int], *, now: datetime, reason: str) -> None:
    """Holds the system let go (their time passed unconfirmed and another booking wanted it)."""
    events = [
        AppointmentEvent(
            appointment_id=pk,
            at=now,
            kind=EventKind.EXPIRED,
            channel=Channel.SYSTEM,
            from_status="held",
            to_status="expired",
            reason=reason,
        )
        for pk in appointment_ids
    ]
    AppointmentEvent.objects.bulk_create(events)


def who(event: AppointmentEvent) -> str:
    """The actor as the history shows it: a person's name, or what acted for nobody in particular."""
    if event.by_name:
        return (
            event.by_name
            if event.channel == Channel.STAFF
            else _("%(name)s, through the API") % {"name": event.by_name}
        )
    return {
        Channel.STAFF: _("A staff member"),
        Channel.ONLINE: _("The client, booking online"),
        Channel.MANAGE_LINK: _("The client via manage link"),
        Channel.API: _("The client, through the API"),
        Channel.WAITLIST: _("The waitlist (a freed time offered)"),
        Channel.SYSTEM: _("The system"),
    }.get(Channel(event.channel), _("The system"))
