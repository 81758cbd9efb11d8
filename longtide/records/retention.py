"""`longtide retention`: which clients' records are past their retention date under the practice's
rule (longtide/lib/retention.py), and, when asked, their destruction, each logged in the audit trail.

Counted from the last entry: the end of the client's last appointment (or the day the client was
created, without one). The minors' rule needs the date of birth, which the client gives on the
intake form (their latest submitted one counts); a client who never gave it is kept and listed as
"date of birth unknown" unless the operator states that the practice sees adults only
(`assume_adults`). A legal hold keeps a record whatever its date. A duplicate merged into another
record (records/merge.py) is not a record of its own: it goes with the record kept.

Destroying a client removes the whole record: every row that points to the client or to one of
their appointments, found by walking the models' relations (so a model added later goes too, as
records/merge.py moves it) — appointments and their histories, intake forms, safety flags, consent
signatures, visit checks, session notes with their addenda, check-ins, episodes, questionnaires,
diary entries, links, grants, holds, merged duplicates — and the messages about any of them. Signed
notes and addenda are locked by database triggers (notes migration 0002); a DestructionPermit for
the client, written and removed inside the destruction's transaction, is the one thing those
triggers let through (notes migration 0003). The audit trail stays (it holds ids, not content) and
one `destroy` row per client, with the count of each kind of row, is added in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.db import models, transaction
from django.db.models import Max, ProtectedError, Q

from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, record
from longtide.checkins.models import CheckIn
from longtide.clients.models import Client
from longtide.intake.models import Intake, IntakeLink, IntakeStatus
from longtide.lib.retention import RetentionRule, retain_until, rule_for
from longtide.measurement.models import QuestionnaireLink, Response
from longtide.notifications.models import Message
from longtide.practice.models import Practice
from longtide.records.models import ClientMerge, DestructionPermit, LegalHold
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


def dates_of_birth(practice: Practice, client_ids: Collection[int] | None = None) -> dict[int, date]:
    """The date of birth each client gave on their latest submitted intake form (where it is a date)."""
    intakes = Intake.objects.filter(practice=practice, status=IntakeStatus.SUBMITTED)
    if client_ids is not None:
        intakes = intakes.filter(client_id__in=client_ids)
    found: dict[int, date] = {}
    for client_id, answers in intakes.order_by("client_id", "-submitted_at").values_list("client_id", "answers"):
        if client_id in found or not isinstance(answers, dict):
            continue
        about_them = answers.get("about")
        if not isinstance(about_them, dict):
            continue
        try:
            found[client_id] = date.fromisoformat(str(about_them.get("date_of_birth", "")))
        except ValueError:
            continue
    return found


def message_subjects(client_ids: Collection[int]) -> Q:
    """The outbox's messages about these clients: their visits, check-ins, intake forms and links,
    questionnaire links and the crisis alerts about their answers (messages name what they are
    about, not the client)."""
    appointments = Appointment.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    checkins = CheckIn.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    intakes = Intake.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    links = IntakeLink.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    questionnaires = QuestionnaireLink.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    answered = Response.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)
    return Q(
        about__in=[about(pk) for pk in appointments]
        + [f"checkin:{pk}" for pk in checkins]
        + [f"intake:{pk}" for pk in intakes]
        + [f"intake-link:{pk}" for pk in links]
        + [f"outcomes-link:{pk}" for pk in questionnaires]
        + [f"outcomes-alert:{pk}" for pk in answered]  # the practitioners' crisis alerts (measurement/crisis.py)
    )


def _purge(model: type[models.Model], pks: list[int], counts: dict[str, int]) -> None:
    """Delete these rows and, first, every row that points to them (deepest first). A row that
    points to them with SET_NULL is someone else's (a waitlist opening a cancelled visit freed,
    whose offers went to other people): it stays, unlinked, as the delete leaves it."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if not (relation.one_to_many or relation.one_to_one) or child is model or not isinstance(child, type):
            continue
        if relation.on_delete is models.SET_NULL:
            continue
        below = list(child._base_manager.filter(**{f"{relation.field.name}__in": pks}).values_list("pk", flat=True))
        if below:
            _purge(child, below, counts)
    _deleted, per_model = model._base_manager.filter(pk__in=pks).delete()
    for label, count in per_model.items():
        counts[label] = counts.get(label, 0) + count


def with_duplicates(client_id: int) -> list[int]:
    """The client and every duplicate merged into them (and into those, transitively)."""
    found, frontier = [client_id], [client_id]
    while frontier:
        frontier = list(Client.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        found += [pk for pk in frontier if pk not in found]
    return found


def candidates(practice: Practice, *, today: date, assume_adults: bool) -> list[Candidate]:
    """The practice's clients past their retention date, with what stops their destruction."""
    rule: RetentionRule = rule_for(practice.retention_rule)
    held = set(LegalHold.objects.filter(practice=practice, lifted_at__isnull=True).values_list("client_id", flat=True))
    merged = set(Client.objects.for_practice(practice).exclude(merged_into=None).values_list("pk", flat=True))
    born = dates_of_birth(practice)
    found = []
    for client_id, last in sorted(last_entries(practice).items(), key=lambda item: (item[1], item[0])):
        if client_id in merged:
            continue
        until = retain_until(rule, last_entry=last, date_of_birth=born.get(client_id))
        if until > today:
            continue
        if client_id in held:
            verdict = Verdict.HOLD
        elif rule.until_age is not None and client_id not in born and not assume_adults:
            verdict = Verdict.NO_DATE_OF_BIRTH
        else:
            verdict = Verdict.DUE
        found.append(Candidate(client_id, last, until, verdict))
    return found


def destroy(practice: Practice, candidate: Candidate, *, rule_key: str, now: datetime) -> dict[str, int]:
    """Destroy one client's whole record and log it, in one transaction (refuses a held record).
    Returns how many rows of each model went."""
    with transaction.atomic():
        if LegalHold.objects.filter(client_id=candidate.client_id, lifted_at__isnull=True).exists():
            raise ProtectedError("the record is under a legal hold", set())
        ids = with_duplicates(candidate.client_id)
        if Client.objects.filter(pk__in=ids).exclude(practice=practice).exists():
            raise ProtectedError("the record is not this practice's", set())
        DestructionPermit.objects.bulk_create([DestructionPermit(client_id=pk, granted_at=now) for pk in ids])
        messages, _ = Message.objects.filter(message_subjects(ids), practice=practice).delete()
        counts: dict[str, int] = {}
        ClientMerge.objects.filter(Q(kept_id__in=ids) | Q(merged_id__in=ids)).delete()
        Client.objects.filter(pk__in=ids).update(merged_into=None)
        _purge(Client, ids, counts)
        DestructionPermit.objects.filter(client_id__in=ids).delete()
        kinds = ", ".join(f"{count} {label.split('.')[-1].lower()}" for label, count in sorted(counts.items()) if count)
        record(
            by=Actor.system(via=Via.COMMAND),
            action=Action.DESTROY,
            object_type="client",
            object_id=candidate.client_id,
            practice_id=practice.pk,
            client_id=candidate.client_id,
            detail=f"rule {rule_key}; last entry {candidate.last_entry}; {messages} messages; {kinds}"[:200],
        )
    return counts


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
