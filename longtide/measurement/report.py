"""The practice's outcome report from the database: one `EpisodeRecord` per care episode for the
concern, handed to the pure `outcomes.report.practice_report` (which holds all the arithmetic,
the small-cell rules and the caveat). Filters: period (the first visit's date), practitioner style
and service (episodes with at least one completed visit of that style or service). An episode's
sessions are the client's completed visits from the day it opened to its last day (`closed_on`, and
never past the day before the next episode for the concern opened: `actions.last_days`), so each
visit is a session of one episode. After-effects come from the after-session check-ins
(longtide/checkins) of the episodes' completed visits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from longtide.checkins.models import CheckIn
from longtide.measurement.actions import last_days
from longtide.measurement.models import DiaryEntry, Episode, Response
from longtide.outcomes.concerns import Concern, measure_for
from longtide.outcomes.diary import DiaryDay
from longtide.outcomes.measures import Measure
from longtide.outcomes.report import CohortReport, EpisodeRecord, SessionRecord, practice_report
from longtide.outcomes.windows import WEEK_6, WEEK_12, Measurement
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment, Status

WINDOWS = (WEEK_6, WEEK_12)


@dataclass(frozen=True)
class Filters:
    concern: Concern
    first_day: date
    last_day: date
    style: str = ""
    service_id: int | None = None


def episode_records(practice: Practice, filters: Filters, measure: Measure) -> list[EpisodeRecord]:
    episodes = list(
        Episode.objects.filter(
            practice=practice,
            concern=filters.concern,
            opened_on__gte=filters.first_day,
            opened_on__lte=filters.last_day,
        ).order_by("pk")
    )
    client_ids = {e.client_id for e in episodes}
    # Each episode's last day: closed_on, or where the next episode for the concern began (also one
    # opened after the period), so no visit is a session of two episodes.
    ends = last_days(
        Episode.objects.filter(client_id__in=client_ids, concern=filters.concern).only(
            "pk", "client_id", "concern", "opened_on", "closed_on"
        )
    )
    visits: dict[int, list[tuple[date, str, int, int]]] = defaultdict(list)
    for a in (
        Appointment.objects.filter(client_id__in=client_ids, status=Status.COMPLETED)
        .select_related("location", "practitioner")
        .order_by("start")
    ):
        assert a.client_id is not None
        visits[a.client_id].append(
            (a.start.astimezone(a.location.zone).date(), a.practitioner.style, a.service_id, a.pk)
        )
    checkins = {
        c.appointment_id: c
        for c in CheckIn.objects.filter(client_id__in=client_ids).only("appointment_id", "effects", "sought_care")
    }
    instrument_id = measure.key.split(".")[0]
    scores: dict[int, list[Measurement]] = defaultdict(list)
    if measure.diary is None:
        for episode_id, taken_on, total in Response.objects.filter(
            episode__in=episodes, instrument=instrument_id, total__isnull=False
        ).values_list("episode_id", "taken_on", "total"):
            if total is not None:
                scores[episode_id].append(Measurement(taken_on, total))
    diaries: dict[int, list[DiaryDay]] = defaultdict(list)
    if measure.diary is not None:
        for client_id, day, answers in (
            DiaryEntry.objects.filter(client_id__in=client_ids, complete=True)
            .order_by("day")
            .values_list("client_id", "day", "answers")
        ):
            entry = DiaryDay.from_answers(day, answers)
            if entry is not None:
                diaries[client_id].append(entry)
    records = []
    for e in episodes:
        until = ends[e.pk]
        mine = [v for v in visits[e.client_id] if v[0] >= e.opened_on and (until is None or v[0] <= until)]
        if filters.style and not any(v[1] == filters.style for v in mine):
            continue
        if filters.service_id is not None and not any(v[2] == filters.service_id for v in mine):
            continue
        records.append(
            EpisodeRecord(
                episode_id=str(e.pk),
                started_on=e.opened_on,
                measure=measure,
                measurements=tuple(scores[e.pk]),
                diary=tuple(diaries[e.client_id]),
                sessions=tuple(_session(v[0], checkins.get(v[3])) for v in mine),
            )
        )
    return records


def _session(on: date, checkin: CheckIn | None) -> SessionRecord:
    """A completed visit with its after-session check-in (longtide/checkins), if answered."""
    if checkin is None:
        return SessionRecord(on, checkin_answered=False)
    return SessionRecord(on, checkin_answered=True, after_effect=checkin.after_effect, serious=checkin.serious)


def cohort_report(practice: Practice, filters: Filters, *, as_of: date, exported: bool = False) -> CohortReport | None:
    """The report for the filters, or None when the concern has no measure (trauma, other)."""
    measure = measure_for(filters.concern)
    if measure is None:
        return None
    return practice_report(
        episode_records(practice, filters, measure),
        measure=measure,
        period=(filters.first_day, filters.last_day),
        as_of=as_of,
        windows=WINDOWS,
        exported=exported,
    )
