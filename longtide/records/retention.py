"""`longtide retention`: which clients' records are past their retention date under the practice's
rule (longtide/lib/retention.py), and, when asked, their destruction, each logged in the audit trail.

Counted from the last entry: the end of the client's last appointment (or the day the client was
created, without one). Longtide does not hold dates of birth yet, so the minors' rule cannot be
checked: such records are kept and listed as "date of birth unknown" unless the operator states that
the practice sees adults only (`assume_adults`). A legal hold keeps a record whatever its date.

Destroying a client removes their appointments, the messages about them, their break-glass grants
and the client; their audit rows stay (they hold ids, not content) and one `destroy` row per client
is added in the same transaction. A record that something else still points to (a later app's
rows, protected) is not destroyed: the error is reported and the rest go on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.db import transaction
from django.db.models import Max, ProtectedError

from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, record
from longtide.checkins.models import CheckIn
from longtide.clients.models import Client
from longtide.lib.retention import RetentionRule, retain_until, rule_for
from longtide.notifications.models import Message
from longtide.practice.models import Practice
from longtide.records.models import BreakGlass, LegalHold
from longtide.scheduling.booking_messages import about
from longtide.scheduling.models import Appointment


class Verdict(StrEnum):
    DUE = "due"  # past its retention date: --apply destroys it
    HOLD = "legal_hold"
    NO_DATE_OF_BIRTH = "date_of_birth_unknown"


@dataclass(frozen=True)
class Candidate:
    client_id: int
    last_entry: date
    retain_until: date
    verdict: Verdict


def last_entries(practice: Practice, client_ids: Collection[int] | None = None) -> dict[int, date]:
    """Each client's last entry: their last appointment's end, else the day they were created
    (every client of the practice, or those of `client_ids`)."""
    zone = practice.locations.first()
    tz = zone.zone if zone else None
    appointments = Appointment.objects.filter(practice=practice)
    clients = Client.objects.for_practice(practice)
    if client_ids is not None:
        appointments = appointments.filter(client_id__in=client_ids)
        clients = clients.filter(pk__in=client_ids)
    ends = dict(appointments.values("client_id").annotate(last=Max("end")).values_list("client_id", "last"))
    found = {}
    for client_id, created in clients.values_list("pk", "created_at"):
        moment: datetime = max(created, ends[client_id]) if client_id in ends else created
        found[client_id] = moment.astimezone(tz).date() if tz else moment.date()
    return found


def candidates(practice: Practice, *, today: date, assume_adults: bool) -> list[Candidate]:
    """The practice's clients past their retention date, with what stops their destruction."""
    rule: RetentionRule = rule_for(practice.retention_rule)
    held = set(LegalHold.objects.filter(practice=practice, lifted_at__isnull=True).values_list("client_id", flat=True))
    found = []
    for client_id, last in sorted(last_entries(practice).items(), key=lambda item: (item[1], item[0])):
        until = retain_until(rule, last_entry=last, date_of_birth=None)
        if until > today:
            continue
        if client_id in held:
            verdict = Verdict.HOLD
        elif rule.until_age is not None and not assume_adults:
            verdict = Verdict.NO_DATE_OF_BIRTH
        else:
            verdict = Verdict.DUE
        found.append(Candidate(client_id, last, until, verdict))
    return found


def destroy(practice: Practice, candidate: Candidate, *, rule_key: str) -> None:
    """Destroy one client's record and log it, in one transaction (refuses a held record)."""
    with transaction.atomic():
        if LegalHold.objects.filter(client_id=candidate.client_id, lifted_at__isnull=True).exists():
            raise ProtectedError("the record is under a legal hold", set())
        appointments = list(Appointment.objects.filter(client_id=candidate.client_id).values_list("pk", flat=True))
        checkins = list(CheckIn.objects.filter(client_id=candidate.client_id).values_list("pk", flat=True))
        subjects = [about(pk) for pk in appointments] + [f"checkin:{pk}" for pk in checkins]
        messages, _ = Message.objects.filter(practice=practice, about__in=subjects).delete()
        CheckIn.objects.filter(pk__in=checkins).delete()
        Appointment.objects.filter(pk__in=appointments).delete()
        BreakGlass.objects.filter(client_id=candidate.client_id).delete()
        Client.objects.filter(pk=candidate.client_id, practice=practice).delete()
        record(
            by=Actor.system(via=Via.COMMAND),
            action=Action.DESTROY,
            object_type="client",
            object_id=candidate.client_id,
            practice_id=practice.pk,
            client_id=candidate.client_id,
            detail=f"rule {rule_key}; last entry {candidate.last_entry}; {len(appointments)} appointments, "
            f"{messages} messages",
        )


def place_hold(*, practice: Practice, client: Client, reason: str, now: datetime) -> LegalHold:
    with transaction.atomic():
        hold = LegalHold.objects.create(practice=practice, client=client, reason=reason[:500], placed_at=now)
        record(
            by=Actor.system(via=Via.COMMAND),
            action=Action.CHANGE,
            object_type="legal_hold",
            object_id=hold.pk,
            practice_id=practice.pk,
            client_id=client.pk,
            reason=reason,
            detail="placed",
        )
    return hold


def lift_holds(*, practice: Practice, client: Client, now: datetime) -> int:
    with transaction.atomic():
        lifted = LegalHold.objects.filter(practice=practice, client=client, lifted_at__isnull=True).update(
            lifted_at=now
        )
        if lifted:
            record(
                by=Actor.system(via=Via.COMMAND),
                action=Action.CHANGE,
                object_type="legal_hold",
                practice_id=practice.pk,
                client_id=client.pk,
                detail="lifted",
            )
    return lifted
