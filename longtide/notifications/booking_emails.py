"""Emails to a client about their booking: confirmed, rescheduled, cancelled.

Each email is plain text with an HTML alternative and an .ics attachment, sent from
DEFAULT_FROM_EMAIL with replies going to the practice's own address when it has one.

Privacy: these emails travel over ordinary mail and sit in inboxes, so they carry no clinical
content. The templates never see the appointment itself, only the non-clinical facts that
`_facts` copies out of it (when, where, with whom, what service, how to change it); the
client's booking note in particular never reaches a template or the calendar file.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from longtide.notifications.ics import appointment_ics

if TYPE_CHECKING:
    from longtide.scheduling.models import Appointment

ICS_FILENAME = "appointment.ics"


def send_booking_confirmation(appointment: Appointment, manage_url: str) -> None:
    """Send the client the confirmation of a new booking, with the calendar entry attached."""
    facts = _facts(appointment, manage_url)
    _send(
        appointment,
        subject=f"Your appointment at {facts['practice_name']} on {facts['short_when']}",
        template="booking_confirmation",
        facts=facts,
        cancelled=False,
    )


def send_booking_rescheduled(appointment: Appointment, manage_url: str | None) -> None:
    """Send the client the new time of a moved booking; the attachment updates the same calendar entry.

    Without a manage link (one that can no longer be derived, e.g. after SECRET_KEY was rotated),
    the email points the client to the link in their booking confirmation instead.
    """
    facts = _facts(appointment, manage_url)
    _send(
        appointment,
        subject=f"Your appointment at {facts['practice_name']} has moved to {facts['short_when']}",
        template="booking_rescheduled",
        facts=facts,
        cancelled=False,
    )


def send_booking_cancelled(appointment: Appointment) -> None:
    """Tell the client a booking is cancelled; the attachment removes the calendar entry."""
    facts = _facts(appointment, manage_url="")
    _send(
        appointment,
        subject=f"Cancelled: your appointment at {facts['practice_name']} on {facts['short_when']}",
        template="booking_cancelled",
        facts=facts,
        cancelled=True,
    )


def _send(appointment: Appointment, *, subject: str, template: str, facts: dict[str, Any], cancelled: bool) -> None:
    practice = appointment.practice
    text = _tidy(render_to_string(f"notifications/{template}.txt", facts))
    html = render_to_string(f"notifications/{template}.html", facts)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.client.email],
        reply_to=[practice.email] if practice.email else None,
        # RFC 3834: an automatic notification, so out-of-office replies are not sent back.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.attach(
        ICS_FILENAME,
        _calendar_file(appointment, facts, cancelled=cancelled),
        f"text/calendar; method={'CANCEL' if cancelled else 'REQUEST'}",
    )
    message.send()


def _facts(appointment: Appointment, manage_url: str | None) -> dict[str, Any]:
    """The only things the email templates may show: nothing clinical, no booking note."""
    practice = appointment.practice
    location = appointment.location
    practitioner = appointment.practitioner
    zone = location.zone
    start = appointment.start.astimezone(zone)
    end = appointment.end.astimezone(zone)
    window_hours = practice.cancellation_window_hours
    deadline = (appointment.start - practice.cancellation_window).astimezone(zone)
    manage_url = manage_url or ""
    if manage_url.startswith("/"):
        manage_url = f"{settings.PUBLIC_BASE_URL}{manage_url}"
    start_zone, end_zone = start.tzname() or "", end.tzname() or ""
    if start_zone == end_zone:
        times = f"{_clock(start)}–{_clock(end)} {start_zone}"
    else:  # A session across a daylight-saving change.
        times = f"{_clock(start)} {start_zone} – {_clock(end)} {end_zone}"
    minutes = int(appointment.duration.total_seconds() // 60)
    return {
        "client_first_name": appointment.client.first_name,
        "practice_name": practice.name,
        "practice_email": practice.email,
        "practice_phone": practice.phone,
        "service_name": appointment.service.name,
        "practitioner_name": practitioner.display_name,
        "practitioner_credentials": practitioner.credentials,
        "date": dateformat.format(start, "l j F Y"),
        "times": times,
        "zone_abbreviation": start_zone,
        "zone_name": location.time_zone,
        "short_when": f"{dateformat.format(start, 'D j M')}, {_clock(start)}",
        "duration": f"{minutes} minute{'' if minutes == 1 else 's'}",
        "location_name": location.name,
        "location_address": location.one_line_address,
        "manage_url": manage_url,
        "window_hours": window_hours,
        "window": f"{window_hours} hour{'' if window_hours == 1 else 's'}",
        "deadline": f"{dateformat.format(deadline, 'D j M')}, {_clock(deadline)} {deadline.tzname() or ''}".strip(),
        "can_change_online": timezone.now() <= deadline,
        "cancellation_policy": practice.cancellation_policy.strip(),
    }


def _calendar_file(appointment: Appointment, facts: dict[str, Any], *, cancelled: bool) -> bytes:
    practice = appointment.practice
    where = ", ".join(part for part in (facts["location_name"], facts["location_address"]) if part)
    if cancelled:
        description = f"Cancelled. {practice.name} is happy to find you another time."
    else:
        lines = [f"{facts['service_name']} with {facts['practitioner_name']} at {practice.name}."]
        if facts["manage_url"]:
            lines.append(f"Cancel or reschedule: {facts['manage_url']}")
        lines.append(f"Changes online until {facts['window']} before the start.")
        description = "\n".join(lines)
    return appointment_ics(
        uid=f"appointment-{appointment.pk}@{practice.slug}.longtide",
        start=appointment.start,
        end=appointment.end,
        summary=f"{facts['service_name']} with {facts['practitioner_name']} ({practice.name})",
        location=where,
        description=description,
        organizer_email=practice.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        sequence=_sequence(appointment, cancelled=cancelled),
        cancelled=cancelled,
    )


def _sequence(appointment: Appointment, *, cancelled: bool) -> int:
    """The iCalendar SEQUENCE: the appointment's own counter (bumped on every move), one more to cancel.

    A cancellation must outrank the last request sent; nothing is sent for the entry after it.
    """
    return appointment.sequence + 1 if cancelled else appointment.sequence


def _clock(moment: datetime) -> str:
    return dateformat.format(moment, "H:i")


def _tidy(text: str) -> str:
    """Plain-text templates leave blank lines where tags were: trim trailing spaces and runs of blanks."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
