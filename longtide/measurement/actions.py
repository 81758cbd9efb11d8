"""Outcome workflows: open, re-aim and close an episode; send a questionnaire or diary link; take
a client's answers (scored at write time) and diary days. Each runs in one transaction with its
audit row; views only call these."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.clients.models import Client
from longtide.intake.actions import current_intake
from longtide.intake.models import IntakeSettings
from longtide.lib import formats
from longtide.lib.text import CONTROL_MESSAGE, has_control, one_line
from longtide.measurement import licences, links
from longtide.measurement.crisis import raise_crisis, raises_self_harm
from longtide.measurement.messages import queue_link
from longtide.measurement.models import (
    DiaryEntry,
    Episode,
    MeasurementSettings,
    PrimaryChange,
    QuestionnaireLink,
    Response,
    Timepoint,
)
from longtide.outcomes import instruments
from longtide.outcomes.concerns import PLANS, Concern
from longtide.outcomes.instruments.definition import ChoiceItem, Instrument, Kind, NumberItem, TextItem
from longtide.outcomes.licensing import availability
from longtide.outcomes.scoring import InvalidAnswers, Message, NotScorable, Scored, score, validate
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment, Status

REASON_MIN = 10
REASON_MAX = 1000
DIARY_CATCH_UP_DAYS = 60  # how far back a client may fill in a missed diary day
DIARY = "headache_diary"


class Refused(Exception):
    """The request does not fit (a message for the page or the API)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def practice_today(practice: Practice, now: datetime | None = None) -> date:
    location = practice.locations.first()
    zone = location.zone if location else timezone.get_current_timezone()
    return (now or timezone.now()).astimezone(zone).date()


def settings_of(practice: Practice) -> MeasurementSettings:
    found, _created = MeasurementSettings.objects.get_or_create(practice=practice)
    return found


def main_concern(client: Client) -> Concern | None:
    """The main reason for coming from the client's current intake, if they gave one."""
    intake = current_intake(client)
    if intake is None:
        return None
    main = (intake.answers.get("reasons") or {}).get("main_reason")
    try:
        return Concern(str(main))
    except ValueError:
        return None


def default_primary(concern: Concern) -> str:
    primary = PLANS[concern].primary
    return primary[0] if primary else ""


def offered(practice: Practice) -> list[Instrument]:
    """The questionnaires a practice may send: free ones, licensed ones once the practice has
    recorded its licence and their wording (licences.py), PHQ-9 only while the practice's crisis
    protocol is on (crisis.py), and not the diary (it has its own link)."""
    crisis_protocol = settings_of(practice).crisis_protocol
    wordings = licences.texts(practice)
    return [
        i
        for i in instruments.current()
        if i.kind is not Kind.DAILY_DIARY
        and availability(
            i,
            holds_licence=i.key in wordings,
            licensed_text=wordings.get(i.key),
            crisis_protocol=crisis_protocol,
        ).usable
    ]


def offered_ids(practice: Practice) -> set[str]:
    return {i.id for i in offered(practice)}


def last_days(episodes: Iterable[Episode]) -> dict[int, date | None]:
    """Each episode's last day of care: its `closed_on`, and never later than the day before the next
    episode for the same client and concern opened; None for the latest one still unclosed.

    An episode that lapsed is closed when the next one opens (close_lapsed); rows written before
    that (and two lapsed episodes brought together by a merge of records) have no `closed_on`, and
    the next episode's opening ends them: each visit is a session of one episode for a concern."""
    courses: dict[tuple[int, str], list[Episode]] = defaultdict(list)
    for episode in episodes:
        courses[(episode.client_id, episode.concern)].append(episode)
    ends: dict[int, date | None] = {}
    for course in courses.values():
        course.sort(key=lambda e: (e.opened_on, e.pk))
        for episode, after in zip(course, [*course[1:], None], strict=True):
            end = episode.closed_on
            if after is not None:
                before_next = after.opened_on - timedelta(days=1)
                end = before_next if end is None else min(end, before_next)
            ends[episode.pk] = end
    return ends


def last_day(episode: Episode) -> date | None:
    """`last_days` for one episode (the others of its client and concern read from the database)."""
    others = Episode.objects.filter(client_id=episode.client_id, concern=episode.concern).exclude(pk=episode.pk)
    return last_days([episode, *others])[episode.pk]


