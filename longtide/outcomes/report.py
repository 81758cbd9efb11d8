"""The practice outcome report's arithmetic, exactly domain.md §2. Pure: the Django layer fills
``EpisodeRecord`` values (one per episode of care for the concern, already filtered by practitioner
style or service if the owner asked) and renders the ``CohortReport`` it gets back.

    report = practice_report(episodes, measure=measure_of(instruments.get("nprs_pain")),
                             period=(first_day, last_day), as_of=today, windows=(WEEK_6, WEEK_12))

1. Cohort: episodes whose first session falls in the period and that have a baseline. ``n_started``
   also counts those without a baseline.
2. Fixed windows (``windows.py``): one measurement per window by a rule set in advance. A window
   that has not closed by ``as_of`` is "not yet due" and left out of that window's figures.
3. Two analyses: all starters (a missing follow-up counts as no change: the headline) and
   completers (those who answered; labelled "likely optimistic"), with the share missing.
4. Improved / unchanged / worse by the MCID (``change.py``) and responders (improved from a
   baseline with room), each with a Wilson 95 % interval; the median change (follow-up minus
   baseline, in the measure's units) with quartiles. Under 10 in an analysis: counts only.
   Headache measures also give responders at 30 %.
5. Exported reports (anything shared outside the practice) hide every count under 5 — zero
   included — and one more count of the same total where the hidden one could be worked out;
   they can only be made once every window of the period has closed.
6. Adverse events over every session of every episode started in the period: the share of
   sessions with an answered check-in that reported an after-effect, and serious events counted.
7. The caveat (``wording.CAVEAT``) travels with every report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from longtide.outcomes import wording
from longtide.outcomes.change import Change, ChangeCategory, classify
from longtide.outcomes.diary import DiaryDay, MonthlyDays, index_days, summarize
from longtide.outcomes.measures import Measure
from longtide.outcomes.stats import median_and_quartiles, wilson
from longtide.outcomes.windows import BASELINE, DayWindow, Measurement, diary_period, pick

SMALL_COHORT = 10  # below this: counts only
SMALL_CELL = 5  # exported reports hide counts below this


class ReportNotReady(ValueError):
    """An exported report was asked for before every follow-up window of the period had closed."""


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One attended session and what its after-session check-in said."""

    on: date
    checkin_answered: bool
    after_effect: bool = False
    serious: bool = False

    def __post_init__(self) -> None:
        if self.serious and not self.after_effect:
            raise ValueError("a serious event is an after-effect")
        if self.after_effect and not self.checkin_answered:
            raise ValueError("an after-effect comes from an answered check-in")


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """One episode of care, as the Django layer hands it over.

    ``started_on`` is the date of the first session (day 0). ``measurements`` are the scorable
    results of the report's measure (not-scorable answers are left out); for diary measures pass
    ``diary`` (complete entries) instead. ``sessions`` are the attended sessions, in order.
    """

    episode_id: str
    started_on: date
    measure: Measure
    measurements: tuple[Measurement, ...] = ()
    diary: tuple[DiaryDay, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Count:
    """A count out of ``n``, with its share and Wilson 95 % interval when they may be shown."""

    count: int | None  # None when hidden
    n: int | None
    share: float | None
    low: float | None
    high: float | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    label: str
    n: int | None
    counts_only: bool
    improved: Count
    unchanged: Count
    worse: Count
    responders: Count
    responders_30: Count | None  # headache measures only
    no_room: int | None  # baseline left no room for an MCID of improvement
    median_change: float | None
    quartiles: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class WindowReport:
    window: DayWindow
    n: int | None  # cohort episodes whose window has closed
    not_yet_due: int
    followed: Count
    missing: Count
    all_starters: ChangeSummary
    completers: ChangeSummary


@dataclass(frozen=True, slots=True)
class AdverseEvents:
    sessions: int | None
    checkins_answered: Count
    after_effects: Count  # of sessions with an answered check-in
    serious: Count  # counted, no share


@dataclass(frozen=True, slots=True)
class CohortReport:
    measure: Measure
    period: tuple[date, date]
    as_of: date
    exported: bool
    n_started: int | None
    n_with_baseline: int | None
    follow_up_counts: Mapping[str, int | None]
    windows: tuple[WindowReport, ...]
    headline: WindowReport
    adverse: AdverseEvents
    caveat_title: str = wording.CAVEAT_TITLE
    caveat: tuple[str, ...] = wording.CAVEAT

    def window(self, key: str) -> WindowReport:
        for report in self.windows:
            if report.window.key == key:
                return report
        raise KeyError(key)


def practice_report(
    episodes: Iterable[EpisodeRecord],
    *,
    measure: Measure,
    period: tuple[date, date],
    as_of: date,
    windows: Sequence[DayWindow],
    headline: str | None = None,
    exported: bool = False,
) -> CohortReport:
    """Return the report for the episodes started in ``period``, measured on ``measure``.

    ``headline`` names the window shown first (default: the last of ``windows``). Raises
    ReportNotReady for an export before every window has closed, ValueError for an episode measured
    on another measure.
    """
    if not windows:
        raise ValueError("a report needs at least one follow-up window")
    if not all(isinstance(window, DayWindow) for window in windows):
        # Session windows have no fixed closing day, so "missing" and "not yet due" cannot be told apart.
        raise TypeError("the practice report takes day windows only (e.g. WEEK_6, WEEK_12)")
    first_day, last_day = period
    started = [e for e in episodes if first_day <= e.started_on <= last_day]
    if len({e.episode_id for e in started}) != len(started):
        raise ValueError("two episodes share an id")
    for episode in started:
        if episode.measure.key != measure.key:
            raise ValueError(f"episode {episode.episode_id} is on measure {episode.measure.key}, not {measure.key}")
    diaries = {e.episode_id: index_days(e.diary) for e in started} if measure.diary is not None else {}
    baselines = {e.episode_id: _value(measure, e, BASELINE, diaries) for e in started}
    cohort = [e for e in started if baselines[e.episode_id] is not None]
    as_of_day = as_of.toordinal()

    window_reports = []
    for window in windows:
        # A window closes on its last day: the last day of its range, or of its 28 diary days.
        closes_after = window.target_day + (0 if measure.diary is not None else window.after)
        due = [e for e in cohort if e.started_on.toordinal() + closes_after <= as_of_day]
        if exported and len(due) < len(cohort):
            raise ReportNotReady(f"the {window.key} window has not closed for every episode yet")
        changes: list[tuple[Change, bool]] = []  # (change, answered)
        for episode in due:
            baseline = baselines[episode.episode_id]
            assert baseline is not None
            follow_up = _value(measure, episode, window, diaries)
            if follow_up is None:  # all starters: a missing follow-up counts as no change
                changes.append((classify(measure, baseline, baseline), False))
            else:
                changes.append((classify(measure, baseline, follow_up), True))
        window_reports.append(_window_report(measure, window, changes, len(cohort) - len(due), exported))

    n_started, n_with_baseline = len(started), len(cohort)
    shown_started: int | None = n_started
    shown_baseline: int | None = n_with_baseline
    if exported:
        if n_with_baseline < SMALL_CELL:
            shown_baseline = None
        # with_baseline is the denominator every share reveals, so a small "without baseline"
        # count is protected by hiding the total instead.
        if n_started < SMALL_CELL or n_started - n_with_baseline < SMALL_CELL:
            shown_started = None
    by_key = {report.window.key: report for report in window_reports}
    return CohortReport(
        measure=measure,
        period=period,
        as_of=as_of,
        exported=exported,
        n_started=shown_started,
        n_with_baseline=shown_baseline,
        follow_up_counts={key: report.followed.count for key, report in by_key.items()},
        windows=tuple(window_reports),
        headline=by_key[headline] if headline is not None else window_reports[-1],
        adverse=_adverse([s for e in started for s in e.sessions], exported),
    )


def _value(
    measure: Measure, episode: EpisodeRecord, window: DayWindow, diaries: Mapping[str, Mapping[int, DiaryDay]]
) -> float | None:
    if measure.diary is None:
        found = pick(window, episode.measurements, start=episode.started_on)
        return None if found is None else found.value
    days = diary_period(window, start=episode.started_on)
    assert days is not None
    summary = summarize(diaries[episode.episode_id], last_day=days[1])
    if not isinstance(summary, MonthlyDays):
        return None
    return summary.mhd if measure.diary == "mhd" else summary.mmd


def _window_report(
    measure: Measure, window: DayWindow, changes: list[tuple[Change, bool]], not_due: int, exported: bool
) -> WindowReport:
    n = len(changes)
    answered = sum(1 for _, was_answered in changes if was_answered)
    followed, missing = _partition([answered, n - answered], n, exported, counts_only=n < SMALL_COHORT)
    diary = measure.diary is not None
    return WindowReport(
        window=window,
        n=_shown_total(n, exported),
        not_yet_due=not_due,
        followed=followed,
        missing=missing,
        all_starters=_summary(wording.ALL_STARTERS_LABEL, [c for c, _ in changes], exported, diary),
        completers=_summary(wording.COMPLETERS_LABEL, [c for c, a in changes if a], exported, diary),
    )


def _summary(label: str, changes: list[Change], exported: bool, diary: bool) -> ChangeSummary:
    n = len(changes)
    counts_only = n < SMALL_COHORT
    categories = [sum(1 for c in changes if c.category is category) for category in ChangeCategory]
    improved, unchanged, worse = _partition(categories, n, exported, counts_only)
    responders = sum(1 for c in changes if c.responder)
    responders_30 = sum(1 for c in changes if c.has_room and c.percent is not None and c.percent >= 30 - 1e-9)
    no_room = sum(1 for c in changes if not c.has_room)
    median: float | None = None
    quartiles: tuple[float, float] | None = None
    if not counts_only:
        median, quartiles = median_and_quartiles([c.difference for c in changes])
    return ChangeSummary(
        label=label,
        n=_shown_total(n, exported),
        counts_only=counts_only,
        improved=improved,
        unchanged=unchanged,
        worse=worse,
        responders=_partition([responders, n - responders], n, exported, counts_only)[0],
        responders_30=_partition([responders_30, n - responders_30], n, exported, counts_only)[0] if diary else None,
        no_room=None if exported and _hidden_pair(no_room, n) else no_room,
        median_change=median,
        quartiles=quartiles,
    )


def _adverse(sessions: list[SessionRecord], exported: bool) -> AdverseEvents:
    total = len(sessions)
    answered = sum(1 for s in sessions if s.checkin_answered)
    with_effect = sum(1 for s in sessions if s.after_effect)
    serious = sum(1 for s in sessions if s.serious)
    checkins = _partition([answered, total - answered], total, exported, total < SMALL_COHORT)[0]
    effects = _partition([with_effect, answered - with_effect], answered, exported, answered < SMALL_COHORT)[0]
    serious_hidden = exported and _hidden_pair(serious, with_effect)
    return AdverseEvents(
        sessions=_shown_total(total, exported),
        checkins_answered=checkins,
        after_effects=effects,
        serious=Count(None if serious_hidden else serious, None, None, None, None, serious_hidden),
    )


def _partition(counts: list[int], n: int, exported: bool, counts_only: bool) -> list[Count]:
    """Return a Count per part of ``n`` (the parts add up to ``n``), hiding what an export must."""
    hidden = [False] * len(counts)
    if exported:
        hidden = [n < SMALL_CELL or count < SMALL_CELL for count in counts]
        if sum(hidden) == 1 and len(counts) > 1:
            # n is shown, so one hidden part could be worked out from the others: hide the
            # smallest other part too (the first on a tie).
            others = [i for i, is_hidden in enumerate(hidden) if not is_hidden]
            hidden[min(others, key=lambda i: counts[i])] = True
    shown_n = _shown_total(n, exported)
    result = []
    for count, is_hidden in zip(counts, hidden, strict=True):
        if is_hidden:
            result.append(Count(None, shown_n, None, None, None, True))
        elif counts_only or n == 0:
            result.append(Count(count, shown_n, None, None, None, False))
        else:
            low, high = wilson(count, n)
            result.append(Count(count, shown_n, count / n, low, high, False))
    return result


def _hidden_pair(count: int, total: int) -> bool:
    return count < SMALL_CELL or total - count < SMALL_CELL


def _shown_total(n: int, exported: bool) -> int | None:
    return None if exported and n < SMALL_CELL else n
