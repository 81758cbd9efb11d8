"""Intake workflows: save a step, submit with consent, acknowledge a flag, "anything new?".

Every function runs in one transaction and locks what it changes, so a second submit (double
click, back button) finds the intake already submitted and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from longtide.audit.models import Action
from longtide.audit.trail import Actor, Origin, record
from longtide.clients.models import Client
from longtide.intake import consent_texts, form, screening
from longtide.intake.models import (
    ConsentDocument,
    Flag,
    FlagAction,
    FormVersion,
    Intake,
    IntakeSettings,
    IntakeStatus,
    Signature,
    Signer,
    VisitCheck,
)
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment

MAX_NAME = 200
DOCUMENTS_CHANGED = gettext_noop(
    "The clinic updated a document while this page was open, so nothing was signed. Please read the "
    "documents below and sign again."
)


class IntakeError(Exception):
    """A workflow step refused, with a message for the person acting."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# -- the practice's form, documents and settings --------------------------------------------------


def current_form(practice: Practice) -> FormVersion:
    """The practice's newest form version (version 1, the shipped form, made on first use)."""
    found = FormVersion.objects.filter(practice=practice).order_by("-number").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return FormVersion.objects.create(practice=practice, number=1, shipped_version=form.FORM_VERSION)
    except IntegrityError:  # made by a concurrent first use
        return FormVersion.objects.get(practice=practice, number=1)


def publish_form(practice: Practice, definition: dict[str, Any]) -> FormVersion:
    """Publish a new form version with the practice's own questions and screen items. Refused
    (ValueError) when an item is malformed or would weaken the shipped screen. A definition the
    latest version already has (two submissions of one change at once) publishes nothing: that
    version is returned."""
    form.Definition.build("check", definition)
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        latest = FormVersion.objects.filter(practice=practice).order_by("-number").first()
        if latest is not None and latest.definition == definition and latest.shipped_version == form.FORM_VERSION:
            return latest  # the same change sent twice at once: one version
        number = (latest.number if latest is not None else 0) + 1
        return FormVersion.objects.create(
            practice=practice, number=number, shipped_version=form.FORM_VERSION, definition=definition
        )


def definition_of(version: FormVersion) -> form.Definition:
    return form.Definition.build(version.label, version.definition)


def intake_settings(practice: Practice) -> IntakeSettings:
    found = IntakeSettings.objects.filter(practice=practice).first()
    return found or IntakeSettings(practice=practice)


def current_documents(practice: Practice) -> list[ConsentDocument]:
    """The newest version of each of the practice's consent documents (the defaults made on first use)."""
    documents = {doc.kind: doc for doc in ConsentDocument.objects.filter(practice=practice).order_by("kind", "version")}
    if not documents:
        for default in consent_texts.DEFAULTS:
            publish_document(practice, default.kind, default.title, default.text, default.agree_label)
        return current_documents(practice)
    order = [kind.value for kind in consent_texts.Kind]
    return sorted(documents.values(), key=lambda d: order.index(d.kind) if d.kind in order else len(order))


def publish_document(practice: Practice, kind: str, title: str, text: str, agree_label: str) -> ConsentDocument:
    """Publish a new version of a document: clients are asked again before their next visit."""
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        last = ConsentDocument.objects.filter(practice=practice, kind=kind).aggregate(n=Max("version"))["n"] or 0
        return ConsentDocument.objects.create(
            practice=practice,
            kind=kind,
            version=last + 1,
            title=title,
            text=text,
            agree_label=agree_label,
            text_sha256=consent_texts.text_hash(text),
            required=kind in consent_texts.REQUIRED,
        )


# -- the client's side ------------------------------------------------------------------------------


def current_intake(client: Client) -> Intake | None:
    """The client's latest submitted intake."""
    return (
        Intake.objects.filter(client=client, status=IntakeStatus.SUBMITTED)
        .select_related("form")
        .order_by("-submitted_at")
        .first()
    )


def practice_today(practice: Practice) -> date:
    """Today in the practice's time zone (its first location's)."""
    location = practice.locations.first()
    zone = location.zone if location else timezone.get_current_timezone()
    return timezone.now().astimezone(zone).date()


