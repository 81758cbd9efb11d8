"""Where a client stands: intake done, consent current, open flags, and what that means for their
bookings. Derived on read, never stored: acknowledging a flag or signing a new consent changes the
answer at once.

- An open EMERGENCY flag holds the client's bookings: no session until a practitioner has
  acknowledged it (recorded what was done).
- An open REFER flag marks them "needs review" for the practitioner before the session.
- PRECAUTION flags are shown on the chart and the appointment; open ones still need acknowledging.

Front desk sees `Summary.front_desk_label` only: whether intake and consent are done, and whether
a booking is held or waiting for review — never a flag's level or what it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from longtide.clients.models import Client
from longtide.intake.form import REASONS
from longtide.intake.models import ConsentDocument, Flag, Intake, IntakeStatus, Signature, VisitCheck
from longtide.intake.screening import Level
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment


@dataclass(frozen=True)
class Summary:
    client_id: int
    intake_done: bool
    intake_started: bool
    consent_current: bool  # agreed to the current version of every required document
    open_levels: tuple[int, ...]  # levels of unacknowledged flags, highest first

    @property
    def held(self) -> bool:
        return Level.EMERGENCY in self.open_levels

    @property
    def needs_review(self) -> bool:
        return not self.held and Level.REFER in self.open_levels

    @property
    def open_level(self) -> Level | None:
        return Level(self.open_levels[0]) if self.open_levels else None

    @property
    def front_desk_label(self) -> str:
        if self.held:
            return _("Held: the practitioner must review before the session")
        if self.needs_review:
            return _("Needs the practitioner's review before the session")
        if not self.intake_done:
            return _("Intake not done") if not self.intake_started else _("Intake started, not sent")
        if not self.consent_current:
            return _("Consent needed")
        return _("Intake and consent done")

    @property
    def clinical_label(self) -> str:
        level = self.open_level
        if level == Level.EMERGENCY:
            return _("Held: EMERGENCY flag to acknowledge")
        if level == Level.REFER:
            return _("Needs review: REFER flag to acknowledge")
        if level == Level.PRECAUTION:
            return _("PRECAUTION flag to acknowledge")
        return self.front_desk_label


def summaries(practice: Practice, client_ids: Iterable[int]) -> dict[int, Summary]:
    """Summaries for many clients in four queries (the calendar's badges)."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    submitted = set(
        Intake.objects.filter(practice=practice, client_id__in=ids, status=IntakeStatus.SUBMITTED)
        .values_list("client_id", flat=True)
        .distinct()
    )
    started = set(
        Intake.objects.filter(practice=practice, client_id__in=ids, status=IntakeStatus.DRAFT).values_list(
            "client_id", flat=True
        )
    )
    levels: dict[int, list[int]] = {}
    for client_id, level in (
        Flag.objects.open().filter(practice=practice, client_id__in=ids).values_list("client_id", "level")
    ):
        levels.setdefault(client_id, []).append(level)
    newest: dict[str, ConsentDocument] = {}
    for doc in ConsentDocument.objects.filter(practice=practice, required=True).only("pk", "kind", "version"):
        if doc.kind not in newest or doc.version > newest[doc.kind].version:
            newest[doc.kind] = doc
    latest_ids = {doc.pk for doc in newest.values()}
    signed: dict[int, set[int]] = {}
    for client_id, document_id in Signature.objects.filter(
        client_id__in=ids, document_id__in=latest_ids, agreed=True
    ).values_list("client_id", "document_id"):
        signed.setdefault(client_id, set()).add(document_id)
    return {
        cid: Summary(
            client_id=cid,
            intake_done=cid in submitted,
            intake_started=cid in started,
            consent_current=bool(latest_ids) and latest_ids <= signed.get(cid, set()),
            open_levels=tuple(sorted(levels.get(cid, []), reverse=True)),
        )
        for cid in ids
    }


def summary(client: Client) -> Summary:
    return summaries(client.practice, [client.pk])[client.pk]


