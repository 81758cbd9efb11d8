"""Messages about bookings: which ones, to whom, by which channel, saying what. Nothing here sends.

The booking actions call `queue_booking_message` inside their transaction, so a booking and its
confirmation commit together (or neither does); reminders and check-ins are created by planners
the worker runs (reminders.py, checkins.py). The outbox and the worker are in
longtide.notifications; this module plugs the booking side into them (`register`).

Privacy: messages travel over ordinary mail and SMS and sit in inboxes, so they carry no
clinical content. Templates see only `visit_fields`, a fixed dictionary of non-clinical facts
(when, where, with whom, what service, how to change it); the booking note is never one of them.
Private links are placeholders, filled in at send time (notifications/links.py), so the outbox
stores no token.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from longtide.clients.models import Client, ReminderChannel
from longtide.notifications.compose import Wording, compose, wordings
from longtide.notifications.links import placeholder
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, ResendRefused, queue, withdraw
from longtide.notifications.phone import e164
from longtide.notifications.subjects import Written
from longtide.practice.models import Location, Practice, Practitioner, Service
from longtide.scheduling.ics import appointment_ics, itip_method
from longtide.scheduling.manage_links import manage_url, token_for
from longtide.scheduling.message_texts import Purpose, kind_for
from longtide.scheduling.models import Appointment, Status

ICS_FILENAME = "appointment.ics"
TRANSACTIONAL = (Purpose.CONFIRMATION, Purpose.RESCHEDULED, Purpose.CANCELLED)
# Written by the worker right before sending (`compose_at_send`), not in the booking's request:
# an online booking then only inserts the outbox row. Both are about a held visit, so they are sent
# only while it is still held (`unwanted_because`), and say what is true then: the practice's
# current name, contact details, formats and wording. Their fields hold nothing that depends on
# the time of sending (REQUEST_FIELDS has no `changes`). The confirmation, move and cancellation
# stay written in their transaction: each records one change (with its calendar file's sequence)
# and goes even when a later change follows it.
COMPOSED_AT_SEND = (Purpose.REQUEST, Purpose.WAITLIST_OFFER)


def about(appointment_id: int) -> str:
    return f"appointment:{appointment_id}"


def reminder_key(appointment_id: int, sequence: int, offset_hours: int) -> str:
    return f"{about(appointment_id)}:s{sequence}:reminder:{offset_hours}h"


def dedupe_key(appointment: Appointment, purpose: Purpose, *, offset_hours: int | None = None) -> str:
    """The key that makes each message about a visit exist once: a reminder once per time the visit
    is booked for (its `sequence`) and offset, the confirmation and the cancellation once ever."""
    base = about(appointment.pk)
    if purpose == Purpose.REMINDER:
        return reminder_key(appointment.pk, appointment.sequence, offset_hours or 0)
    if purpose == Purpose.RESCHEDULED:
        return f"{base}:s{appointment.sequence}:rescheduled"
    return f"{base}:{purpose.removeprefix('booking.')}"


def region_of(appointment: Appointment) -> str:
    return appointment.location.country or "US"


def route(client: Client, purpose: Purpose, *, region: str) -> tuple[Channel, str] | None:
    """Return the channel and address a message about a visit goes to, or None for no message.

    Reminders and check-ins follow the client's choice (`reminder_channel`); texts need their
    recorded consent and a valid number. Confirmations, moves and cancellations go by email when
    there is an address (with the calendar file), else by text when the client agreed to texts.
    Numbers that replied STOP are refused again at send time (notifications.SmsOptOut).
    """
    number = e164(client.phone, region) if client.sms_consent_at else None
    texts_ok = number is not None and client.reminder_channel == ReminderChannel.SMS
    if purpose in (Purpose.REQUEST, Purpose.WAITLIST_OFFER, Purpose.WAITLIST_GONE):  # the address typed
        return (Channel.EMAIL, client.email) if client.email else None
    if purpose in TRANSACTIONAL:
        if client.email:
            return Channel.EMAIL, client.email
        return (Channel.SMS, number) if texts_ok and number else None
    if client.reminder_channel == ReminderChannel.EMAIL and client.email:
        return Channel.EMAIL, client.email
    if texts_ok and number:
        return Channel.SMS, number
    return None


def confirmation_goes_to(appointment: Appointment) -> tuple[Channel, str] | None:
    """Where the confirmation of this visit goes (None: nowhere, e.g. a client with only a phone
    who has not agreed to texts). Staff pages say so, so that someone tells the client the time."""
    return route(appointment.client, Purpose.CONFIRMATION, region=region_of(appointment))


def _clock(moment: datetime, practice: Practice) -> str:
    """Return "2:00 PM" or "14:00", as the practice's pages write it (lib/formats.py)."""
    return practice.formats.clock(moment)