def _as_posted(step: str, answers: dict[str, Any]) -> dict[str, Any]:
    """A step's saved answers in the shape its form posts them (what `form.check_step` reads)."""
    posted = dict(answers)
    if step == "reasons":
        for key, value in (answers.get("severity") or {}).items():
            posted[f"severity_{key}"] = "" if value is None else str(value)
    if step == "screen":
        return {f"q_{k}": {True: "yes", False: "no"}.get(v, "") for k, v in answers.items()}
    return posted


def steps_passing(
    definition: form.Definition, answers: dict[str, Any], steps: Collection[str], today: date
) -> list[str]:
    """The steps among `steps` whose saved answers pass the checks of `definition`, in the form's
    order: a step answered for an older form version lacks a required question added since."""
    return [
        step
        for step in form.STEP_KEYS
        if step in steps
        and step != "consent"
        and form.check_step(definition, step, _as_posted(step, answers.get(step) or {}), today).ok
    ]


def draft_for(client: Client, *, today: date | None = None) -> Intake:
    """The client's intake being filled in: the open draft, or a new one (prefilled from the last
    submitted intake, except the safety screen, which is always answered afresh). A prefilled step
    is marked done only when its answers pass the current form version's checks (a required
    question added since takes the client to that step)."""
    draft = Intake.objects.filter(client=client, status=IntakeStatus.DRAFT).select_related("form").first()
    if draft is not None:
        return draft
    previous = current_intake(client)
    answers = {k: v for k, v in (previous.answers if previous else {}).items() if k != "screen"}
    version = current_form(client.practice)
    done = steps_passing(definition_of(version), answers, answers, today or practice_today(client.practice))
    try:
        with transaction.atomic():
            return Intake.objects.create(
                practice_id=client.practice_id,
                client=client,
                form=version,
                answers=answers,
                steps_done=done,
                reopened_from=previous,
            )
    except IntegrityError:  # a concurrent request made the draft
        return Intake.objects.select_related("form").get(client=client, status=IntakeStatus.DRAFT)


def save_step(intake: Intake, step: str, data: dict[str, Any], *, today: date) -> form.Checked:
    """Check and save one step. Good answers replace the step's answers; either way what was typed
    is kept (`typed`), so an error or a closed browser loses nothing."""
    if step not in form.STEP_KEYS or step == "consent":
        raise IntakeError(_("There is no such step."))
    checked = form.check_step(definition_of(intake.form), step, data, today, _)
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status != IntakeStatus.DRAFT:
            raise IntakeError(_("This form has already been sent. Thank you!"))
        locked.typed = {**locked.typed, step: _storable(data)}
        if checked.ok:
            locked.answers = {**locked.answers, step: checked.answers}
            locked.typed.pop(step, None)
            if step not in locked.steps_done:
                locked.steps_done = [*locked.steps_done, step]
        elif step in locked.steps_done:
            locked.steps_done = [s for s in locked.steps_done if s != step]
        locked.save(update_fields=["answers", "typed", "steps_done", "updated_at"])
        if step == "screen" and checked.ok:
            _raise_urgent(locked, today=today, now=timezone.now())
    intake.answers, intake.typed, intake.steps_done = locked.answers, locked.typed, locked.steps_done
    return checked


def urgent_result(intake: Intake, today: date) -> screening.Result:
    """What the draft's screen answers say now, kept to what cannot wait for the consent step: an
    EMERGENCY answer (seek care now) and thoughts of self-harm (the crisis protocol)."""
    facts = {"minor"} if client_is_minor(intake, today) else set()
    found = screening.evaluate(definition_of(intake.form).screen, intake.answers.get("screen", {}), facts)
    urgent = [f for f in found.flags if f.crisis or f.level == screening.Level.EMERGENCY]
    return screening.Result(flags=tuple(urgent))


