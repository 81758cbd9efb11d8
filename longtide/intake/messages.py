"""Messages about intake: the client's link (staff "send"), and the practitioner's alert when a
screen raises an EMERGENCY or REFER flag. Like every message, they carry nothing clinical: the link
is a placeholder filled at send time (the outbox stores no token), and the alert says only that a
client's intake needs review, with the staff page to open."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.intake.links import intake_url, token_of
from longtide.intake.models import Intake, IntakeLink
from longtide.intake.status import summary
from longtide.notifications.links import placeholder
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.practice.models import Practitioner
from longtide.scheduling.booking_messages import appointment_of
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status

LINK_PURPOSE = "intake.link"
ALERT_PURPOSE = "intake.alert"
PURPOSE_LABELS = {
    LINK_PURPOSE: gettext_lazy("Health form link"),
    ALERT_PURPOSE: gettext_lazy("Intake needs review (to a practitioner)"),
}


def queue_intake_link(link: IntakeLink, *, now: datetime) -> None:
    """Queue the email with the client's intake link (in the caller's transaction)."""
    client, practice = link.client, link.client.practice
    body = _(
        "Hello %(first_name)s,\n\n"
        "Before your visit to %(practice)s, please answer the health questions and sign the consent form. "
        "It takes about ten minutes and works on a phone; your answers are saved as you go.\n\n"
        "%(link)s\n\n"
        "The link works for 30 days and only for you: please do not share it.\n\n%(practice)s"
    ) % {"first_name": client.first_name, "practice": practice.name, "link": placeholder("intake_url")}
    queue(
        practice_id=practice.pk,
        messages=[
            NewMessage(
                purpose=LINK_PURPOSE,
                channel=Channel.EMAIL,
                recipient=client.email,
                dedupe_key=f"intake-link:{link.pk}",
                about=f"intake-link:{link.pk}",
                subject=_("Your health form for %(practice)s") % {"practice": practice.name},
                body_text=body,
                reply_to=practice.email,
                send_after=now,
            )
        ],
    )


def queue_alerts(intake: Intake, *, now: datetime) -> int:
    """Tell the client's practitioners (their next bookings') that an intake needs review."""
    upcoming = (
        Appointment.objects.filter(client_id=intake.client_id, start__gte=now, status__in=[Status.BOOKED, Status.HELD])
        .values_list("practitioner_id", flat=True)
        .distinct()
    )
    people = Practitioner.objects.filter(pk__in=list(upcoming)).select_related("user")
    page = f"{settings.PUBLIC_BASE_URL}{reverse('staff-client-intake', args=[intake.practice.slug, intake.client_id])}"
    made = []
    for person in people:
        address = person.user.email if person.user else ""
        if not address:
            continue
        made.append(
            NewMessage(
                purpose=ALERT_PURPOSE,
                channel=Channel.EMAIL,
                recipient=address,
                dedupe_key=f"intake-alert:{intake.pk}:{person.pk}",
                about=f"intake:{intake.pk}",
                subject=_("A client's intake needs your review before their session"),
                body_text=_(
                    "A client's intake form raised a safety flag that needs your review before their session. "
                    "Sign in to see it and record what you did:\n\n%(page)s\n\n"
                    "(This email says nothing about the client on purpose.)"
                )
                % {"page": page},
                send_after=now,
            )
        )
    queue(practice_id=intake.practice_id, messages=made)
    return len(made)


# Outbox hooks (registered in apps.py).


def _link_of(message: Message) -> IntakeLink | None:
    kind, _sep, pk = message.about.partition(":")
    if kind != "intake-link" or not pk.isdigit():
        return None
    return IntakeLink.objects.select_related("client", "client__practice").filter(pk=int(pk)).first()


def unwanted_because(message: Message, now: datetime) -> str | None:
    if message.about.startswith("intake:"):
        return None
    link = _link_of(message)
    if link is None or link.voided_at is not None or link.expires_at <= now:
        return _("Not sent: a newer link replaced this one, or it expired.")
    return None


def reminder_held_because(message: Message, now: datetime) -> str | None:
    """A reminder waits while the client's bookings are held by an open EMERGENCY flag (status.py).

    The client was told to seek emergency care now; "see you tomorrow" would contradict it. The
    phrase shown in the outbox says only that the visit is held, as front desk may see.
    """
    if message.purpose != Purpose.REMINDER:
        return None
    appointment = appointment_of(message)
    if appointment is None or not summary(appointment.client).held:
        return None
    return _("Not sent: the visit is held until the practitioner has reviewed the client's answers.")


def links_for(message: Message) -> dict[str, str]:
    link = _link_of(message)
    if link is None or token_of(link) is None:
        return {}
    return {"intake_url": intake_url(link)}


def current_recipient(message: Message) -> str | None:
    link = _link_of(message)
    return link.client.email if link else None