def session_days(episode: Episode) -> list[date]:
    """The dates of the client's completed visits in the episode, first first (practice time)."""
    rows = Appointment.objects.filter(client_id=episode.client_id, status=Status.COMPLETED).select_related("location")
    days = sorted({a.start.astimezone(a.location.zone).date() for a in rows})
    until = last_day(episode)
    return [d for d in days if d >= episode.opened_on and (until is None or d <= until)]


def is_open(episode: Episode, today: date) -> bool:
    """Not closed, not followed by a newer episode for its concern, and a visit (or its opening)
    within the practice's inactivity days."""
    if last_day(episode) is not None:
        return False
    visits = session_days(episode)
    return episode.is_open(
        today, last_visit=visits[-1] if visits else None, inactivity_days=settings_of(episode.practice).inactivity_days
    )


def close_lapsed(client: Client, *, today: date, first_day: date) -> list[Episode]:
    """Close for good the client's episodes that had lapsed (no completed visit for the practice's
    inactivity days) before a new episode's first day, on their last session before it (the day
    they opened when they had none), saying so. Called when the new episode opens, in its
    transaction with the client's row locked: without it the new episode's visits would make a
    lapsed one open again (`is_open` looks at the latest visit), two open episodes for one concern,
    each visit counted in both. Judged at today, or at the new first day when that is past (a visit
    already done, opened by hand afterwards). Lapsed episodes of other concerns close too: the new
    course of care's visits are not theirs."""
    inactivity = timedelta(days=settings_of(client.practice).inactivity_days)
    judged = min(today, first_day)
    closed = []
    for episode in (
        Episode.objects.select_for_update().filter(client=client, closed_on__isnull=True).order_by("opened_on", "pk")
    ):
        if episode.opened_on >= first_day:
            continue
        days = [d for d in session_days(episode) if d < first_day]
        last = days[-1] if days else episode.opened_on
        if judged - last <= inactivity:
            continue
        episode.closed_on = last
        episode.close_reason = _("Lapsed: no visit for %(days)d days (closed when a new episode opened)") % {
            "days": inactivity.days
        }
        episode.lapsed = True
        episode.save(update_fields=["closed_on", "close_reason", "lapsed"])
        QuestionnaireLink.objects.filter(episode=episode, voided_at__isnull=True, used_at__isnull=True).update(
            voided_at=timezone.now()
        )
        record(
            by=Actor.system(),
            action=Action.CHANGE,
            object_type="episode",
            practice_id=episode.practice_id,
            client_id=episode.client_id,
            object_id=episode.pk,
            detail=f"closed: lapsed, no visit for {inactivity.days} days",
        )
        closed.append(episode)
    return closed


def first_visit_day(client: Client) -> date | None:
    first = (
        Appointment.objects.filter(client=client, status=Status.COMPLETED)
        .select_related("location")
        .order_by("start")
        .first()
    )
    return first.start.astimezone(first.location.zone).date() if first else None


def clean_reason(raw: str) -> str:
    if has_control(raw):
        raise Refused(_(CONTROL_MESSAGE))
    reason = one_line(raw)
    if len(reason) < REASON_MIN:
        raise Refused(_("Give a reason of at least %(n)d characters.") % {"n": REASON_MIN})
    if len(reason) > REASON_MAX:
        raise Refused(_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX})
    return reason


