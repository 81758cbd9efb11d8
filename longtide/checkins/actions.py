"""Check-in workflows: plan the message a day after a completed session, take the client's answer
once, tell the practitioner when the client asks to be contacted or needed medical care.

Timing (docs/notifications.md): the message is sent 24 hours after the session ends and only
while the visit is marked completed; it is not sent later than 48 hours after the session; the
form stays open for `OPEN_FOR` after the session. A no-show, a cancelled visit, or one never marked
completed gets no check-in; nor does any visit of a practice that switched them off
(`Practice.send_checkins`, on the messages settings page): the planner skips it, and a check-in
planned before the switch is not sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.audit.models import Action
from longtide.audit.trail import Actor, Origin, record
from longtide.checkins.effects import Answer
from longtide.checkins.models import CheckIn
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.scheduling.booking_messages import appointment_of, checkin_fields, dedupe_key, new_message
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status

SEND_AFTER = timedelta(hours=24)  # after the session ends
SEND_UNTIL = timedelta(hours=48)  # no check-in message later than this after the session
OPEN_FOR = timedelta(days=7)  # the form takes answers this long after the session
PLAN_AHEAD = timedelta(hours=1)
ALERT_PURPOSE = "checkin.alert"
PURPOSE_LABELS = {ALERT_PURPOSE: gettext_lazy("Check-in asks for attention (to a practitioner)")}


def is_open(appointment: Appointment, now: datetime) -> bool:
    """Whether the client may answer this visit's check-in now (they have not yet: see `answer`)."""
    return appointment.status == Status.COMPLETED and appointment.end <= now < appointment.end + OPEN_FOR


def closes_at(appointment: Appointment) -> datetime:
    return appointment.end + OPEN_FOR


def state_for_client(appointment: Appointment, now: datetime) -> str:
    """What the client's booking page says: "answered", "open" (a link to the form) or ""."""
    if appointment.status != Status.COMPLETED:
        return ""
    if CheckIn.objects.filter(appointment=appointment).exists():
        return "answered"
    return "open" if is_open(appointment, now) else ""


def plan_checkins(now: datetime, *, ahead: timedelta = PLAN_AHEAD) -> int:
    """Create the check-in messages that fall due by `now + ahead`; return how many were created."""
    visits = (
        Appointment.objects.filter(
            status=Status.COMPLETED,
            end__gt=now - SEND_UNTIL,
            end__lte=now + ahead - SEND_AFTER,
            checkin__isnull=True,
            practice__send_checkins=True,
        )
        .select_related("practice", "location", "service", "practitioner", "client")
        .order_by("end")
    )
    wanted = {dedupe_key(visit, Purpose.CHECKIN): visit for visit in visits}
    if not wanted:
        return 0
    existing = set(Message.objects.filter(dedupe_key__in=list(wanted)).values_list("dedupe_key", flat=True))
    made = 0
    for key, visit in wanted.items():
        if key in existing or token_for(visit) is None:
            continue
        message = new_message(
            visit,
            Purpose.CHECKIN,
            now=now,
            send_after=visit.end + SEND_AFTER,
            expires_at=visit.end + SEND_UNTIL,
            extra_fields=checkin_fields(visit, expires_at=closes_at(visit)),
        )
        if message is None:  # no channel the client agreed to
            continue
        with transaction.atomic():
            queue(practice_id=visit.practice_id, messages=[message])
        made += 1
    return made


def checkin_unwanted_because(message: Message, now: datetime) -> str | None:
    """Right before sending: the client answered already, or the visit is no longer completed."""
    if message.purpose != Purpose.CHECKIN:
        return None
    visit = appointment_of(message)
    if visit is None or visit.status != Status.COMPLETED:
        return _("Not sent: the visit is no longer marked completed.")
    if not visit.practice.send_checkins:
        return _("Not sent: the practice has switched after-session check-ins off.")
    if CheckIn.objects.filter(appointment=visit).exists():
        return _("Not sent: the client has already answered.")
    if token_for(visit) is None:
        return _("Not sent: the visit's private link can no longer be made.")
    return None


def answer(appointment: Appointment, given: Answer, *, origin: Origin, now: datetime) -> tuple[CheckIn, bool]:
    """Store the client's answer once; return it and whether this call stored it (a second submit,
    from the back button or a double click, returns the first answer unchanged)."""
    try:
        with transaction.atomic():
            stored = CheckIn.objects.create(
                practice_id=appointment.practice_id,
                client_id=appointment.client_id,
                appointment=appointment,
                effects=given.effects,
                other=given.other,
                sought_care=given.sought_care,
                contact_me=given.contact_me,
                answered_at=now,
            )
            record(
                by=Actor(None, "client", origin),
                action=Action.CREATE,
                object_type="checkin",
                practice_id=appointment.practice_id,
                client_id=appointment.client_id,
                object_id=stored.pk,
            )
            if given.sought_care or given.contact_me:
                _queue_alert(appointment, stored, now=now)
    except IntegrityError:
        return CheckIn.objects.get(appointment=appointment), False
    return stored, True


def _queue_alert(appointment: Appointment, stored: CheckIn, *, now: datetime) -> None:
    """Email the session's practitioner: a client's check-in needs a look. Nothing about the client."""
    person = appointment.practitioner
    address = person.user.email if person.user else ""
    if not address:
        address = appointment.practice.email
    if not address:
        return
    page = f"{settings.PUBLIC_BASE_URL}{reverse('staff-appointment', args=[appointment.practice.slug, appointment.pk])}"
    queue(
        practice_id=appointment.practice_id,
        messages=[
            NewMessage(
                purpose=ALERT_PURPOSE,
                channel=Channel.EMAIL,
                recipient=address,
                dedupe_key=f"checkin-alert:{stored.pk}",
                about=f"checkin:{stored.pk}",
                subject=_("A client's after-session check-in asks for your attention"),
                body_text=_(
                    "A client answered their after-session check-in and asked to be contacted, or said they "
                    "needed medical care. Sign in to read it:\n\n%(page)s\n\n"
                    "(This email says nothing about the client on purpose.)"
                )
                % {"page": page},
                send_after=now,
            )
        ],
    )
