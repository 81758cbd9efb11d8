"""How many online bookings one email address and one network address may make: the practice's
settings (`online_bookings_per_email_per_day`, `online_bookings_per_ip_per_hour`).

Only bookings made count. A request first checks that there is room left (so a refused visitor
costs no search), and the booking's own transaction then adds itself to both counters; if that
takes a counter over the limit (requests racing from one address), the transaction rolls back, the
booking with it. A lost race for a time, a refusal or a failure counts nothing, so fifty people
racing for one time still see forty-nine "that time was just taken". Staff bookings are not
limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from longtide.practice.models import Practice
from longtide.ratelimit.counters import Limit, hit_each, key_for, used_each
from longtide.scheduling.booking_rules import TooManyBookings


@dataclass(frozen=True, slots=True)
class BookingLimit:
    limit: Limit
    per: str  # "email" or "address"


def booking_limits(practice: Practice, *, email: str, address: str) -> list[BookingLimit]:
    """Return the practice's limits for a booking with this email address from this network address."""
    return limits_for(
        practice.pk,
        practice.online_bookings_per_email_per_day,
        practice.online_bookings_per_ip_per_hour,
        email=email,
        address=address,
    )


def limits_for(practice_id: int, per_email: int, per_address: int, *, email: str, address: str) -> list[BookingLimit]:
    """booking_limits from the practice's id and its two settings (no Practice needed: the booking
    API names the keys before it has read the practice; only the keys and windows matter then)."""
    found = [
        BookingLimit(
            Limit(key_for("booking-email", str(practice_id), email.strip().casefold()), per_email, timedelta(days=1)),
            "email",
        )
    ]
    if address:
        limit = Limit(key_for("booking-address", str(practice_id), address), per_address, timedelta(hours=1))
        found.append(BookingLimit(limit, "address"))
    return found


def check_room_left(
    practice: Practice, limits: list[BookingLimit], now: datetime, *, used: list[int] | None = None
) -> None:
    """Raise TooManyBookings when a limit is already used up (before any search or lock).

    `used`: the counts when the caller has read them already (search.candidates_and_rooms)."""
    counts = used if used is not None else used_each([each.limit for each in limits], now)
    for each, count in zip(limits, counts, strict=True):
        if count >= each.limit.most:
            raise refusal(practice, each, now)


def count_booking(practice: Practice, limits: list[BookingLimit], now: datetime) -> None:
    """Count a booking being made, inside its transaction; raise TooManyBookings (rolling it back) past a limit."""
    # One statement, always in the same order, so concurrent bookings never wait on each other in a cycle.
    check_counted(practice, limits, hit_each([each.limit for each in limits], now), now)


def check_counted(practice: Practice, limits: list[BookingLimit], counts: list[int], now: datetime) -> None:
    """count_booking's check when the counters were hit by another statement (the booking's insert,
    booking._insert_if_free): raise TooManyBookings (rolling the booking back) past a limit."""
    for each, count in zip(limits, counts, strict=True):
        if count > each.limit.most:
            raise refusal(practice, each, now)


def refusal(practice: Practice, each: BookingLimit, now: datetime) -> TooManyBookings:
    """The TooManyBookings for a limit passed (also when the check ran in SQL: booking._book_in_one_call)."""
    wait = each.limit.retry_after(now)
    if wait >= 3600:
        hours = -(-wait // 3600)
        when = ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    else:
        minutes = max(1, -(-wait // 60))
        when = ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}
    contact = practice.phone or practice.email
    call = _(" or contact us: %(contact)s") % {"contact": contact} if contact else ""
    if each.per == "email":
        message = _(
            "This email address has been used for as many online bookings as %(practice)s takes in a day. "
            "Please try again %(when)s%(call)s."
        )
    else:
        message = _(
            "Your network has made as many online bookings as %(practice)s takes in an hour. "
            "Please try again %(when)s%(call)s."
        )
    return TooManyBookings(message % {"practice": practice.name, "when": when, "call": call}, retry_after=wait)