@dataclass(frozen=True)
class ClientPanel:
    """What the client's booking page says about intake (no clinical content: just what to do)."""

    intake_needed: bool  # no intake sent yet, or a re-opened one waiting
    intake_started: bool
    consent_needed: bool
    ask_anything_new: bool  # a later visit: "anything new since last time?"
    anything_new_answer: bool | None


def client_panel(appointment: Appointment) -> ClientPanel:
    from longtide.intake.actions import documents_to_sign_again  # actions reads no status: no cycle

    found = summary(appointment.client)
    check = VisitCheck.objects.filter(appointment=appointment).first()
    # A later visit: the intake was sent before this booking was made.
    earlier = Intake.objects.filter(
        client=appointment.client, status=IntakeStatus.SUBMITTED, submitted_at__lt=appointment.created_at
    ).exists()
    return ClientPanel(
        intake_needed=not found.intake_done or found.intake_started,
        intake_started=found.intake_started,
        # A new version of a document they signed, or a required one not agreed to: sign just those.
        consent_needed=found.intake_done
        and not found.intake_started
        and bool(documents_to_sign_again(appointment.client)),
        ask_anything_new=earlier and not found.intake_started and appointment.status == "booked",
        anything_new_answer=check.anything_new if check else None,
    )


def agreed_kinds(client: Client) -> frozenset[str]:
    """The consent kinds whose current document version the client's latest answer agrees to (what
    a session note's separate consent ticks and the completion check need on file:
    notes.actions.CONSENT_ON_FILE, intake.session)."""
    newest: dict[str, tuple[int, int]] = {}  # kind → (version, document id)
    for doc_id, kind, version in ConsentDocument.objects.filter(practice_id=client.practice_id).values_list(
        "pk", "kind", "version"
    ):
        newest[kind] = max(newest.get(kind, (0, 0)), (version, doc_id))
    current = {doc_id: kind for kind, (_version, doc_id) in newest.items()}
    # The client's latest answer to each current document counts (the rule of
    # intake.session.current_treatment_signature): agreeing and then declining is declining.
    latest: dict[int, bool] = {}
    for doc_id, agreed in (
        Signature.objects.filter(client=client, document_id__in=current)
        .order_by("document_id", "-signed_at", "-pk")
        .values_list("document_id", "agreed")
    ):
        latest.setdefault(doc_id, agreed)
    return frozenset(current[doc_id] for doc_id, agreed in latest.items() if agreed)


def _intake_day(intake: Intake, appointment: Appointment) -> str:
    """The day the intake was sent, at the visit's location, in the practice's locale: "3 Dec 2026"."""
    sent = intake.submitted_at.astimezone(appointment.location.zone) if intake.submitted_at else None
    return appointment.practice.formats.date(sent, "j M Y") if sent else ""


def known_before_session(appointment: Appointment) -> list[str]:
    """What the intake says that a session note's Subjective starts from (practitioners only): the
    main concern with its rating, the goals, the answer to "anything new since last time?" for
    this visit, and the flags still open."""
    lines = []
    current = (
        Intake.objects.filter(client_id=appointment.client_id, status=IntakeStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if current is not None:
        reasons = current.answers.get("reasons", {})
        main = reasons.get("main_reason")
        if main:
            label = dict(REASONS).get(main, reasons.get("other_reason") or main)
            rating = reasons.get("severity", {}).get(main)
            day = _intake_day(current, appointment)
            lines.append(f"Main concern (intake {day}): {label}" + (f", {rating}/10" if rating else ""))
        if goals := str(reasons.get("goals", "")).strip():
            lines.append(f"Goals: {goals}")
    check = VisitCheck.objects.filter(appointment=appointment).first()
    if check is not None:
        lines.append("Anything new since last time: " + ("yes (screen re-answered)" if check.anything_new else "no"))
    for flag in Flag.objects.filter(client_id=appointment.client_id).open().order_by("-level", "raised_at"):
        lines.append(f"Open flag ({Level(flag.level).name}): {flag.staff_label}")
    return lines