def _raise_urgent(locked: Intake, *, today: date, now: datetime) -> None:
    """Raise the urgent flags of the screen step as soon as it is saved, and alert the practitioners:
    a client who says they are thinking of harming themselves, or describes an emergency, is not
    left unseen because they stop before the consents, or decline them (found by a review: flags
    were raised only when the intake was sent, after the consents were signed). The flags stay
    if the answer is changed afterwards: a disclosure once made is the practitioner's to follow up.
    `submit` raises the rest and does not raise these twice."""
    result = urgent_result(locked, today)
    known = set(locked.flags.values_list("item_key", flat=True))
    new = [raised for raised in result.flags if raised.key not in known]
    for raised in new:
        _flag(locked, raised)
    if new:
        record(
            by=Actor(None, "client"),
            action=Action.CREATE,
            object_type="intake_flags",
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            object_id=locked.pk,
            detail=f"urgent answers at the screen step; flags {len(new)}",
        )
        from longtide.intake.messages import queue_alerts

        queue_alerts(locked, now=now)


def _flag(intake: Intake, raised: screening.Flag) -> Flag:
    return Flag.objects.create(
        practice_id=intake.practice_id,
        client_id=intake.client_id,
        intake=intake,
        item_key=raised.key,
        level=int(raised.level),
        staff_label=raised.staff_label,
        urgent=raised.urgent,
        crisis=raised.crisis,
    )


def _storable(data: dict[str, Any]) -> dict[str, Any]:
    """What was typed, as it can be stored and shown again: strings without NUL or other control
    characters (PostgreSQL refuses NUL in JSON), at most 20 values per key."""

    def clean(value: object) -> str:
        return "".join(ch for ch in str(value) if ch >= " " or ch in "\n\t")[: form.LONG_TEXT_MAX + 100]

    out: dict[str, Any] = {}
    for key, value in list(data.items())[:200]:
        out[clean(key)[:60]] = [clean(v) for v in value[:20]] if isinstance(value, list) else clean(value)
    return out


def client_is_minor(intake: Intake, today: date) -> bool:
    return form.is_minor(str(intake.answers.get("about", {}).get("date_of_birth", "")), today)


@dataclass
class ConsentAnswer:
    agreed_ids: set[int]
    typed_name: str
    relationship: str = ""


@dataclass
class Submitted:
    intake: Intake
    result: screening.Result
    already: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch >= " ").strip()


MAX_RELATIONSHIP = 100  # Signature.guardian_relationship


