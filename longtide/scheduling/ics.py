"""iCalendar (RFC 5545) files: the one-event file in appointment emails (iTIP, RFC 5546) and a
practitioner's subscribed calendar feed.

One appointment is one calendar entry: the UID stays the same for its whole life, and each
change (a reschedule, a cancellation) is sent with a higher SEQUENCE so that calendar programs
update or remove the entry they already have instead of adding a second one.

Which iTIP method (RFC 5546 §3.2): a REQUEST and a CANCEL must name the ORGANIZER and the
ATTENDEE(s). When both addresses are known, the email's file is a REQUEST (or CANCEL) with the
client as the one attendee, already accepted and asked for no reply (PARTSTAT=ACCEPTED,
RSVP=FALSE): the client asked for the time, so there is nothing to answer. When either address is
missing, the file is a PUBLISH ("add this to my calendar"), and a cancellation is the same entry
published again with STATUS:CANCELLED and a higher SEQUENCE.

A feed (`feed_ics`) has no METHOD: it is a calendar to subscribe to (RFC 5545 alone), whose
clients replace their copy with each fetch, so a cancelled visit is simply no longer in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDuration

PRODID = "-//Longtide//Appointments//EN"
FEED_PRODID = "-//Longtide//Practitioner calendar feed//EN"


def itip_method(*, organizer_email: str, attendee_email: str, cancelled: bool) -> str:
    """The METHOD an appointment email's .ics carries (see the module's docstring)."""
    if organizer_email and attendee_email:
        return "CANCEL" if cancelled else "REQUEST"
    return "PUBLISH"


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
    attendee_email: str = "",
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """Return a one-event iCalendar file for an appointment, as bytes.

    METHOD is REQUEST (add or update the entry) or, when `cancelled`, CANCEL (remove it), with the
    organizer and the client as attendee; PUBLISH when either address is empty (`itip_method`).
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
    method = itip_method(organizer_email=organizer_email, attendee_email=attendee_email, cancelled=cancelled)
    calendar.add("method", method)

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
    if method != "PUBLISH":
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "ACCEPTED"
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One entry of a practitioner's feed: only what a shared calendar may show (no health details)."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    tentative: bool = False
    modified: datetime | None = None


def feed_ics(
    events: Iterable[FeedEvent],
    *,
    name: str,
    zone: str,
    refresh: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> bytes:
    """Return a subscribable calendar (no METHOD) with the events in the practice's time zone.

    Times are written with TZID=`zone` and the zone's VTIMEZONE (its DST rules), so that a calendar
    shows 10:00 at the clinic as 10:00 on both sides of a clock change; clients in other zones
    convert. REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL ask clients to fetch again every
    `refresh`; Google and Apple decide for themselves how often they do.
    """
    tz = ZoneInfo(zone)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", FEED_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    for item in events:
        start, end = _utc(item.start, "start").astimezone(tz), _utc(item.end, "end").astimezone(tz)
        if not start < end:
            raise ValueError(f"start must be before end, got {start} .. {end}")
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        if item.modified is not None:
            event.add("last-modified", _utc(item.modified, "modified").replace(microsecond=0))
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        event.add("status", "TENTATIVE" if item.tentative else "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data