def _date(moment: datetime, practice: Practice, django_format: str) -> str:
    """Return the local date of `moment` in the practice's locale, as its pages write it: "Thu 3 Dec",
    "jeu. 3 déc." (lib/formats.py `date_text`)."""
    return practice.formats.date(moment, django_format)


def _link_or_fallback(has_link: bool) -> str:
    return placeholder("manage_url") if has_link else ""


def _changes(appointment: Appointment, now: datetime, *, has_link: bool) -> str:
    practice = appointment.practice
    zone = appointment.location.zone
    hours = practice.cancellation_window_hours
    window = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    deadline = (appointment.start - practice.cancellation_window).astimezone(zone)
    deadline_text = (
        f"{_date(deadline, practice, 'D j M')}, {_clock(deadline, practice)} {deadline.tzname() or ''}".strip()
    )
    link = _link_or_fallback(has_link)
    # Open only before the deadline: a message written for the deadline itself (the 24-hour
    # reminder with a 24-hour window) reaches the client after it, when changes online are closed.
    if now < appointment.start - practice.cancellation_window:
        until = (
            _("%(window)s before the start (%(deadline)s)") % {"window": window, "deadline": deadline_text}
            if hours
            else _("the appointment starts")
        )
        text = _("Need to cancel or reschedule? You can do it online until %(until)s") % {"until": until}
        text += f":\n{link}" if link else _(", with the link in your booking confirmation email.")
    else:
        text = _(
            "Cancellations and changes online close %(window)s before the start, so this booking can no longer "
            "be changed online. To cancel or reschedule, please contact %(practice)s directly."
        ) % {"window": window, "practice": practice.name}
        if link:
            text += "\n" + _("Your booking: %(link)s") % {"link": link}
    if practice.cancellation_policy.strip():
        text += "\n\n" + _("Cancellation policy: %(policy)s") % {"policy": practice.cancellation_policy.strip()}
    return text


