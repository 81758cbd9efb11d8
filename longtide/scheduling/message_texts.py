"""What booking messages say by default, and the fields a practice's own wording may use.

Every field is a non-clinical fact about the visit: when, where, with whom, what service, how to
change it. The booking note never becomes a field, so no template can show it.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from longtide.notifications.compose import MessageKind
from longtide.notifications.models import Channel


class Purpose(StrEnum):
    # The request to confirm an online booking, to the address it was made with (docs/booking-privacy.md).
    REQUEST = "booking.request"
    CONFIRMATION = "booking.confirmation"
    RESCHEDULED = "booking.rescheduled"
    CANCELLED = "booking.cancelled"
    REMINDER = "booking.reminder"
    CHECKIN = "booking.checkin"
    # The waitlist (scheduling/waitlist.py): confirm a place, and a freed time held for the client.
    WAITLIST_CONFIRM = "waitlist.confirm"
    WAITLIST_OFFER = "waitlist.offer"
    WAITLIST_GONE = "waitlist.gone"


PURPOSE_LABELS = {
    Purpose.REQUEST: _("Please confirm your booking"),
    Purpose.CONFIRMATION: _("Booking confirmation"),
    Purpose.RESCHEDULED: _("Booking moved"),
    Purpose.CANCELLED: _("Booking cancelled"),
    Purpose.REMINDER: _("Reminder"),
    Purpose.CHECKIN: _("After-session check-in"),
    Purpose.WAITLIST_CONFIRM: _("Please confirm your place on the waitlist"),
    Purpose.WAITLIST_OFFER: _("Waitlist: a time has come free"),
    Purpose.WAITLIST_GONE: _("Waitlist: an offered time has gone"),
}

VISIT_FIELDS = {
    "client_first_name": "The client's first name",
    "practice_name": "Your practice's name",
    "practice_phone": "Your practice's phone number",
    "practice_email": "Your practice's email address",
    "service_name": "The service booked, e.g. CST session",
    "duration": "How long it lasts, e.g. 60 minutes",
    "practitioner_name": "The practitioner, with credentials",
    "date": "The day in full, e.g. Tuesday 1 December 2026",
    "day": "The day, short: Tue 1 Dec",
    "time": "Start and end with the time zone, on your clock: 10:00 AM–11:00 AM EST (or 10:00–11:00 EST)",
    "when": "Day and start, short: Tue 1 Dec, 10:00 AM (or 10:00)",
    "location_name": "Where: the location's name",
    "location": "Where: the name and address on one line",
    "time_zone": "The location's time zone, e.g. America/New_York",
    "details": "What, with whom, when and where, as a block of lines",
    "changes": "How and until when the client can cancel or reschedule, with their link",
    "cancellation_policy": "Your cancellation policy",
    "contact": "Your practice's name, phone and email, one per line",
    "manage_url": "The client's private link to see, cancel or reschedule (added when sent)",
    "intake_url": "The client's private link to the health questions and consent form (added when sent)",
}
CHECKIN_FIELDS = {
    **{name: VISIT_FIELDS[name] for name in ("client_first_name", "practice_name", "practice_phone", "practice_email")},
    **{name: VISIT_FIELDS[name] for name in ("service_name", "practitioner_name", "date", "day", "contact")},
    "checkin_url": "The client's private link to the check-in form (added when sent)",
    "checkin_until": "When the check-in link stops working",
}

# Anyone can type anyone's email address into the booking form, so the request to confirm names
# nobody: a name typed by the person booking could carry their words into the inbox of the
# address's owner, and the client record's name is not needed to confirm.
REQUEST_FIELDS = {
    **{
        k: v
        for k, v in VISIT_FIELDS.items()
        if k not in ("client_first_name", "changes", "cancellation_policy", "intake_url")
    },
    "hold_until": "Until when the time is held for the client to confirm",
    "manage_url": "The private link where the client confirms the booking (added when sent)",
}
# The time has gone: what it was, no link (there is nothing left to confirm).
GONE_FIELDS = {k: v for k, v in REQUEST_FIELDS.items() if k not in ("hold_until", "manage_url")}

WAITLIST_CONFIRM_FIELDS = {
    **{name: VISIT_FIELDS[name] for name in ("practice_name", "practice_phone", "practice_email", "contact")},
    "wishes": "The service, practitioner, days and times asked for",
    "waitlist_url": "The private link where the client confirms or leaves the waitlist (added when sent)",
}

_WAITLIST_CONFIRM = _("""Hello,

