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
   included — and, jointly over the whole report, every other number from which a hidden one
   could be worked out by the report's own identities (``_suppress``); those are marked
   ``protects``. An analysis's median and quartiles go with its n, improved, unchanged and worse:
   hidden when any of them is (``_summary``). They can only be made once every window of the
   period has closed.
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
    protects: bool = False  # hidden only so that another hidden number cannot be worked out (5 or more)


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
    n_protects: bool = False  # n hidden only to protect another number


@dataclass(frozen=True, slots=True)
class WindowReport:
    window: DayWindow
    n: int | None  # cohort episodes whose window has closed
    not_yet_due: int
    followed: Count
    missing: Count
    all_starters: ChangeSummary
    completers: ChangeSummary
    n_protects: bool = False


@dataclass(frozen=True, slots=True)
class AdverseEvents:
    sessions: int | None
    checkins_answered: Count
    after_effects: Count  # of sessions with an answered check-in
    serious: Count  # counted, no share
    sessions_protects: bool = False  # sessions hidden only to protect another number


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
    n_started_protects: bool = False
    n_with_baseline_protects: bool = False

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

    tallies: list[tuple[DayWindow, int, _Tally, _Tally, int]] = []  # window, n, all, completers, not due
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
        everyone = _tally([c for c, _ in changes])
        completers = _tally([c for c, answered in changes if answered])
        tallies.append((window, len(changes), everyone, completers, len(cohort) - len(due)))

    sessions = [s for e in started for s in e.sessions]
    cells = _cells(len(started), len(cohort), tallies, sessions, diary=measure.diary is not None)
    hidden = _suppress(cells) if exported else frozenset()
    window_reports = [
        _window_report(window, n, everyone, completers, not_due, cells, hidden, diary=measure.diary is not None)
        for window, n, everyone, completers, not_due in tallies
    ]
    by_key = {report.window.key: report for report in window_reports}
    return CohortReport(
        measure=measure,
        period=period,
        as_of=as_of,
        exported=exported,
        n_started=_shown(cells, hidden, "started"),
        n_with_baseline=_shown(cells, hidden, "baseline"),
        follow_up_counts={key: report.followed.count for key, report in by_key.items()},
        windows=tuple(window_reports),
        headline=by_key[headline] if headline is not None else window_reports[-1],
        adverse=_adverse(cells, hidden),
        n_started_protects=_protects(cells, hidden, "started"),
        n_with_baseline_protects=_protects(cells, hidden, "baseline"),
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


@dataclass(frozen=True, slots=True)
class _Tally:
    """One analysis' numbers before anything is hidden."""

    n: int
    improved: int
    unchanged: int
    worse: int
    responders: int
    responders_30: int
    no_room: int
    median: float | None
    quartiles: tuple[float, float] | None


def _tally(changes: list[Change]) -> _Tally:
    categories = {category: sum(1 for c in changes if c.category is category) for category in ChangeCategory}
    median: float | None = None
    quartiles: tuple[float, float] | None = None
    if len(changes) >= SMALL_COHORT:
        median, quartiles = median_and_quartiles([c.difference for c in changes])
    return _Tally(
        n=len(changes),
        improved=categories[ChangeCategory.IMPROVED],
        unchanged=categories[ChangeCategory.WITHIN_NOISE],
        worse=categories[ChangeCategory.WORSE],
        responders=sum(1 for c in changes if c.responder),
        responders_30=sum(1 for c in changes if c.has_room and c.percent is not None and c.percent >= 30 - 1e-9),
        no_room=sum(1 for c in changes if not c.has_room),
        median=median,
        quartiles=quartiles,
    )


# --- Joint suppression ------------------------------------------------------------------------
#
# Every number an export could show is a cell; the report's identities tie them together (a total
# is the sum of its parts; all starters' improved and worse are the completers'; all starters'
# unchanged is the completers' plus the missing; responders are among the improved and among those
# with room). Some numbers are never shown but would be as sensitive as a cell (those without a
# baseline, the non-responders, those with room, unanswered check-ins, ...): "protected" cells.
# A hidden cell tells a reader something too: "fewer than 5" is 0 to 4, "hidden" (``protects``)
# is 5 or more. ``_suppress`` hides every cell under 5, then plays the reader: it narrows each
# number's bounds by the identities until nothing changes and, while a hidden or protected number
# is pinned to one value, hides one more shown cell of an identity that pins it.

_INF = 10**9
_KEEP_LAST = frozenset({"baseline", "sessions"})  # totals every share hangs on: hidden last
_GIVE_FIRST = frozenset({"started"})  # the started total gives way before the cohort's size


@dataclass(slots=True)
class _Cells:
    value: dict[str, int]
    shown: list[str]  # cells an export may show, in the order they are preferred for hiding on a tie
    protected: set[str]  # never shown, but not to be worked out when under 5
    sums: list[tuple[str, tuple[str, ...]]]  # total == sum(parts)
    at_most: list[tuple[str, str]]  # small <= large
    bounds: dict[str, tuple[int, int]]  # what a reader knows anyway (counts only: n under 10)

    def add(self, name: str, value: int, *, shown: bool = True, protected: bool = True) -> None:
        self.value[name] = value
        if shown:
            self.shown.append(name)
        elif protected:
            self.protected.add(name)


def _cells(
    started: int,
    cohort: int,
    tallies: Sequence[tuple[DayWindow, int, _Tally, _Tally, int]],
    sessions: Sequence[SessionRecord],
    *,
    diary: bool,
) -> _Cells:
    c = _Cells({}, [], set(), [], [], {})
    c.add("started", started)
    c.add("baseline", cohort)
    c.add("no_baseline", started - cohort, shown=False)
    c.sums.append(("started", ("baseline", "no_baseline")))
    c.bounds["baseline"] = (0, SMALL_COHORT - 1) if cohort < SMALL_COHORT else (SMALL_COHORT, _INF)
    for window, n, everyone, completers, _not_due in tallies:
        k = window.key
        # (the windows' n is the cohort's whenever an export is made: every window has closed)
        total = "baseline" if n == cohort else f"{k}.n"
        if total != "baseline":
            c.add(total, n)
        c.add(f"{k}.followed", completers.n)  # also the completers' n
        c.add(f"{k}.missing", n - completers.n)
        c.add(f"{k}.improved", everyone.improved)  # the same for all starters and completers
        c.add(f"{k}.worse", everyone.worse)
        c.add(f"{k}.all.unchanged", everyone.unchanged)
        c.add(f"{k}.comp.unchanged", completers.unchanged)
        c.add(f"{k}.responders", everyone.responders)
        c.add(f"{k}.all.no_room", everyone.no_room)
        c.add(f"{k}.comp.no_room", completers.no_room)
        c.add(f"{k}.missing_no_room", everyone.no_room - completers.no_room, shown=False, protected=False)
        followed = f"{k}.followed"
        c.bounds[followed] = (0, SMALL_COHORT - 1) if completers.n < SMALL_COHORT else (SMALL_COHORT, _INF)
        c.sums += [
            (total, (followed, f"{k}.missing")),
            (total, (f"{k}.improved", f"{k}.all.unchanged", f"{k}.worse")),
            (followed, (f"{k}.improved", f"{k}.comp.unchanged", f"{k}.worse")),
            (f"{k}.all.unchanged", (f"{k}.comp.unchanged", f"{k}.missing")),
            (f"{k}.all.no_room", (f"{k}.comp.no_room", f"{k}.missing_no_room")),
        ]
        c.at_most += [(f"{k}.responders", f"{k}.improved"), (f"{k}.missing_no_room", f"{k}.missing")]
        splits = [("responders", everyone.responders, completers.responders)]
        if diary:
            c.add(f"{k}.responders_30", everyone.responders_30)
            c.at_most.append((f"{k}.responders", f"{k}.responders_30"))
            splits.append(("responders_30", everyone.responders_30, completers.responders_30))
        for key, all_count, comp_count in splits:
            c.add(f"{k}.all.non_{key}", n - all_count, shown=False)
            c.add(f"{k}.comp.non_{key}", completers.n - comp_count, shown=False)
            c.sums += [(total, (f"{k}.{key}", f"{k}.all.non_{key}")), (followed, (f"{k}.{key}", f"{k}.comp.non_{key}"))]
        for group, tally, group_total in (("all", everyone, total), ("comp", completers, followed)):
            c.add(f"{k}.{group}.with_room", tally.n - tally.no_room, shown=False)
            c.sums.append((group_total, (f"{k}.{group}.no_room", f"{k}.{group}.with_room")))
            c.at_most.append((f"{k}.responders", f"{k}.{group}.with_room"))
    answered = sum(1 for s in sessions if s.checkin_answered)
    with_effect = sum(1 for s in sessions if s.after_effect)
    serious = sum(1 for s in sessions if s.serious)
    c.add("sessions", len(sessions))
    c.add("checkins", answered)
    c.add("effects", with_effect)
    c.add("serious", serious)
    c.add("unanswered", len(sessions) - answered, shown=False)
    c.add("no_effect", answered - with_effect, shown=False)
    c.add("not_serious", with_effect - serious, shown=False)
    c.sums += [
        ("sessions", ("checkins", "unanswered")),
        ("checkins", ("effects", "no_effect")),
        ("effects", ("serious", "not_serious")),
    ]
    return c


def _suppress(cells: _Cells) -> frozenset[str]:
    """The cells an export hides: every one under 5, and enough others that none can be worked out."""
    hidden = {name for name in cells.shown if cells.value[name] < SMALL_CELL}
    order = {name: i for i, name in enumerate(cells.shown)}
    for total, parts in cells.sums:
        # a number never shown (those without a baseline, the non-responders, ...) under 5: the
        # cell it is the rest of is hidden (for those without a baseline, the started total)
        if any(p in cells.protected and cells.value[p] < SMALL_CELL for p in parts):
            hidden |= {total} if total in _GIVE_FIRST else {p for p in parts if p in cells.shown}
    while True:
        for total, parts in cells.sums:
            # a shown total with one part unknown: that part is the total minus the others
            unknown = [p for p in parts if p in hidden or p not in cells.shown]
            sensitive = [p for p in unknown if p in hidden or (p in cells.protected and cells.value[p] < SMALL_CELL)]
            if total in cells.shown and total not in hidden and len(unknown) == 1 and sensitive:
                candidates = [n for n in (*parts, total) if n in cells.shown and n not in hidden]
                hidden.add(min(candidates, key=lambda n: _hide_first(cells, order, n)))
        for name in list(hidden):
            # responders are a subset of the improved: shown beside a hidden improved they bound it
            for key in ("responders", "responders_30"):
                if name.endswith(".improved") and name.replace(".improved", f".{key}") in cells.value:
                    hidden.add(name.replace(".improved", f".{key}"))
        low, high = _bounds(cells, hidden)
        pinned = [
            name
            for name in [*cells.shown, *sorted(cells.protected)]
            if (name in hidden or name in cells.protected)
            and low[name] == high[name]
            and (name in hidden or cells.value[name] < SMALL_CELL)
        ]
        if not pinned:
            return frozenset(hidden)
        more = _one_more(cells, hidden, pinned[0], low, high)
        if more is None:  # nothing left to hide around it (cannot happen: the totals are cells)
            return frozenset(cells.shown)
        hidden.add(more)


def _bounds(cells: _Cells, hidden: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """What a reader of the export can tell about every number: the lowest and highest it can be."""
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for name, value in cells.value.items():
        if name in cells.shown and name not in hidden:
            low[name] = high[name] = value
        elif name in hidden:
            low[name], high[name] = (SMALL_CELL, _INF) if value >= SMALL_CELL else (0, SMALL_CELL - 1)
        else:
            low[name], high[name] = 0, _INF
        extra = cells.bounds.get(name)
        if extra is not None:
            low[name], high[name] = max(low[name], extra[0]), min(high[name], extra[1])
    for _ in range(500):
        changed = False
        for total, parts in cells.sums:
            parts_low, parts_high = sum(low[p] for p in parts), sum(high[p] for p in parts)
            changed |= _narrow(low, high, total, parts_low, parts_high)
            for part in parts:
                others_low, others_high = parts_low - low[part], parts_high - high[part]
                changed |= _narrow(low, high, part, low[total] - others_high, high[total] - others_low)
                parts_low, parts_high = sum(low[p] for p in parts), sum(high[p] for p in parts)
        for small, large in cells.at_most:
            changed |= _narrow(low, high, small, 0, high[large])
            changed |= _narrow(low, high, large, low[small], _INF)
        if not changed:
            break
    return low, high


def _narrow(low: dict[str, int], high: dict[str, int], name: str, at_least: int, at_most: int) -> bool:
    new_low, new_high = max(low[name], at_least, 0), min(high[name], at_most, _INF)
    if (new_low, new_high) == (low[name], high[name]):
        return False
    low[name], high[name] = new_low, new_high
    return True


def _one_more(cells: _Cells, hidden: set[str], pinned: str, low: dict[str, int], high: dict[str, int]) -> str | None:
    """A shown cell to hide so that ``pinned`` can no longer be worked out: one of an identity that
    pins it (then of identities around those), hiding ``started`` first and the cohort last, and
    the smallest otherwise (the first on a tie)."""
    links = [(total, *parts) for total, parts in cells.sums] + [tuple(pair) for pair in cells.at_most]
    around = [link for link in links if pinned in link]
    near: set[str] = {pinned}
    while around:
        candidates = {n for link in around for n in link if n in cells.shown and n not in hidden}
        if candidates:
            order = {name: i for i, name in enumerate(cells.shown)}
            return min(candidates, key=lambda n: _hide_first(cells, order, n))
        near |= {n for link in around for n in link}
        around = [link for link in links if near & set(link) and link not in around]
    return None


def _hide_first(cells: _Cells, order: Mapping[str, int], name: str) -> tuple[bool, bool, int, int]:
    """Which shown cell to hide first: ``started``; never the cohort while another will do; else
    the smallest, the first on a tie."""
    return (name not in _GIVE_FIRST, name in _KEEP_LAST, cells.value[name], order[name])


def _shown(cells: _Cells, hidden: frozenset[str], name: str) -> int | None:
    return None if name in hidden else cells.value[name]


def _protects(cells: _Cells, hidden: frozenset[str], name: str) -> bool:
    return name in hidden and cells.value[name] >= SMALL_CELL


def _count(cells: _Cells, hidden: frozenset[str], name: str, total: str | None, counts_only: bool) -> Count:
    """The Count of cell ``name`` out of cell ``total`` (None: no n), hiding what an export must."""
    count = cells.value[name]
    n = None if total is None else _shown(cells, hidden, total)
    if name in hidden:
        return Count(None, n, None, None, None, True, _protects(cells, hidden, name))
    if n is None or counts_only or n == 0:
        return Count(count, n, None, None, None, False)
    low, high = wilson(count, n)
    return Count(count, n, count / n, low, high, False)


def _window_report(
    window: DayWindow,
    n: int,
    everyone: _Tally,
    completers: _Tally,
    not_due: int,
    cells: _Cells,
    hidden: frozenset[str],
    *,
    diary: bool,
) -> WindowReport:
    k = window.key
    total = f"{k}.n" if f"{k}.n" in cells.value else "baseline"
    counts_only = n < SMALL_COHORT
    return WindowReport(
        window=window,
        n=_shown(cells, hidden, total),
        not_yet_due=not_due,
        followed=_count(cells, hidden, f"{k}.followed", total, counts_only),
        missing=_count(cells, hidden, f"{k}.missing", total, counts_only),
        all_starters=_summary(wording.ALL_STARTERS_LABEL, everyone, "all", total, k, cells, hidden, diary),
        completers=_summary(wording.COMPLETERS_LABEL, completers, "comp", f"{k}.followed", k, cells, hidden, diary),
        n_protects=_protects(cells, hidden, total),
    )


def _summary(
    label: str,
    tally: _Tally,
    group: str,
    total: str,
    k: str,
    cells: _Cells,
    hidden: frozenset[str],
    diary: bool,
) -> ChangeSummary:
    counts_only = tally.n < SMALL_COHORT
    categories = (total, f"{k}.improved", f"{k}.{group}.unchanged", f"{k}.worse")
    # The median and quartiles of an n the export hides could tell it (their positions do); and
    # beside a hidden improved, unchanged or worse they bound it: a quartile below the MCID says how
    # many changes at most reach it. So they are shown only with all four.
    spread_hidden = any(name in hidden for name in categories)

    def count(name: str) -> Count:
        return _count(cells, hidden, name, total, counts_only)

    return ChangeSummary(
        label=label,
        n=_shown(cells, hidden, total),
        counts_only=counts_only,
        improved=count(f"{k}.improved"),
        unchanged=count(f"{k}.{group}.unchanged"),
        worse=count(f"{k}.worse"),
        responders=count(f"{k}.responders"),
        responders_30=count(f"{k}.responders_30") if diary else None,
        no_room=_shown(cells, hidden, f"{k}.{group}.no_room"),
        median_change=None if spread_hidden else tally.median,
        quartiles=None if spread_hidden else tally.quartiles,
        n_protects=_protects(cells, hidden, total),
    )


def _adverse(cells: _Cells, hidden: frozenset[str]) -> AdverseEvents:
    return AdverseEvents(
        sessions=_shown(cells, hidden, "sessions"),
        checkins_answered=_count(cells, hidden, "checkins", "sessions", cells.value["sessions"] < SMALL_COHORT),
        after_effects=_count(cells, hidden, "effects", "checkins", cells.value["checkins"] < SMALL_COHORT),
        serious=_count(cells, hidden, "serious", None, True),
        sessions_protects=_protects(cells, hidden, "sessions"),
    )