def open_episode(
    *, client: Client, concern: str, opened_on: date, by: Actor, primary: str = "", now: datetime
) -> Episode:
    """Open a care episode for one concern, with the concern's primary instrument."""
    try:
        chosen = Concern(concern)
    except ValueError:
        raise Refused(_("Choose the concern from the list.")) from None
    today = practice_today(client.practice, now)
    if not (today - timedelta(days=366) <= opened_on <= today + timedelta(days=366)):
        raise Refused(_("The first visit must be within a year of today."))
    primary = primary or default_primary(chosen)
    if primary and primary != DIARY and primary not in offered_ids(client.practice):
        raise Refused(_("That questionnaire cannot be used by this practice."))
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        # Lapsed episodes end before this one (a refusal below undoes it with the rest).
        close_lapsed(client, today=today, first_day=opened_on)
        for other in Episode.objects.filter(client=client, concern=chosen, closed_on__isnull=True):
            if is_open(other, today):
                raise Refused(_("This client already has an open episode for this concern."))
        # Episodes for one concern never overlap: a visit would be a session of both.
        same = Episode.objects.filter(client=client, concern=chosen)
        later = same.filter(opened_on__gte=opened_on).order_by("opened_on").first()
        if later is not None:
            raise Refused(
                _("This client has an episode for this concern from %(day)s on: a new one cannot start before it.")
                % {"day": formats.date_text(later.opened_on, "j M Y", client.practice.locale)}
            )
        for earlier in same.filter(opened_on__lt=opened_on):
            end = earlier.closed_on
            if end is None:  # not open, not lapsed before the new first day: its sessions reach it
                days = session_days(earlier)
                end = days[-1] if days else earlier.opened_on
            if end >= opened_on:
                raise Refused(
                    _(
                        "This client's earlier episode for this concern ran until %(day)s: the new one must start "
                        "after it."
                    )
                    % {"day": formats.date_text(end, "j M Y", client.practice.locale)}
                )
        episode = Episode.objects.create(
            practice_id=client.practice_id,
            client=client,
            concern=chosen,
            primary_instrument=primary,
            opened_on=opened_on,
            opened_by=by.user if isinstance(by.user, User) else None,
        )
        record(
            by=by,
            action=Action.CREATE,
            object_type="episode",
            practice_id=client.practice_id,
            client_id=client.pk,
            object_id=episode.pk,
        )
    return episode


def change_primary(*, episode: Episode, instrument: str, reason: str, by: Actor, now: datetime) -> Episode:
    kept = clean_reason(reason)
    if instrument != DIARY and instrument not in offered_ids(episode.practice):
        raise Refused(_("That questionnaire cannot be used by this practice."))
    if instrument == episode.primary_instrument:
        raise Refused(_("That is already the episode's primary questionnaire."))
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        user = by.user if isinstance(by.user, User) else None
        PrimaryChange.objects.create(
            episode=locked,
            old=locked.primary_instrument,
            new=instrument,
            reason=kept,
            by=user,
            at=now,
        )
        locked.primary_instrument = instrument
        locked.save(update_fields=["primary_instrument"])
        record(
            by=by,
            action=Action.CHANGE,
            object_type="episode",
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            object_id=locked.pk,
            reason=kept,
            detail="primary instrument changed",
        )
    return locked


def close_episode(*, episode: Episode, on: date, reason: str, by: Actor) -> Episode:
    if on < episode.opened_on:
        raise Refused(_("An episode cannot close before it opened."))
    if on > practice_today(episode.practice):
        raise Refused(_("An episode cannot close in the future."))
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        if locked.closed_on is not None:
            return locked
        locked.closed_on = on
        locked.close_reason = " ".join(reason.replace("\x00", "").split())[:200] or _("Discharged")
        locked.save(update_fields=["closed_on", "close_reason"])
        QuestionnaireLink.objects.filter(episode=locked, voided_at__isnull=True, used_at__isnull=True).update(
            voided_at=timezone.now()
        )
        record(
            by=by,
            action=Action.CHANGE,
            object_type="episode",
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            object_id=locked.pk,
            detail="closed",
        )
    return locked


# The same link sent again by the same person within this time is the same form sent twice.
SAME_SEND = timedelta(minutes=2)


