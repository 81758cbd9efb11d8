"""An erasure request (GDPR Art. 17, with Art. 17(3)(c) and Art. 9(2)(h): health records a clinic
must keep are kept): erase the client's contact details everywhere Longtide holds them for
reaching the client, keep the clinical record (restricted) until its retention date, and record
what was done in the audit trail.

Erased: the client's email and phone, their text-message agreement and reminder channel (set to
none); the email and phone typed on their bookings; the address on every message to them (and
messages still waiting are withdrawn); their waitlist places; their intake, questionnaire and diary links (voided).
The same for every record merged into theirs (records/merge.py; transitively), which may still
hold an address or number of the client's, and the duplicate's details kept in each ClientMerge.
Kept: their name (the record must stay identifiable while it is kept), appointments, intake,
consents, flags, notes, check-ins and outcomes, and the audit trail; `longtide retention` destroys
them at the retention date. A number that replied STOP stays on the opt-out list, so it is never
texted again. Upcoming visits must be cancelled first (the clinic would lose its way to tell the
client about them), so erasure refuses while any remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.clients.models import Client, ReminderChannel
from longtide.intake.models import IntakeLink
from longtide.lib.retention import retain_until, rule_for
from longtide.lib.text import CONTROL_MESSAGE, has_control, one_line
from longtide.measurement.models import QuestionnaireLink
from longtide.notifications.models import Message, State
from longtide.records.models import ClientMerge
from longtide.records.retention import dates_of_birth, last_entries, message_subjects, with_duplicates
from longtide.scheduling.models import Appointment, Status, WaitlistEntry

ERASED_RECIPIENT = "[erased on request]"
REASON_MIN, REASON_MAX = 10, 2000


class ErasureRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Plan:
    upcoming: list[Appointment]  # must be cancelled first
    kept_until: date | None  # the retention date of what is kept (None: unknown)
    waitlist_places: int
    messages: int
    merged: list[Client]  # records merged into this one: erased with it


def _merged_into(client: Client) -> list[Client]:
    ids = with_duplicates(client.pk)[1:]
    return list(Client.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def _upcoming(client: Client, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            client_id__in=with_duplicates(client.pk), status__in=[Status.BOOKED, Status.HELD], end__gt=now
        )
        .select_related("location", "practitioner")
        .order_by("start")
    )


def _waitlist(clients: list[Client]) -> Q:
    """The waitlist places under any of these records' addresses."""
    found = Q(pk__in=[])
    for client in clients:
        if client.email:
            found |= Q(practice_id=client.practice_id, email__iexact=client.email)
    return found


def plan(client: Client, now: datetime) -> Plan:
    rule = rule_for(client.practice.retention_rule)
    last = last_entries(client.practice, [client.pk]).get(client.pk)
    merged = _merged_into(client)
    ids = [client.pk] + [c.pk for c in merged]
    return Plan(
        upcoming=_upcoming(client, now),
        kept_until=retain_until(
            rule, last_entry=last, date_of_birth=dates_of_birth(client.practice, [client.pk]).get(client.pk)
        )
        if last
        else None,
        waitlist_places=WaitlistEntry.objects.filter(_waitlist([client, *merged])).count(),
        messages=Message.objects.filter(message_subjects(ids), practice_id=client.practice_id).count(),
        merged=merged,
    )


def clean_reason(raw: str) -> str:
    if has_control(raw):
        raise ErasureRefused(_(CONTROL_MESSAGE))
    reason = one_line(raw)
    if len(reason) < REASON_MIN:
        raise ErasureRefused(
            _("Say what the client asked for, in at least %(count)d characters.") % {"count": REASON_MIN}
        )
    if len(reason) > REASON_MAX:
        raise ErasureRefused(_("Keep the reason under %(count)d characters.") % {"count": REASON_MAX})
    return reason


def erase_contact(client: Client, *, by: Actor, reason: str, now: datetime) -> bool:
    """Erase the client's contact details (see the module's docstring) and audit it, in one
    transaction. Returns False when they were erased already (a second submit changes nothing)."""
    reason = clean_reason(reason)
    with transaction.atomic():
        locked = Client.objects.select_for_update().select_related("practice").get(pk=client.pk)
        if locked.contact_erased_at is not None:
            return False
        if upcoming := _upcoming(locked, now):
            raise ErasureRefused(
                f"{len(upcoming)} upcoming visit(s) are still booked: cancel them first, so that nobody "
                "expects the client and the client is told."
            )
        merged = list(Client.objects.select_for_update().filter(pk__in=with_duplicates(locked.pk)[1:]).order_by("pk"))
        ids = [locked.pk] + [c.pk for c in merged]
        subjects = Message.objects.filter(message_subjects(ids), practice_id=locked.practice_id)
        withdrawn = subjects.filter(status=State.PENDING).update(
            status=State.WITHDRAWN, last_error="Withdrawn: the client's contact details were erased on request."
        )
        messages = subjects.update(recipient=ERASED_RECIPIENT)
        places, _by_kind = WaitlistEntry.objects.filter(_waitlist([locked, *merged])).delete()
        IntakeLink.objects.filter(client_id__in=ids, voided_at__isnull=True).update(voided_at=now)
        QuestionnaireLink.objects.filter(client_id__in=ids, voided_at__isnull=True).update(voided_at=now)
        Appointment.objects.filter(client_id__in=ids).update(booked_email="", booked_phone="")
        # The duplicates merged in: the address the merge left on them, and the one kept in the
        # merge record (shown on the kept record's page).
        Client.objects.filter(pk__in=ids).update(
            email="", phone="", sms_consent_at=None, reminder_channel=ReminderChannel.NONE
        )
        Client.objects.filter(pk__in=ids, contact_erased_at__isnull=True).update(contact_erased_at=now)
        ClientMerge.objects.filter(Q(kept_id__in=ids) | Q(merged_id__in=ids)).update(merged_email="", merged_phone="")
        locked.refresh_from_db()
        also = f"; merged records {', '.join(str(c.pk) for c in merged)}" if merged else ""
        record(
            by=by,
            action=Action.ERASE,
            object_type="client",
            practice_id=locked.practice_id,
            client_id=locked.pk,
            object_id=locked.pk,
            reason=reason,
            detail=f"contact details; {messages} messages ({withdrawn} withdrawn); {places} waitlist rows{also}"[:200],
        )
    return True
