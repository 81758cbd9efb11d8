"""Staff endpoints for outcomes (docs/outcomes.md, "API"), with a staff API token like the other
staff endpoints (longtide/api/staff.py): the same rules as the pages, every call audited.

- `GET /api/v1/p/<practice>/clients/<id>/outcomes`: each episode's series (scores, bands, change
  against the baseline in words and as a flag), the headache diary's monthly figures, the latest
  PGIC. As the chart's clinical parts (records/chart.py): owners, the client's care team, shared
  care and open break-glass grants; front desk, practitioners outside the care team (without
  shared care or an open grant), students outside their own sessions and other practices get a 404.
- `GET /api/v1/p/<practice>/reports/outcomes?concern=&from=&to=`: the practice report's numbers
  with the caveat. Owners.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from longtide.api.errors import ApiError
from longtide.api.public import BAD_INPUT, ErrorOut
from longtide.api.staff import StaffToken401, _audit, _client, _member
from longtide.api.types import Day, PathId, Slug
from longtide.audit.models import Via
from longtide.audit.trail import Origin
from longtide.measurement.actions import practice_today
from longtide.measurement.progress import EpisodeView, client_outcomes
from longtide.measurement.report import Filters, cohort_report
from longtide.outcomes.concerns import Concern, measure_for
from longtide.outcomes.diary import MonthlyDays
from longtide.outcomes.report import ChangeSummary, Count
from longtide.practice.access import Perm
from longtide.records.chart import open_chart

router = Router(tags=["staff"], auth=StaffToken401())


def _episode(view: EpisodeView) -> dict[str, Any]:
    e = view.episode
    diary = None
    if view.diary is not None:
        month = view.diary.last_28
        diary = {
            "filled_last_28": view.diary.filled_28,
            "last_28": (
                {"headache_days": month.mhd, "migraine_days": month.mmd, "medication_days": month.medication}
                if isinstance(month, MonthlyDays)
                else None
            ),
            "not_computable": None if isinstance(month, MonthlyDays) else month.message,
            "timepoints": [
                {
                    "window": p.window.key,
                    "headache_days": p.value,
                    "change": _(p.change.wording) if p.change else None,
                    "responder": p.change.responder if p.change else None,
                }
                for p in (view.diary.progress.baseline, *view.diary.progress.timepoints)
            ],
        }
    return {
        "id": e.pk,
        "concern": e.concern,
        "primary_instrument": e.primary_instrument,
        "opened_on": e.opened_on,
        "closed_on": e.closed_on,
        "open": view.is_open,
        "primary_changes": [{"from": c.old, "to": c.new, "reason": c.reason, "at": c.at} for c in view.changes],
        "series": [
            {
                "instrument": s.instrument.id,
                "version": s.instrument.version,
                "title": s.instrument.title,
                "direction": str(s.instrument.direction),
                "mcid": ({"points": s.measure.mcid.points, "percent": s.measure.mcid.percent} if s.measure else None),
                "baseline": s.baseline,
                "baseline_on": s.baseline_on,
                "points": [
                    {
                        "on": r.on,
                        "score": r.value,
                        "band": r.band or None,
                        "not_scorable": r.not_scorable or None,
                        "change": r.change or None,
                        "baseline": r.is_baseline,
                    }
                    for r in s.rows
                ],
                "latest_change": s.latest_change or None,
                "responder": s.responder,
            }
            for s in view.series
        ],
        "diary": diary,
        "latest_pgic": (
            {
                "on": view.latest_pgic.taken_on,
                "value": view.latest_pgic.total,
                "label": view.latest_pgic_label,
                "important_improvement": view.pgic_important,
            }
            if view.latest_pgic
            else None
        ),
    }


@router.get(
    "p/{slug}/clients/{client_id}/outcomes",
    response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's outcomes",
    description="Each care episode with its questionnaire series (scores, bands, change against the baseline in "
    "words and `responder`), the headache diary's monthly days (only with at least 80 % of days filled) and the "
    "latest PGIC. For owners, the client's care team, shared care and open break-glass grants; front desk and "
    "practitioners outside the care team get 404. Audited.",
)
def client_outcomes_api(request: HttpRequest, slug: Slug, client_id: PathId) -> dict[str, Any]:
    practice, row = _member(request, slug, Perm.CLINICAL_READ)
    client = _client(practice, client_id)
    now = timezone.now()
    chart = open_chart(
        user=row.user,
        practice=practice,
        client=client,
        origin=Origin.of(request),
        via=Via.API,
        now=now,
        object_type="outcomes",
    )
    if chart is None or not chart.clinical:
        raise Http404(_("No such client."))
    return {
        "client_id": client.pk,
        "episodes": [_episode(v) for v in client_outcomes(client, practice_today(practice, now))],
    }


def _count(count: Count) -> dict[str, Any]:
    return dataclasses.asdict(count)


def _summary(summary: ChangeSummary) -> dict[str, Any]:
    return {
        "label": _(summary.label),
        "n": summary.n,
        "counts_only": summary.counts_only,
        "improved": _count(summary.improved),
        "unchanged": _count(summary.unchanged),
        "worse": _count(summary.worse),
        "responders": _count(summary.responders),
        "no_room": summary.no_room,
        "median_change": summary.median_change,
        "quartiles": summary.quartiles,
    }


# The concerns the report can be asked for: those with a measure (outcomes/concerns.py).
MeasuredConcern = StrEnum(  # type: ignore[misc]  # members from data
    "MeasuredConcern", {c.name: c.value for c in Concern if measure_for(c) is not None}
)


class ReportQuery(Schema):
    concern: MeasuredConcern = Field(MeasuredConcern("neck_back_pain"), description="The episodes' main concern.")
    start: Day | None = Field(None, alias="from", description="First visits from this day (default: a year ago).")
    end: Day | None = Field(None, alias="to", description="First visits until this day (default: today).")


@router.get(
    "p/{slug}/reports/outcomes",
    response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="The practice's outcome report",
    description="The report of the outcomes page for one concern and period (`from`/`to`: first visits, default "
    "the last 365 days): started, with baseline, each follow-up, all starters (the headline) beside completers "
    "(likely optimistic), improved / unchanged / worse with Wilson 95 % intervals, and the caveat. Owners. Audited. "
    "422 `invalid_range` when `to` is before `from`.",
)
def practice_report_api(request: HttpRequest, slug: Slug, query: Query[ReportQuery]) -> dict[str, Any]:
    practice, row = _member(request, slug, Perm.OUTCOMES_REPORT)
    chosen = Concern(query.concern.value)
    today = practice_today(practice)
    first = query.start or today - timedelta(days=365)
    last = query.end or today
    if last < first:
        raise ApiError(
            422,
            "invalid_range",
            _("The period ends before it starts."),
            {"to": [_("The period ends before it starts.")]},
        )
    report = cohort_report(practice, Filters(chosen, first, last), as_of=today)
    assert report is not None
    _audit(request, practice, row, "outcomes_report", object_id=chosen.value, detail=f"api {first}..{last}")
    return {
        "concern": chosen.value,
        "measure": report.measure.key,
        "period": {"from": first, "to": last},
        "as_of": today,
        "caveat_title": _(report.caveat_title),
        "caveat": [_(p) for p in report.caveat],
        "n_started": report.n_started,
        "n_with_baseline": report.n_with_baseline,
        "follow_up_counts": dict(report.follow_up_counts),
        "headline": report.headline.window.key,
        "windows": [
            {
                "key": w.window.key,
                "label": _(w.window.label),
                "n": w.n,
                "not_yet_due": w.not_yet_due,
                "followed": _count(w.followed),
                "missing": _count(w.missing),
                "all_starters": _summary(w.all_starters),
                "completers": _summary(w.completers),
            }
            for w in report.windows
        ],
        "adverse": {
            "sessions": report.adverse.sessions,
            "checkins_answered": _count(report.adverse.checkins_answered),
            "after_effects": _count(report.adverse.after_effects),
            "serious": _count(report.adverse.serious),
        },
    }