def send_link(
    *, episode: Episode, instrument: str, timepoint: str, by: Actor, now: datetime, email: bool = True
) -> QuestionnaireLink:
    """Make the client's link to one questionnaire (or their diary), queue the email, audit it.
    The same send by the same person within SAME_SEND (a double submit) returns the link just made
    and sends nothing more: a new link would void the first email's."""
    diary = instrument == DIARY
    if not diary and instrument not in offered_ids(episode.practice):
        raise Refused(_("That questionnaire cannot be used by this practice."))
    if timepoint not in Timepoint.values or (timepoint == Timepoint.DIARY) != diary:
        raise Refused(_("Choose when this questionnaire is for."))
    if not is_open(episode, practice_today(episode.practice, now)):
        raise Refused(_("This episode is closed: open a new one to send questionnaires."))
    if email and not episode.client.email:
        raise Refused(_("The client has no email address: add one, or show them the link on their booking's page."))
    with transaction.atomic():
        user = by.user if isinstance(by.user, User) else None
        if user is not None:
            # The episode's row locked: two submissions of one form are judged one after the other.
            Episode.objects.select_for_update().filter(pk=episode.pk).first()
            same = (
                QuestionnaireLink.objects.filter(
                    episode=episode,
                    instrument=instrument,
                    timepoint=timepoint,
                    created_by=user,
                    created_at__gt=now - SAME_SEND,
                    created_at__lte=now,
                    voided_at__isnull=True,
                    used_at__isnull=True,
                )
                .order_by("-created_at")
                .first()
            )
            if same is not None:
                # The same form sent twice (a double click): a second link would void the first
                # email's. The link just sent stands.
                return same
        link = links.new_link(episode, instrument, timepoint, now=now, by=user)
        if email:
            queue_link(link, now=now)
        record(
            by=by,
            action=Action.CREATE,
            object_type="questionnaire_link",
            practice_id=episode.practice_id,
            client_id=episode.client_id,
            object_id=link.pk,
            detail=f"{instrument} {timepoint}",
        )
    return link