def visit_fields(appointment: Appointment, *, now: datetime, has_link: bool) -> dict[str, str]:
    """The only things booking message templates may show: nothing clinical, no booking note."""
    practice = appointment.practice
    location = appointment.location
    practitioner = appointment.practitioner
    zone = location.zone
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    start_zone, end_zone = start.tzname() or "", end.tzname() or ""
    if start_zone == end_zone:
        times = f"{_clock(start, practice)}–{_clock(end, practice)} {start_zone}"
    else:  # A session across a daylight-saving change.
        times = f"{_clock(start, practice)} {start_zone} – {_clock(end, practice)} {end_zone}"
    minutes = int(appointment.duration.total_seconds() // 60)
    duration = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    who = ", ".join(part for part in (practitioner.display_name, practitioner.credentials) if part)
    where = ", ".join(part for part in (location.name, location.one_line_address) if part)
    date = _date(start, practice, "l j F Y")
    details = "\n".join(
        [
            _("What:  %(service)s (%(duration)s)") % {"service": appointment.service.name, "duration": duration},
            _("With:  %(who)s") % {"who": who},
            _("When:  %(date)s, %(times)s") % {"date": date, "times": times},
            "       " + _("(local time at %(place)s, %(zone)s)") % {"place": location.name, "zone": location.time_zone},
            _("Where: %(where)s") % {"where": where},
        ]
    )
    contact = "\n".join(
        [practice.name]
        + ([_("Phone: %(phone)s") % {"phone": practice.phone}] if practice.phone else [])
        + ([_("Email: %(email)s") % {"email": practice.email}] if practice.email else [])
    )
    return {
        "client_first_name": appointment.client.first_name,
        "practice_name": practice.name,
        "practice_phone": practice.phone,
        "practice_email": practice.email,
        "service_name": appointment.service.name,
        "duration": duration,
        "practitioner_name": who,
        "date": date,
        "day": _date(start, practice, "D j M"),
        "time": times,
        "when": f"{_date(start, practice, 'D j M')}, {_clock(start, practice)}",
        "location_name": location.name,
        "location": where,
        "time_zone": location.time_zone,
        "details": details,
        "changes": _changes(appointment, now, has_link=has_link),
        "cancellation_policy": practice.cancellation_policy.strip(),
        "contact": contact,
        "manage_url": _link_or_fallback(has_link),
        "intake_url": placeholder("intake_url") if has_link else "",
    }


def checkin_fields(appointment: Appointment, *, expires_at: datetime) -> dict[str, str]:
    """The check-in message's own fields: its link (a placeholder) and until when it works."""
    until = expires_at.astimezone(appointment.location.zone)
    at = _clock(until, appointment.practice)
    return {
        "checkin_url": placeholder("checkin_url"),
        "checkin_until": f"{_date(until, appointment.practice, 'l j F')}, {at} {until.tzname() or ''}".strip(),
    }


def preview_fields(practice: Practice, *, now: datetime) -> dict[str, str]:
    """Fields for a made-up visit a week from now at this practice, for the wording preview (nothing saved)."""
    location = practice.locations.first() or Location(practice=practice, name=_("Your location"), time_zone="UTC")
    service = practice.services.first() or Service(practice=practice, name=_("Session"), duration_minutes=60)
    practitioner = practice.practitioners.first() or Practitioner(
        practice=practice, display_name=_("Your practitioner")
    )
    day = (now + timedelta(days=7)).astimezone(location.zone).date()
    start = datetime.combine(day, time(10), tzinfo=location.zone)
    visit = Appointment(
        practice=practice,
        location=location,
        service=service,
        practitioner=practitioner,
        client=Client(practice=practice, first_name=_("Alex")),
        start=start,
        end=start + service.duration,
    )
    fields = visit_fields(visit, now=now, has_link=True)
    fields.update(checkin_fields(visit, expires_at=visit.end + timedelta(days=7)))
    fields["hold_until"] = _hold_until_text(
        Appointment(practice=practice, location=location, hold_until=now + timedelta(hours=1))
    )
    fields["wishes"] = _("%(service)s with any practitioner, Mon, Wed, 09:00–13:00, from the next four weeks") % {
        "service": service.name
    }
    fields["waitlist_url"] = placeholder("waitlist_url")
    return fields


def calendar_file(
    appointment: Appointment, fields: Mapping[str, str], *, cancelled: bool, attendee_email: str = ""
) -> tuple[str, str]:
    """The .ics for a confirmation, a move or a cancellation, and its METHOD.

    A REQUEST (CANCEL) with the client, the email's recipient, as the attendee when the practice
    has an address to name as organizer; else a PUBLISH (ics.itip_method).

    It carries no manage link: calendar entries are often shared (a family or work calendar), and
    anyone who can read the entry could use the link to cancel the visit.
    """
    practice = appointment.practice
    if cancelled:
        description = _("Cancelled. %(practice)s is happy to find you another time.") % {"practice": practice.name}
    else:
        description = "\n".join(
            [
                _("%(service)s with %(who)s at %(practice)s.")
                % {"service": fields["service_name"], "who": fields["practitioner_name"], "practice": practice.name},
                _("To cancel or reschedule, use the link in your confirmation email or contact %(practice)s.")
                % {"practice": practice.name},
            ]
        )
    organizer = practice.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    data = appointment_ics(
        uid=f"appointment-{appointment.pk}@{practice.slug}.longtide",
        start=appointment.start,
        end=appointment.end,
        summary=f"{fields['service_name']} with {appointment.practitioner.display_name} ({practice.name})",
        location=fields["location"],
        description=description,
        organizer_email=organizer,
        attendee_email=attendee_email,
        # A cancellation must outrank the last request sent; nothing is sent for the entry after it.
        sequence=appointment.sequence + 1 if cancelled else appointment.sequence,
        cancelled=cancelled,
    )
    return data.decode(), itip_method(organizer_email=organizer, attendee_email=attendee_email, cancelled=cancelled)


def new_message(
    appointment: Appointment,
    purpose: Purpose,
    *,
    now: datetime,
    wording: Mapping[str, Wording] | None = None,
    send_after: datetime | None = None,
    expires_at: datetime | None = None,
    offset_hours: int | None = None,
    extra_fields: Mapping[str, str] | None = None,
    compose_now: bool = False,
) -> NewMessage | None:
    """Return the message about this visit for `purpose`, or None when the client has no channel for it.

    The request to confirm and the waitlist offer (COMPOSED_AT_SEND) are queued unwritten, unless
    `compose_now`: the worker writes them right before sending (`compose_at_send`).
    """
    routed = route(appointment.client, purpose, region=region_of(appointment))
    if routed is None:
        return None
    channel, recipient = routed
    later = purpose in COMPOSED_AT_SEND and not compose_now and not extra_fields
    # Written as of when it is due to go, not when it is planned (a reminder is planned up to an
    # hour ahead): "you can still change it online" must be true when the client reads it.
    written_for = max(now, send_after) if send_after else now
    content = (
        None
        if later
        else _content(
            appointment, purpose, channel, recipient, now=written_for, wording=wording, extra_fields=extra_fields
        )
    )
    return _message(
        appointment,
        purpose,
        channel,
        recipient,
        content,
        now=now,
        send_after=send_after,
        expires_at=expires_at,
        offset_hours=offset_hours,
        later=later,
    )


def unwritten_request(appointment: Appointment, purpose: Purpose, *, now: datetime) -> NewMessage:
    """What new_message(appointment, purpose, now=now) gives for a request to confirm or a waitlist
    offer (COMPOSED_AT_SEND: nothing in it is written now) by email, with its recipient left empty
    for the caller to fill in: the client's address (route), when the client has one; only the
    recipient depends on the client record. (scheduling.booking writes it in the statement that
    finds the client: notifications.outbox.insert_one_from.)"""
    if purpose not in COMPOSED_AT_SEND:
        raise ValueError(f"not composed at send time: {purpose}")
    return _message(appointment, purpose, Channel.EMAIL, "", None, now=now, later=True)


def _message(
    appointment: Appointment,
    purpose: Purpose,
    channel: Channel,
    recipient: str,
    content: Written | None,
    *,
    now: datetime,
    send_after: datetime | None = None,
    expires_at: datetime | None = None,
    offset_hours: int | None = None,
    later: bool,
) -> NewMessage:
    return NewMessage(
        purpose=purpose,
        channel=channel,
        recipient=recipient,
        dedupe_key=dedupe_key(appointment, purpose, offset_hours=offset_hours),
        about=about(appointment.pk),
        subject=content.subject if content else "",
        body_text=content.text if content else "",
        body_html=content.html if content else "",
        attachments=content.attachments if content else (),
        reply_to=content.reply_to if content else "",
        send_after=send_after or now,
        expires_at=expires_at,
        compose_at_send=later,
    )


def _content(
    appointment: Appointment,
    purpose: Purpose,
    channel: Channel,
    recipient: str,
    *,
    now: datetime,
    wording: Mapping[str, Wording] | None = None,
    extra_fields: Mapping[str, str] | None = None,
) -> Written:
    """The subject, bodies, attachments and reply-to address of a message about this visit."""
    kind = kind_for(purpose, channel)
    wording = wording or wordings(appointment.practice_id, [kind])
    fields = visit_fields(appointment, now=now, has_link=token_for(appointment) is not None)
    if purpose in (Purpose.REQUEST, Purpose.WAITLIST_OFFER, Purpose.WAITLIST_GONE):
        fields.pop("client_first_name")  # see message_texts.REQUEST_FIELDS
        fields["hold_until"] = _hold_until_text(appointment)
    fields.update(extra_fields or {})
    composed = compose(kind, wording[kind.key], fields, lang=settings.LANGUAGE_CODE.split("-")[0])
    attachments: tuple[dict[str, str], ...] = ()
    if channel == Channel.EMAIL and purpose in TRANSACTIONAL:
        ics, method = calendar_file(
            appointment, fields, cancelled=purpose == Purpose.CANCELLED, attendee_email=recipient
        )
        mimetype = f"text/calendar; method={method}"
        attachments = ({"filename": ICS_FILENAME, "mimetype": mimetype, "content": ics},)
    return Written(
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        attachments=attachments,
        reply_to=appointment.practice.email if channel == Channel.EMAIL else "",
    )


def _hold_until_text(appointment: Appointment) -> str:
    if appointment.hold_until is None:
        return ""
    until = appointment.hold_until.astimezone(appointment.location.zone)
    practice = appointment.practice
    return f"{_date(until, practice, 'D j M')}, {_clock(until, practice)} {until.tzname() or ''}".strip()


def queue_booking_message(purpose: Purpose, appointment: Appointment, *, now: datetime | None = None) -> None:
    """Queue the request to confirm, the confirmation, a move or a cancellation message, in the
    caller's transaction.

    A move or a cancellation also withdraws the visit's waiting reminders; the planner makes new
    ones for the new time when they fall due.
    """
    if purpose not in (*TRANSACTIONAL, Purpose.REQUEST, Purpose.WAITLIST_OFFER, Purpose.WAITLIST_GONE):
        raise ValueError(f"not a booking change: {purpose}")
    now = now or timezone.now()
    if purpose in (Purpose.RESCHEDULED, Purpose.CANCELLED):
        withdraw_reminders(appointment, moved=purpose == Purpose.RESCHEDULED)
    message = new_message(appointment, purpose, now=now)
    if message is not None:
        queue(practice_id=appointment.practice_id, messages=[message])


def withdraw_reminders(appointment: Appointment, *, moved: bool) -> int:
    reason = _("Withdrawn: the visit was moved.") if moved else _("Withdrawn: the visit was cancelled.")
    return withdraw(
        practice_id=appointment.practice_id, about=about(appointment.pk), purposes=[Purpose.REMINDER], reason=reason
    )


# Hooks the worker calls (notifications/subjects.py).


def appointment_of(message: Message) -> Appointment | None:
    """The visit a message is about (`about` = "appointment:<id>", in the message's practice), or None."""
    kind, _sep, pk = message.about.partition(":")
    if kind != "appointment" or not pk.isdigit():
        return None
    return (
        Appointment.objects.select_related("practice", "location", "client")
        .filter(pk=int(pk), practice_id=message.practice_id)
        .first()
    )


def unwanted_because(message: Message, now: datetime) -> str | None:
    """Why a message about a visit should not go now (checked right before sending), or None."""
    if message.purpose in (Purpose.REQUEST, Purpose.WAITLIST_OFFER):
        held = appointment_of(message)
        if held is None or held.status != Status.HELD:
            return _("Not sent: the booking request is no longer waiting for confirmation.")
        return None
    if message.purpose not in BY_PREFERENCE and message.channel != Channel.SMS:
        return None  # an email confirmation, move or cancellation goes whatever happened since
    appointment = appointment_of(message)
    if message.purpose == Purpose.REMINDER:
        if appointment is None:
            return _("Not sent: the visit no longer exists.")
        if appointment.status != Status.BOOKED:
            return _("Not sent: the visit is no longer booked.")
        # A copy sent again from the outbox has a key of its own: the visit's time it speaks of is
        # its original's (the reminder's key carries the visit's sequence).
        key = _original_key(message)
        if not key.startswith(f"{about(appointment.pk)}:s"):
            return _("Not sent: the reminder it copies no longer exists.")
        if not key.startswith(f"{about(appointment.pk)}:s{appointment.sequence}:"):
            return _("Not sent: the visit was moved.")
        if appointment.start <= now:
            return _("Not sent: its time had passed.")
    if appointment is None:
        return None  # the subject's other checks (and the veto of its app) decide
    return _not_routed_because(message, appointment)


# Messages that follow the client's choice for reminders (`route`): its channel, texts only with
# the client's agreement. Check-ins are written by longtide.checkins through `new_message`.
BY_PREFERENCE = (Purpose.REMINDER, Purpose.CHECKIN)


def _not_routed_because(message: Message, appointment: Appointment) -> str | None:
    """Why a message queued for this client no longer goes where the client's record now sends it,
    or None. Checked right before sending (a reminder waits up to an hour after it is planned, and
    a retry up to a day): the client's choice, agreement to texts and address are those of now.

    Reminders and check-ins go only by the channel and to the address `route` gives now; any other
    text message only to a client who still agrees to texts, at the number on file."""
    client = appointment.client
    if message.channel == Channel.SMS and client.sms_consent_at is None:
        return _("Not sent: the client has withdrawn their agreement to text messages.")
    if message.purpose in BY_PREFERENCE:
        routed = route(client, Purpose(message.purpose), region=region_of(appointment))
        if routed is None or routed[0] != message.channel:
            return _("Not sent: the client has since changed how they get reminders.")
        if routed[1] != message.recipient:
            return _("Not sent: the client's address or number has changed since it was written.")
        return None
    if message.channel == Channel.SMS and e164(client.phone, region_of(appointment)) != message.recipient:
        return _("Not sent: the client's address or number has changed since it was written.")
    return None


def _original_key(message: Message) -> str:
    """The dedupe key of the message this one copies (resent from the outbox, perhaps a copy of a
    copy: each copy's own key is "resend:…"), or its own key when it is no copy."""
    key, of = message.dedupe_key, message.resend_of_id
    for _hop in range(20):
        if of is None:
            break
        row = Message.objects.filter(pk=of).values_list("dedupe_key", "resend_of_id").first()
        if row is None:
            break
        key, of = row
    return key


def compose_at_send(message: Message, now: datetime) -> Written | None:
    """Write a request to confirm or a waitlist offer queued unwritten (COMPOSED_AT_SEND), from the
    visit and its practice as they are now; None when the visit no longer exists."""
    purpose = Purpose(message.purpose)
    if purpose not in COMPOSED_AT_SEND:
        raise ValueError(f"not composed at send time: {purpose}")
    kind, _sep, pk = message.about.partition(":")
    if kind != "appointment" or not pk.isdigit():
        return None
    appointment = (
        Appointment.objects.select_related("practice", "location", "client", "service", "practitioner")
        .filter(pk=int(pk), practice_id=message.practice_id)
        .first()
    )
    if appointment is None:
        return None
    return _content(appointment, purpose, Channel(message.channel), message.recipient, now=now)


def links(message: Message) -> dict[str, str]:
    """The private links a message about a visit needs, made fresh (tokens are never stored)."""
    appointment = appointment_of(message)
    if appointment is None:
        return {}
    token = token_for(appointment)
    practice = appointment.practice
    home = f"{settings.PUBLIC_BASE_URL}{reverse('home', args=[practice.slug])}"
    if not token:
        return {"manage_url": home, "intake_url": home}
    # The health form opens from the booking's own link (web/client/intake.py: from_booking).
    intake = f"{settings.PUBLIC_BASE_URL}{reverse('manage-intake', args=[practice.slug, token])}"
    found = {"manage_url": manage_url(practice, token), "intake_url": intake}
    if message.purpose == Purpose.CHECKIN:
        found["checkin_url"] = f"{settings.PUBLIC_BASE_URL}{reverse('manage-checkin', args=[practice.slug, token])}"
    return found


def current_recipient(message: Message) -> str | None:
    """Where a copy of this message, sent again from the outbox, goes now: the client's current
    address on its channel. A reminder or check-in goes only as the client's choice now routes it,
    and a text only to a client who still agrees to texts: otherwise the copy is refused
    (ResendRefused, shown to staff) rather than queued to be withdrawn."""
    appointment = appointment_of(message)
    if appointment is None:
        return None
    client = appointment.client
    region = region_of(appointment)
    if message.channel == Channel.SMS and client.sms_consent_at is None:
        raise ResendRefused(
            _("This client has withdrawn their agreement to text messages, so no text can be sent to them.")
        )
    if message.purpose in BY_PREFERENCE:
        routed = route(client, Purpose(message.purpose), region=region)
        if routed is None or routed[0] != message.channel:
            raise ResendRefused(
                _("This client no longer gets reminders this way. Change their reminder choice first if they want it.")
            )
        return routed[1]
    if message.channel == Channel.EMAIL:
        return client.email or None
    return e164(client.phone, region)