Someone asked to join the waitlist at {{ practice_name }} with this email address, for:

{{ wishes }}

To join, open this link and press "Confirm my place":

{{ waitlist_url }}

If you did not ask for this, you need not do anything: nothing happens, and we will not write again about it.

{{ contact }}""")

_WAITLIST_OFFER = _("""Hello,

A time has come free at {{ practice_name }} that suits what you asked for on our waitlist:

{{ details }}

We hold it for you until {{ hold_until }}. To take it, open this link and press "Confirm booking":

{{ manage_url }}

After that, we offer it to the next person waiting. Whatever you decide, you stay on the waitlist \
for other times until you book or leave it.

{{ contact }}""")

_WAITLIST_GONE = _("""Hello,

The time we held for you at {{ practice_name }} was not confirmed in time, and someone else has now \
booked it:

{{ details }}

You stay on the waitlist for other times until you book or leave it, and we will write again when \
another time that suits you comes free.

{{ contact }}""")

_REQUEST = _("""Hello,

Someone asked to book this appointment at {{ practice_name }} with this email address:

{{ details }}

To book it, open this link and press "Confirm booking":

{{ manage_url }}

We hold the time for you until {{ hold_until }}. If you did not ask for this, you need not do anything: \
the time will be released, and we will not write again about it.

{{ contact }}""")

_CONFIRMATION = _("""Hello {{ client_first_name }},

Your appointment at {{ practice_name }} is booked.

{{ details }}

Before your first visit, please answer the health questions and sign the consent form (about ten \
minutes, on a phone too). If you have done it before, the link asks whether anything is new:
{{ intake_url }}

{{ changes }}

The attached calendar file (appointment.ics) adds the appointment to your calendar.

{{ contact }}""")

_RESCHEDULED = _("""Hello {{ client_first_name }},

Your appointment at {{ practice_name }} has been moved. The new time is:

{{ details }}

{{ changes }}

The attached calendar file (appointment.ics) updates the entry already in your calendar.

{{ contact }}""")

_CANCELLED = _("""Hello {{ client_first_name }},

Your appointment at {{ practice_name }} has been cancelled:

{{ details }}

If you did not expect this, or would like another time, please get in touch with {{ practice_name }}.

The attached calendar file (appointment.ics) removes the appointment from your calendar.

{{ contact }}""")

_REMINDER = _("""Hello {{ client_first_name }},

This is a reminder of your appointment at {{ practice_name }}:

{{ details }}

{{ changes }}

{{ contact }}""")

_CHECKIN = _("""Hello {{ client_first_name }},

Thank you for coming to {{ practice_name }} on {{ date }}. Some people notice after-effects for a \
day or two after a session, such as a headache, tiredness or feeling emotional. If you have a \
minute, please tell us how you have been since: it helps {{ practitioner_name }} look after you.

{{ checkin_url }}

The link works until {{ checkin_until }}. If anything worries you, please contact us or your doctor.