def form_answers(instrument: Instrument, data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a form's fields (strings) into stored answer values; what does not parse is kept as
    typed so that validation names the problem. Answers to questions that were not asked (an
    earlier answer made them not apply) are dropped."""
    answers: dict[str, Any] = {}
    for item in instrument.items:
        raw = data.get(item.id)
        text = "" if raw is None else str(raw).strip()
        if text == "":
            continue
        if isinstance(item, ChoiceItem):
            digits = text.removeprefix("-")
            answers[item.id] = int(text) if digits.isascii() and digits.isdigit() and len(text) < 6 else text
        elif isinstance(item, NumberItem):
            answers[item.id] = _number(text)
        elif isinstance(item, TextItem):
            answers[item.id] = str(raw)
    for item in instrument.items:
        if item.when is not None and answers.get(item.when.item) != item.when.equals:
            answers.pop(item.id, None)
    return answers


def _number(text: str) -> int | float | str:
    if len(text) > 12:
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return value if value == value else text  # NaN stays text: "Enter a number."


def problems_of(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, str]:
    """Per item, what is wrong with the answers, in words (empty when they fit)."""
    return {key: _(message.text) % dict(message.params) for key, message in validate(instrument, answers).items()}


def _result_fields(result: Scored | NotScorable) -> dict[str, Any]:
    subscales = {
        s.key: {"value": s.value, "band": s.band.key if s.band else "", "positive_screen": s.positive_screen}
        for s in result.subscales
    }
    alerts = [{"kind": str(a.kind), "item": a.item} for a in result.alerts]
    if isinstance(result, Scored):
        return {
            "total": result.total,
            "band": result.band.key if result.band else "",
            "subscales": subscales,
            "not_scorable": "",
            "alerts": alerts,
        }
    return {"total": None, "band": "", "subscales": subscales, "not_scorable": result.message, "alerts": alerts}


@dataclass(frozen=True)
class Submitted:
    response: Response
    again: bool  # the page was submitted a second time: nothing new was stored


def submit(*, link: QuestionnaireLink, data: Mapping[str, Any], by: Actor, now: datetime) -> Submitted:
    """Store a client's answers to a questionnaire link, scored now. Raises InvalidAnswers (with the
    problems) when they do not fit, Refused when the link no longer works."""
    try:
        instrument = licences.instrument_for(link.practice, link.instrument)
    except licences.Unlicensed:
        raise Refused(_("This link no longer works.")) from None
    answers = form_answers(instrument, data)
    result = score(instrument, answers)  # raises InvalidAnswers
    with transaction.atomic():
        locked = QuestionnaireLink.objects.select_for_update().get(pk=link.pk)
        existing = Response.objects.filter(link=locked).first()
        if existing is not None:
            return Submitted(existing, True)
        if not links.works(locked, now):
            raise Refused(_("This link no longer works."))
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    practice_id=locked.practice_id,
                    client_id=locked.client_id,
                    episode_id=locked.episode_id,
                    link=locked,
                    instrument=instrument.id,
                    version=instrument.version,
                    content_hash=instrument.content_hash(),
                    timepoint=locked.timepoint,
                    answers=answers,
                    taken_on=practice_today(link.client.practice, now),
                    submitted_at=now,
                    **_result_fields(result),
                )
        except IntegrityError:
            return Submitted(Response.objects.get(link=locked), True)
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        record(
            by=by,
            action=Action.CREATE,
            object_type="questionnaire_response",
            practice_id=locked.practice_id,
            client_id=locked.client_id,
            object_id=response.pk,
            detail=instrument.id,
        )
        if raises_self_harm(response.alerts):
            raise_crisis(response, now=now)
    return Submitted(response, False)


def update_settings(
    *,
    practice: Practice,
    crisis_protocol: bool,
    inactivity_days: int,
    emergency_number: str,
    crisis_line: str,
    by: Actor,
    now: datetime,
) -> MeasurementSettings:
    """Save the owner's outcome settings. The crisis protocol needs the emergency number and the
    crisis line the client is shown; switching it off voids the PHQ-9 links not yet answered."""
    emergency_number, crisis_line = emergency_number.strip(), crisis_line.strip()
    if crisis_protocol and not (emergency_number and crisis_line):
        raise Refused(_("The crisis protocol needs the emergency number and the crisis line clients are shown."))
    with transaction.atomic():
        found, _created = MeasurementSettings.objects.select_for_update().get_or_create(practice=practice)
        was = found.crisis_protocol
        found.crisis_protocol = crisis_protocol
        found.inactivity_days = inactivity_days
        found.save(update_fields=["crisis_protocol", "inactivity_days"])
        numbers, _created = IntakeSettings.objects.get_or_create(practice=practice)
        numbers.emergency_number, numbers.crisis_line = emergency_number, crisis_line
        numbers.save(update_fields=["emergency_number", "crisis_line"])
        voided = 0
        if was and not crisis_protocol:
            voided = QuestionnaireLink.objects.filter(
                practice=practice,
                instrument__in=[i.id for i in instruments.current() if i.requires_crisis_protocol],
                voided_at__isnull=True,
                used_at__isnull=True,
            ).update(voided_at=now)
        record(
            by=by,
            action=Action.CHANGE,
            object_type="outcome_settings",
            practice_id=practice.pk,
            object_id=found.pk,
            detail=f"crisis protocol {'on' if crisis_protocol else 'off'}; inactivity {inactivity_days} days"
            + (f"; {voided} PHQ-9 links voided" if voided else ""),
        )
    return found


def diary_days_open(link: QuestionnaireLink, today: date) -> tuple[date, date]:
    """The days a diary link may fill: back to DIARY_CATCH_UP_DAYS (and never before 28 days
    before the episode opened: the baseline), up to today."""
    earliest = max(today - timedelta(days=DIARY_CATCH_UP_DAYS), link.episode.opened_on - timedelta(days=28))
    return earliest, today


def _diary_answers(link: QuestionnaireLink, day: date, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The checked answers for one diary day, with the complete flag's score; raises InvalidAnswers or Refused."""
    if not link.is_diary:
        raise Refused(_("This link is not a diary."))
    today = practice_today(link.client.practice, now)
    earliest, latest = diary_days_open(link, today)
    if day > latest:
        raise Refused(_("You can fill in today and days before it, not days to come."))
    if day < earliest:
        raise Refused(_("This day is too long ago to fill in now."))
    instrument = instruments.get(DIARY)
    answers = form_answers(instrument, data)
    if "headache" not in answers:
        raise InvalidAnswers({"headache": Message(_("Please answer: did you have a headache?"))})
    return answers


def _write_diary_day(
    locked: QuestionnaireLink, day: date, answers: dict[str, Any], sync_id: uuid.UUID | None, by: Actor, now: datetime
) -> DiaryEntry:
    instrument = instruments.get(DIARY)
    entry, created = DiaryEntry.objects.update_or_create(
        client_id=locked.client_id,
        day=day,
        defaults={
            "practice_id": locked.practice_id,
            "episode_id": locked.episode_id,
            "version": instrument.version,
            "content_hash": instrument.content_hash(),
            "answers": answers,
            "complete": isinstance(score(instrument, answers), Scored),
            "saved_at": now,
            "sync_id": sync_id,
        },
    )
    record(
        by=by,
        action=Action.CREATE if created else Action.CHANGE,
        object_type="diary_day",
        practice_id=locked.practice_id,
        client_id=locked.client_id,
        object_id=entry.pk,
    )
    return entry