def check_consent(
    intake: Intake, answer: ConsentAnswer, documents: list[ConsentDocument], today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for doc in documents:
        if doc.required and doc.pk not in answer.agreed_ids:
            errors[f"consent_{doc.pk}"] = _("“%(title)s” is needed before a session: please tick to agree.") % {
                "title": doc.title
            }
    name = _clean(answer.typed_name)
    minor = client_is_minor(intake, today)
    if not name:
        errors["typed_name"] = (
            _("Please type the parent's or guardian's full name to sign.")
            if minor
            else _("Please type your full name to sign.")
        )
    elif len(name) > MAX_NAME:
        errors["typed_name"] = _("Please keep the name under %(count)d characters.") % {"count": MAX_NAME}
    relationship = _clean(answer.relationship)
    if minor and not relationship:
        errors["relationship"] = _(
            "The client is under 18: please say how you are related to them (for example: mother)."
        )
    elif minor and len(relationship) > MAX_RELATIONSHIP:
        errors["relationship"] = _("Please keep the relationship under %(count)d characters.") % {
            "count": MAX_RELATIONSHIP
        }
    missing = [step for step in ("about", "reasons", "health", "screen") if step not in intake.steps_done]
    if missing:
        titles = ", ".join(s.title for s in form.STEPS if s.key in missing)
        errors[""] = _("Some steps still need answers: %(steps)s.") % {"steps": titles}
    return errors


def _sign(
    intake: Intake,
    documents: list[ConsentDocument],
    answer: ConsentAnswer,
    *,
    minor: bool,
    now: datetime,
    origin: Origin,
) -> list[Signature]:
    """Record the client's answer to each document, as ticked, with the typed name (a parent or
    guardian's for a minor, with their relationship), time, address, user agent and the text's SHA-256.
    The answer has passed `check_consent`: nothing is cut."""
    return [
        Signature.objects.create(
            practice_id=intake.practice_id,
            client_id=intake.client_id,
            document=doc,
            intake=intake,
            agreed=doc.pk in answer.agreed_ids,
            typed_name=_clean(answer.typed_name),
            signer=Signer.GUARDIAN if minor else Signer.CLIENT,
            guardian_relationship=_clean(answer.relationship) if minor else "",
            text_sha256=doc.text_sha256,
            signed_at=now,
            ip=origin.ip,
            user_agent=origin.user_agent[:300],
        )
        for doc in documents
    ]


def submit(
    intake: Intake,
    answer: ConsentAnswer,
    *,
    origin: Origin,
    today: date,
    now: datetime | None = None,
    alert: bool = True,
    shown: Collection[int] | None = None,
) -> Submitted:
    """Sign the consents, run the screen, raise the flags and submit the intake — once. A second
    submit of a submitted intake returns it unchanged (`already`). `shown`: the documents the
    consent step showed; when they are no longer the current ones (a version published while the
    page was open), nothing is signed (error `documents_changed`), as in `sign_again`. Every step
    is checked again against the intake's form version: one that no longer passes (a required
    question added since it was answered) is taken off `steps_done` and the intake is not sent."""
    now = now or timezone.now()
    documents = current_documents(intake.practice)
    definition = definition_of(intake.form)
    with transaction.atomic():
        locked = Intake.objects.select_for_update().select_related("form", "client").get(pk=intake.pk)
        if locked.status == IntakeStatus.SUBMITTED:
            return Submitted(locked, _result_of(locked), already=True)
        if shown is not None and set(shown) != {doc.pk for doc in documents}:
            return Submitted(locked, screening.Result(), errors={"documents_changed": _(DOCUMENTS_CHANGED)})
        passing = set(steps_passing(definition_of(locked.form), locked.answers, locked.steps_done, today))
        if any(step not in passing for step in locked.steps_done):
            locked.steps_done = [step for step in locked.steps_done if step in passing]
            locked.save(update_fields=["steps_done", "updated_at"])
        intake.steps_done = locked.steps_done
        errors = check_consent(locked, answer, documents, today)
        if errors:
            return Submitted(locked, screening.Result(), errors=errors)
        minor = client_is_minor(locked, today)
        agreed_kinds = {doc.kind for doc in documents if doc.pk in answer.agreed_ids}
        _sign(locked, documents, answer, minor=minor, now=now, origin=origin)
        facts = {"minor"} if minor else set()
        if consent_texts.Kind.INTRAORAL in agreed_kinds:
            facts.add("intraoral_consent")
        result = screening.evaluate(definition.screen, locked.answers.get("screen", {}), facts)
        raised_early = set(locked.flags.values_list("item_key", flat=True))  # _raise_urgent's
        for raised in result.flags:
            if raised.key not in raised_early:
                _flag(locked, raised)
        locked.status = IntakeStatus.SUBMITTED
        locked.submitted_at = now
        locked.level = int(result.level) if result.level else None
        locked.signer = Signer.GUARDIAN if minor else Signer.CLIENT
        locked.typed = {}
        locked.save()
        client = locked.client
        record(
            by=Actor(None, "client", origin),
            action=Action.CREATE,
            object_type="intake",
            practice_id=locked.practice_id,
            client_id=client.pk,
            object_id=locked.pk,
            detail=f"submitted; flags {len(result.flags)}",
        )
        if alert and result.level is not None and result.level >= screening.Level.REFER:
            from longtide.intake.messages import queue_alerts

            queue_alerts(locked, now=now)
    return Submitted(locked, result)


# -- signing again: a new version of a consent document ---------------------------------------------


def documents_to_sign_again(client: Client) -> list[ConsentDocument]:
    """The current documents the client is asked to sign again without redoing the intake: a newer
    version of one they answered before, or a required one they have not agreed to in its current
    version. Empty before their first intake is sent (the intake's own consent step asks then)."""
    if current_intake(client) is None:
        return []
    answered: dict[str, set[int]] = {}
    agreed: set[int] = set()
    for kind, document_id, yes in Signature.objects.filter(client=client).values_list(
        "document__kind", "document_id", "agreed"
    ):
        answered.setdefault(kind, set()).add(document_id)
        if yes:
            agreed.add(document_id)
    found = []
    for document in current_documents(client.practice):
        if document.required:
            if document.pk not in agreed:
                found.append(document)
        elif document.kind in answered and document.pk not in answered[document.kind]:
            found.append(document)
    return found


@dataclass
class SignedAgain:
    signed: list[Signature] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def sign_again(
    client: Client,
    answer: ConsentAnswer,
    *,
    origin: Origin,
    today: date,
    now: datetime | None = None,
    shown: Collection[int] | None = None,
) -> SignedAgain:
    """Sign the documents of `documents_to_sign_again` (agreed or not, as ticked), with the typed
    name, time, address and user agent and the SHA-256 of each text — the intake's rules (required
    ones must be agreed; a parent or guardian signs for a minor, with their relationship). Documents
    signed meanwhile (an old tab) are not signed twice. `shown`: the documents the page showed; when
    they are no longer the ones to sign (a version published meanwhile), nothing is signed (error
    `documents_changed`), so no one is recorded as answering a text they were not shown."""
    now = now or timezone.now()
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        intake = current_intake(client)
        documents = documents_to_sign_again(client)
        if intake is None or not documents:
            return SignedAgain()
        if shown is not None and set(shown) != {doc.pk for doc in documents}:
            return SignedAgain(errors={"documents_changed": _(DOCUMENTS_CHANGED)})
        errors = check_consent(intake, answer, documents, today)
        if errors:
            return SignedAgain(errors=errors)
        minor = client_is_minor(intake, today)
        signed = _sign(intake, documents, answer, minor=minor, now=now, origin=origin)
        record(
            by=Actor(None, "client", origin),
            action=Action.SIGN,
            object_type="consent",
            practice_id=client.practice_id,
            client_id=client.pk,
            object_id=intake.pk,
            detail="signed again: " + ", ".join(f"{d.kind} v{d.version}" for d in documents),
        )
    return SignedAgain(signed=signed)


def _result_of(intake: Intake) -> screening.Result:
    flags = [screening.Flag(f.item_key, f.level_enum, f.staff_label, f.urgent, f.crisis) for f in intake.flags.all()]
    flags.sort(key=lambda f: -f.level)
    return screening.Result(tuple(flags))


def answer_visit_check(appointment: Appointment, *, anything_new: bool) -> Intake | None:
    """Record the client's "anything new since last time?"; "yes" opens a new intake to answer.
    A "yes" stands: a later "no" for the same visit changes nothing, while a "yes" after a "no" (a
    new injury since, or a mistaken tap) replaces it, so that it is screened (found by a review: a
    first "no" was final). Returns the draft to fill in, if any."""
    with transaction.atomic():
        check, _created = VisitCheck.objects.get_or_create(
            appointment=appointment,
            defaults={
                "practice_id": appointment.practice_id,
                "client_id": appointment.client_id,
                "anything_new": anything_new,
            },
        )
        if anything_new and not check.anything_new:
            VisitCheck.objects.filter(pk=check.pk).update(anything_new=True)
            check.anything_new = True
        if check.anything_new:
            return draft_for(appointment.client, today=timezone.now().astimezone(appointment.location.zone).date())
    return None


# -- the staff side -----------------------------------------------------------------------------------


def acknowledge(flag: Flag, *, by: AbstractBaseUser, actor: Actor, action: str, note: str) -> Flag:
    """Record what was done about a flag, by whom and when. A flag is acknowledged once."""
    if action not in FlagAction.values:
        raise IntakeError(_("Please choose what was done."), "action")
    note = "".join(ch for ch in note if ch >= " " or ch in "\n\t").strip()
    if len(note) > form.LONG_TEXT_MAX:
        raise IntakeError(_("Please keep the note under %(count)d characters.") % {"count": form.LONG_TEXT_MAX}, "note")
    with transaction.atomic():
        locked = Flag.objects.select_for_update().get(pk=flag.pk)
        if locked.acknowledged_at is not None:
            raise IntakeError(_("This flag was already acknowledged."))
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by  # type: ignore[assignment]
        locked.action = action
        locked.action_note = note
        locked.save()
        record(
            by=actor,
            action=Action.CHANGE,
            object_type="intake_flag",
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            object_id=locked.pk,
            detail=f"acknowledged: {action}",
        )
    return locked
