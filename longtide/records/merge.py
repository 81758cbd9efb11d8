"""Merging two records of the same person: everything that belongs to the duplicate (appointments
with their messages and histories, intake forms, safety flags, consent signatures, intake links,
visit checks, unsigned note drafts, break-glass grants, legal holds) moves to the record kept, in
one transaction, with a ClientMerge row and an audit event saying who, when and what. A break-glass
grant still open on the duplicate is ended first (it moves as history): an opening of a near-empty
duplicate must not become access to the whole record kept.

The duplicate stays as a pointer (`Client.merged_into`): out of the client list and searches; a
booking with its email address files under the record kept; the audit trail's reads of it still
name a row that exists. Its name and contact details are kept in the merge record. Details the kept
record lacks (email, phone) are taken from the duplicate.

Refused, with a message: the same record twice, a record already merged, a duplicate with signed
session notes (a signature covers whose note it is, so a signed note cannot move: keep that record
instead), both records with an unfinished intake form, both records with diary entries for the
same day (a client has one a day), both records with an open care episode for the same concern (a
client has one open episode a concern, and the outcome report counts episodes: the client would be
counted twice; judged with both records' visits, as it would be after the merge), and a preview
that no longer matches. Anything else the database refuses while moving (a rule a model added
later has) is refused the same way, with nothing changed, never an error page.

Every relation to Client is moved by walking the model's relations, so a model added later is
moved too (it is listed in the preview under its own name)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.clients.models import Client
from longtide.intake.models import Intake
from longtide.measurement.actions import practice_today, settings_of
from longtide.measurement.models import CONCERN_CHOICES, DiaryEntry, Episode
from longtide.notes.models import NoteStatus, SessionNote
from longtide.practice.models import Practice
from longtide.records.models import BreakGlass, ClientMerge
from longtide.scheduling.booking_messages import about
from longtide.scheduling.models import Appointment, Status

MERGE_OBJECT = "client_merge"

# What the preview calls each thing that moves (anything else: its model's plural name).
LABELS = {
    "scheduling.appointment": gettext_lazy("appointments"),
    "intake.intake": gettext_lazy("intake forms"),
    "intake.flag": gettext_lazy("safety flags (the care team's to read)"),
    "intake.signature": gettext_lazy("consent signatures"),
    "intake.intakelink": gettext_lazy("intake links"),
    "intake.visitcheck": gettext_lazy("before-visit checks"),
    "notes.sessionnote": gettext_lazy("session note drafts"),
    "records.breakglass": gettext_lazy("break-glass grants"),
    "records.legalhold": gettext_lazy("legal holds"),
    "checkins.checkin": gettext_lazy("after-session check-ins (the care team's to read)"),
    "measurement.episode": gettext_lazy("outcome episodes"),
    "measurement.questionnairelink": gettext_lazy("questionnaire links"),
    "measurement.response": gettext_lazy("questionnaire answers"),
    "measurement.diaryentry": gettext_lazy("diary entries"),
}
# Outcome measurement (episodes, questionnaire links and answers, diary entries): which of them a
# client has says what they came for (a headache diary), so to someone without clinical access the
# preview counts them together, as "outcome records".
OUTCOME_APP = "measurement"
OUTCOME_LABEL = gettext_lazy("outcome records (the care team's to read)")
# The clashing diary days a refusal names (then "and N more").
DAYS_SHOWN = 10
# Relations that are the merge's own bookkeeping, not the person's records.
NOT_MOVED = {("clients.client", "merged_into"), ("records.clientmerge", "kept"), ("records.clientmerge", "merged")}


class MergeRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class MergePreview:
    kept: Client
    duplicate: Client
    # (label, count) of what moves, in a stable order; messages follow their appointments.
    moves: list[tuple[str, int]] = field(default_factory=list)
    # The same as (model label, count): what the fingerprint covers, in any language.
    moved: list[tuple[str, int]] = field(default_factory=list)
    messages: int = 0
    filled: list[str] = field(default_factory=list)  # details the kept record takes ("email", "phone")
    refusal: str | None = None

    @property
    def fingerprint(self) -> str:
        """What the confirmation was shown: a merge whose records changed meanwhile is shown again."""
        shown = [self.kept.pk, self.duplicate.pk, self.moved, self.filled, self.duplicate.email, self.kept.email]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]


def _relations() -> list[tuple[type[models.Model], str]]:
    found = []
    for relation in Client._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        assert isinstance(model, type)
        name = relation.field.name
        if (model._meta.label_lower, name) in NOT_MOVED:
            continue
        found.append((model, name))
    return sorted(
        found,
        key=lambda pair: (
            list(LABELS).index(pair[0]._meta.label_lower) if pair[0]._meta.label_lower in LABELS else 99,
            pair[0]._meta.label_lower,
        ),
    )


def preview(kept: Client, duplicate: Client, *, clinical: bool = False, now: datetime | None = None) -> MergePreview:
    """What merging `duplicate` into `kept` would move, or why it cannot be done. Without
    `clinical` (the viewer may not read clinical records) the outcome records are one count."""
    shown = MergePreview(kept, duplicate)
    shown.refusal = _refusal(kept, duplicate, clinical=clinical, now=now or timezone.now())
    outcomes = 0
    for model, name in _relations():
        count = model._default_manager.filter(**{name: duplicate}).count()
        if count:
            shown.moved.append((model._meta.label_lower, count))
            if model._meta.app_label == OUTCOME_APP and not clinical:
                outcomes += count
                continue
            shown.moves.append((str(LABELS.get(model._meta.label_lower, model._meta.verbose_name_plural)), count))
    if outcomes:
        shown.moves.append((str(OUTCOME_LABEL), outcomes))
    ids = list(Appointment.objects.filter(client=duplicate).values_list("pk", flat=True))
    from longtide.notifications.models import Message

    shown.messages = Message.objects.filter(about__in=[about(i) for i in ids]).count() if ids else 0
    shown.filled = [name for name in ("email", "phone") if not getattr(kept, name) and getattr(duplicate, name)]
    return shown


def _refusal(kept: Client, duplicate: Client, *, clinical: bool = False, now: datetime) -> str | None:
    if kept.pk == duplicate.pk:
        return _("Choose another record: a record cannot be merged into itself.")
    if kept.practice_id != duplicate.practice_id:
        return _("These records are not in the same practice.")
    if duplicate.merged_into_id:
        return _("%(name)s was already merged into another record.") % {"name": duplicate.full_name}
    if kept.merged_into_id:
        return _("%(name)s was merged into another record: merge into that one.") % {"name": kept.full_name}
    erased = next((c for c in (kept, duplicate) if c.contact_erased_at is not None), None)
    if erased is not None:
        return _(
            "%(name)s's contact details were erased at the client's request, so this record is not "
            "merged (a merge could bring an erased address or number back)."
        ) % {"name": erased.full_name}
    if SessionNote.objects.filter(client=duplicate, status=NoteStatus.SIGNED).exists():
        return _(
            "%(name)s's record has signed session notes, and a signed note cannot move to "
            "another record (its signature covers whose note it is). Keep that record instead: open it "
            "and merge this one into it."
        ) % {"name": duplicate.full_name}
    drafts = Intake.objects.filter(status="draft")
    if drafts.filter(client=kept).exists() and drafts.filter(client=duplicate).exists():
        return _(
            "Both records have an unfinished intake form, and a client has one at a time. Ask the client to "
            "finish one of them (or send a new link from the record kept), then merge."
        )
    days = sorted(
        set(DiaryEntry.objects.filter(client=kept).values_list("day", flat=True))
        & set(DiaryEntry.objects.filter(client=duplicate).values_list("day", flat=True))
    )
    if days:
        shown = ", ".join(day.isoformat() for day in days[:DAYS_SHOWN])
        if len(days) > DAYS_SHOWN:
            shown += " " + _("and %(count)d more") % {"count": len(days) - DAYS_SHOWN}
        # To a viewer without clinical access the diary is an outcome record, as in the preview.
        if clinical:
            return _(
                "These records cannot be merged: both records have diary entries for the same days: "
                "%(days)s, and a client has one entry a day. Nothing was merged."
            ) % {"days": shown}
        return _(
            "These records cannot be merged: both records have outcome records for the same days: "
            "%(days)s, and a client has one a day. Nothing was merged."
        ) % {"days": shown}
    concerns = _open_on_both(kept, duplicate, now)
    if concerns:
        # To a viewer without clinical access the concern is what the client came for: not named.
        if clinical:
            return _(
                "These records cannot be merged: both records have an open outcome episode for the same concern: "
                "%(concerns)s, and a client has one open episode for a concern (the outcome report would count "
                "this client twice). Close one of them on the client's outcomes page first (discharge), then "
                "merge. Nothing was merged."
            ) % {"concerns": ", ".join(concerns)}
        return _(
            "These records cannot be merged: both records have open outcome records for the same concern "
            "(the care team's to read). Ask the client's practitioner or an owner to close one of them first, "
            "then merge. Nothing was merged."
        )
    return None


def _open_on_both(kept: Client, duplicate: Client, now: datetime) -> list[str]:
    """The concerns (in the intake's words) for which both records have an episode that would be
    open after the merge. Openness is `Episode.is_open`'s, with the visits of both records: after
    the merge they are one client's, so an episode lapsed on its own record (no visit for the
    practice's inactivity days) is open again with the other record's recent visits."""
    episodes = list(Episode.objects.filter(client__in=[kept, duplicate], closed_on__isnull=True).order_by("pk"))
    sides: dict[str, dict[int, list[Episode]]] = {}
    for episode in episodes:
        sides.setdefault(episode.concern, {}).setdefault(episode.client_id, []).append(episode)
    shared = [concern for concern, by_client in sides.items() if len(by_client) == 2]
    if not shared:
        return []
    days = sorted(
        {
            a.start.astimezone(a.location.zone).date()
            for a in Appointment.objects.filter(client__in=[kept, duplicate], status=Status.COMPLETED).select_related(
                "location"
            )
        }
    )
    today = practice_today(kept.practice, now)
    inactivity = settings_of(kept.practice).inactivity_days

    def is_open(episode: Episode) -> bool:
        last: date | None = max((d for d in days if d >= episode.opened_on), default=None)
        return episode.is_open(today, last_visit=last, inactivity_days=inactivity)

    labels = dict(CONCERN_CHOICES)
    return sorted(
        _(labels.get(concern, concern))
        for concern in shared
        if all(any(is_open(e) for e in side) for side in sides[concern].values())
    )


def _name(user: object) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "get_username", lambda: "")())


def merge_clients(
    *,
    practice: Practice,
    kept: Client,
    duplicate: Client,
    by: Actor,
    now: datetime,
    seen: str | None = None,
    clinical: bool = False,
) -> ClientMerge:
    """Merge `duplicate` into `kept` (both of `practice`). Raises MergeRefused, changing nothing.
    `clinical`: the merging member may read clinical records (a refusal may name them)."""
    try:
        merge = _merge(practice=practice, kept=kept, duplicate=duplicate, by=by, now=now, seen=seen, clinical=clinical)
    except IntegrityError as error:
        # A rule of the database that the checks above do not know of: the transaction is rolled
        # back, so nothing moved.
        raise MergeRefused(
            _(
                "These records cannot be merged as they are: something of the duplicate clashes with the "
                "record kept, and the database refused it. Nothing was merged."
            )
        ) from error
    duplicate.refresh_from_db()
    return merge


def _merge(
    *,
    practice: Practice,
    kept: Client,
    duplicate: Client,
    by: Actor,
    now: datetime,
    seen: str | None,
    clinical: bool,
) -> ClientMerge:
    with transaction.atomic():
        # Both rows locked, lower id first (two merges of the same pair cannot deadlock).
        locked = {
            c.pk: c
            for c in Client.objects.select_for_update()
            .filter(practice=practice, pk__in=[kept.pk, duplicate.pk])
            .order_by("pk")
        }
        if kept.pk not in locked or duplicate.pk not in locked:
            raise MergeRefused(_("These records are not in this practice."))
        kept, duplicate = locked[kept.pk], locked[duplicate.pk]
        shown = preview(kept, duplicate, clinical=clinical, now=now)
        if shown.refusal:
            raise MergeRefused(shown.refusal)
        if seen is not None and seen != shown.fingerprint:
            raise MergeRefused(
                "Something changed in these records since the preview (a booking, an intake or their details), "
                "so nothing was merged. Check the preview again below."
            )
        # An opening of the duplicate's chart was granted for what the duplicate held: it ends
        # here and moves as history, so it never opens the record kept (a grant of its own).
        ended = BreakGlass.objects.filter(client=duplicate, until__gt=now).update(until=now)
        moved: dict[str, int] = {}
        for model, name in _relations():
            count = model._default_manager.filter(**{name: duplicate}).update(**{name: kept})
            if count:
                moved[model._meta.label_lower] = count
        snapshot = {"name": duplicate.full_name, "email": duplicate.email, "phone": duplicate.phone}
        if "email" in shown.filled:
            email = duplicate.email
            Client.objects.filter(pk=duplicate.pk).update(email="")  # one address, one record
            kept.email = email
        if "phone" in shown.filled:
            kept.phone = duplicate.phone
        if shown.filled:
            kept.save(update_fields=list(shown.filled))
        Client.objects.filter(pk=duplicate.pk).update(merged_into=kept)
        user = by.user if by.user is not None and by.user.is_authenticated else None
        merge = ClientMerge.objects.create(
            practice=practice,
            kept=kept,
            merged=duplicate,
            merged_by=user,  # type: ignore[misc]  # the project's users are django.contrib.auth's User
            merged_by_name=_name(user),
            merged_at=now,
            merged_name=snapshot["name"],
            merged_email=snapshot["email"],
            merged_phone=snapshot["phone"],
            moved=moved,
            filled=shown.filled,
        )
        record(
            by=by,
            action=Action.CHANGE,
            object_type=MERGE_OBJECT,
            object_id=merge.pk,
            practice_id=practice.pk,
            client_id=kept.pk,
            detail=(
                f"merged client {duplicate.pk} into {kept.pk}: "
                + ", ".join(f"{label} {count}" for label, count in sorted(moved.items()))
                + (f"; break-glass grants ended {ended}" if ended else "")
            )[:200],
        )
    return merge