{{ contact }}""")

KINDS = [
    MessageKind(
        Purpose.REQUEST,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.REQUEST],
        subject=_("Please confirm your booking at {{ practice_name }} on {{ when }}"),
        body=_REQUEST,
        fields=REQUEST_FIELDS,
        button_labels={"manage_url": _("Confirm or release this booking")},
    ),
    MessageKind(
        Purpose.WAITLIST_CONFIRM,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.WAITLIST_CONFIRM],
        subject=_("Please confirm your place on the waitlist at {{ practice_name }}"),
        body=_WAITLIST_CONFIRM,
        fields=WAITLIST_CONFIRM_FIELDS,
        button_labels={"waitlist_url": _("Confirm or leave the waitlist")},
    ),
    MessageKind(
        Purpose.WAITLIST_OFFER,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.WAITLIST_OFFER],
        subject=_("A time has come free at {{ practice_name }}: {{ when }}"),
        body=_WAITLIST_OFFER,
        fields=REQUEST_FIELDS,
        button_labels={"manage_url": _("Take this time")},
    ),
    MessageKind(
        Purpose.WAITLIST_GONE,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.WAITLIST_GONE],
        subject=_("The time offered to you at {{ practice_name }} on {{ when }} has gone"),
        body=_WAITLIST_GONE,
        fields=GONE_FIELDS,
    ),
    MessageKind(
        Purpose.CONFIRMATION,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.CONFIRMATION],
        subject=_("Your appointment at {{ practice_name }} on {{ when }}"),
        body=_CONFIRMATION,
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.RESCHEDULED,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.RESCHEDULED],
        subject=_("Your appointment at {{ practice_name }} has moved to {{ when }}"),
        body=_RESCHEDULED,
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.CANCELLED,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.CANCELLED],
        subject=_("Cancelled: your appointment at {{ practice_name }} on {{ when }}"),
        body=_CANCELLED,
        fields={k: v for k, v in VISIT_FIELDS.items() if k not in ("changes", "manage_url", "intake_url")},
    ),
    MessageKind(
        Purpose.REMINDER,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.REMINDER],
        subject=_("Reminder: your appointment at {{ practice_name }} on {{ when }}"),
        body=_REMINDER,
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.CHECKIN,
        Channel.EMAIL,
        PURPOSE_LABELS[Purpose.CHECKIN],
        subject=_("How have you been since your session at {{ practice_name }}?"),
        body=_CHECKIN,
        fields=CHECKIN_FIELDS,
        button_labels={"checkin_url": _("Tell us how you have been")},
    ),
    MessageKind(
        Purpose.CONFIRMATION,
        Channel.SMS,
        PURPOSE_LABELS[Purpose.CONFIRMATION],
        body=_(
            "{{ practice_name }}: you're booked for {{ service_name }} with {{ practitioner_name }}, {{ day }} "
            "{{ time }}, {{ location_name }}. To change: {{ manage_url }}"
        ),
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.RESCHEDULED,
        Channel.SMS,
        PURPOSE_LABELS[Purpose.RESCHEDULED],
        body=_(
            "{{ practice_name }}: your appointment has moved to {{ day }} {{ time }} with {{ practitioner_name }}. "
            "To change: {{ manage_url }}"
        ),
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.CANCELLED,
        Channel.SMS,
        PURPOSE_LABELS[Purpose.CANCELLED],
        body=_(
            "{{ practice_name }}: your appointment on {{ day }} {{ time }} is cancelled. "
            "For another time, call {{ practice_phone }}."
        ),
        fields={k: v for k, v in VISIT_FIELDS.items() if k not in ("changes", "manage_url", "intake_url")},
    ),
    MessageKind(
        Purpose.REMINDER,
        Channel.SMS,
        PURPOSE_LABELS[Purpose.REMINDER],
        body=_(
            "Reminder from {{ practice_name }}: {{ service_name }} with {{ practitioner_name }}, {{ day }} "
            "{{ time }}, {{ location_name }}. To change: {{ manage_url }}"
        ),
        fields=VISIT_FIELDS,
    ),
    MessageKind(
        Purpose.CHECKIN,
        Channel.SMS,
        PURPOSE_LABELS[Purpose.CHECKIN],
        body=_(
            "{{ practice_name }}: how have you been since your session on {{ day }}? "
            "Tell us in a minute: {{ checkin_url }}"
        ),
        fields=CHECKIN_FIELDS,
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def kind_for(purpose: Purpose, channel: Channel) -> MessageKind:
    return KINDS_BY_KEY[f"{purpose}.{channel}"]
