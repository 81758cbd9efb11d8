"""iCalendar (RFC 5545) files for appointment emails, in the iTIP (RFC 5546) style.

One appointment is one calendar entry: the UID stays the same for its whole life, and each
change (a reschedule, a cancellation) is sent with a higher SEQUENCE so that calendar programs
update or remove the entry they already have instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Longtide//Appointments//EN"


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def appointment_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    organizer_email: str,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """Return a one-event iCalendar file for an appointment, as bytes.

    METHOD is REQUEST (add or update the entry) or, when `cancelled`, CANCEL (remove it).
    DTSTART, DTEND and DTSTAMP are written in UTC. `uid` must be stable for the appointment
    (e.g. ``appointment-42@tidewater.longtide``) and `sequence` must grow with every change
    sent, including the cancellation. ORGANIZER is left out when `organizer_email` is empty.
    """
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if not start_utc < end_utc:
        raise ValueError(f"start must be before end, got {start_utc} .. {end_utc}")
    if sequence < 0:
        raise ValueError(f"sequence must not be negative, got {sequence}")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    event.add("dtstart", start_utc)
    event.add("dtend", end_utc)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if organizer_email:
        event.add("organizer", f"mailto:{organizer_email}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
