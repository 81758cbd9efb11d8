"""The rules a booking request must meet, and the errors that say which one it did not."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from longtide.clients.models import Client
from longtide.practice.models import Practice, Service
from longtide.scheduling.models import Appointment, Refusal, Status


class BookingError(Exception):
    """A booking request that cannot be met; `code` is stable for the API, `field` names the input."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class SlotTaken(BookingError):
    """The time is not (or no longer) free: a lost race, or a time that was never offered."""

    status = 409

    def __init__(self, message: str | None = None) -> None:
        super().__init__("slot_taken", message or _("Sorry, that time was just taken. Please choose another."), "start")


class NotSaved(BookingError):
    """The database could not save the change (it is down, full or locked for too long): nothing
    was booked or changed, and trying again may work."""

    status = 503

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            "not_saved",
            message or _("We could not save your booking just now, so nothing was booked. Please try again."),
        )


class IdempotencyKeyReused(BookingError):
    """An idempotency key sent again with a different request (as payment APIs answer it: 422)."""

    status = 422

    def __init__(self, earlier: Appointment) -> None:
        super().__init__(
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was already used for a different booking request. "
                "Send a new key with each new request; repeat a key only to retry the same request."
            ),
        )
        self.earlier = earlier


class TooManyBookings(BookingError):
    """More online bookings than the practice takes from one email or network address (429)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


class PolicyRefused(BookingError):
    """The practice's policy does not allow this online (e.g. inside the cancellation window)."""

    status = 409


def check_policy(practice: Practice, start: datetime, now: datetime, *, for_staff: bool) -> None:
    """Raise a specific BookingError when `start` is in the past, inside the notice or beyond the horizon."""
    if start <= now:
        raise BookingError("in_past", _("That time has already passed. Please choose a time in the future."), "start")
    if for_staff:
        return
    if start < now + practice.min_notice:
        hours = practice.min_notice_hours
        notice = ngettext(
            "Online bookings need at least %(hours)d hour's notice.",
            "Online bookings need at least %(hours)d hours' notice.",
            hours,
        ) % {"hours": hours}
        call = (
            _("For sooner appointments, please call %(phone)s.") % {"phone": practice.phone}
            if practice.phone
            else _("For sooner appointments, please call us.")
        )
        raise BookingError("too_soon", f"{notice} {call}", "start")
    if start > now + practice.horizon:
        days = practice.booking_horizon_days
        raise BookingError(
            "too_far",
            ngettext("You can book up to %(days)d day ahead.", "You can book up to %(days)d days ahead.", days)
            % {"days": days},
            "start",
        )


def first_visit_services(practice: Practice) -> list[Service]:
    return list(practice.services.active().filter(is_first_visit=True))


def is_new_client(client: Client, *, excluding: int | None = None) -> bool:
    """Return whether the client has no visit here that went ahead or is booked (holds not counted)."""
    went_ahead = (Status.BOOKED, Status.COMPLETED, Status.NO_SHOW)
    return not Appointment.objects.filter(client=client, status__in=went_ahead).exclude(pk=excluding or 0).exists()


def first_visit_refusal(appointment: Appointment) -> BookingError | None:
    """Return why a held booking may not be confirmed under the first-visit rule, or None.

    Judged when the owner of the address confirms, never when the booking is made: only then may
    the answer depend on the stored client (docs/booking-privacy.md).
    """
    practice, service = appointment.practice, appointment.service
    if not practice.new_clients_first_visit or service.is_first_visit:
        return None
    firsts = first_visit_services(practice)
    if not firsts or not is_new_client(appointment.client, excluding=appointment.pk):
        return None
    names = _(" or ").join(f"“{s.name}”" for s in firsts)
    return BookingError(
        "first_visit_required",
        _(
            "New clients start with a first visit (%(names)s), which includes time for intake. This request is "
            "not confirmed and its time is released: please book a first visit instead."
        )
        % {"names": names},
        "service",
    )


def refused(refusal: Refusal | None) -> None:
    """Raise a model rule's refusal (Appointment.*_refusal) as the booking error callers handle."""
    if refusal is not None:
        raise PolicyRefused(refusal.code, refusal.message)