def save_diary_day(
    *,
    link: QuestionnaireLink,
    day: date,
    data: Mapping[str, Any],
    by: Actor,
    now: datetime,
    sync_id: uuid.UUID | None = None,
) -> DiaryEntry:
    """Store (or correct) one diary day. Raises InvalidAnswers or Refused.

    `sync_id`: the phone's id for this entry when its script kept a copy before the form posted
    (diary-offline.js; a post lost on a connection without internet is sent later by the phone). The
    same entry posted again changes nothing; its copy, sent later, is answered "already"."""
    answers = _diary_answers(link, day, data, now)
    with transaction.atomic():
        locked = QuestionnaireLink.objects.select_for_update().get(pk=link.pk)
        if not links.works(locked, now):
            raise Refused(_("This link no longer works."))
        if sync_id is not None:
            existing = DiaryEntry.objects.filter(client_id=locked.client_id, day=day, sync_id=sync_id).first()
            if existing is not None:
                return existing
        return _write_diary_day(locked, day, answers, sync_id, by, now)


class Synced(StrEnum):
    """What became of a diary day the phone recorded offline and sent later."""

    SAVED = "saved"  # stored: the day was empty, or held what the phone had last seen of it
    ALREADY = "already"  # this very entry was stored before (a replayed or doubled send): nothing changed
    KEPT = "kept"  # the day was filled in elsewhere since the phone last saw it: that entry stays


@dataclass(frozen=True)
class DiarySync:
    outcome: Synced
    entry: DiaryEntry


def sync_diary_day(
    *,
    link: QuestionnaireLink,
    day: date,
    data: Mapping[str, Any],
    sync_id: uuid.UUID,
    seen: datetime | None,
    by: Actor,
    now: datetime,
) -> DiarySync:
    """Store one diary day recorded on the phone without a connection (docs/outcomes.md, "The diary
    offline"). `sync_id` is the phone's id for the entry: sending it again never makes a second row
    nor changes the day again. `seen` is when the version of the day the phone showed was saved
    (None: it showed the day empty). The phone's answers replace the day only if the day is still
    what the phone saw; if it was filled in or changed elsewhere since (on another device, or on
    this one online), that entry wins and is kept: the client is told and can open the day to
    change it. Raises InvalidAnswers or Refused, like save_diary_day."""
    answers = _diary_answers(link, day, data, now)
    with transaction.atomic():
        locked = QuestionnaireLink.objects.select_for_update().get(pk=link.pk)
        if not links.works(locked, now):
            raise Refused(_("This link no longer works."))
        existing = DiaryEntry.objects.select_for_update().filter(client_id=locked.client_id, day=day).first()
        if existing is not None and existing.sync_id == sync_id:
            return DiarySync(Synced.ALREADY, existing)
        if existing is not None and existing.saved_at != seen:
            return DiarySync(Synced.KEPT, existing)
        return DiarySync(Synced.SAVED, _write_diary_day(locked, day, answers, sync_id, by, now))


def set_diary_reminders(*, link: QuestionnaireLink, on: bool, by: Actor, now: datetime) -> QuestionnaireLink:
    """The client switches their diary's daily reminder email on or off (from the diary page)."""
    if not link.is_diary:
        raise Refused(_("This link is not a diary."))
    with transaction.atomic():
        locked = QuestionnaireLink.objects.select_for_update().get(pk=link.pk)
        if not links.works(locked, now):
            raise Refused(_("This link no longer works."))
        if locked.diary_reminders != on:
            locked.diary_reminders = on
            locked.save(update_fields=["diary_reminders"])
            record(
                by=by,
                action=Action.CHANGE,
                object_type="questionnaire_link",
                practice_id=locked.practice_id,
                client_id=locked.client_id,
                object_id=locked.pk,
                detail=f"diary reminders {'on' if on else 'off'}",
            )
    return locked
