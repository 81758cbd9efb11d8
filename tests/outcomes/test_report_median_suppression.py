"""An exported report's median change and quartiles can give a hidden count away: each is an order
statistic, so on the neck-pain scale (worse is a change of +2 or more; improved needs -2 or less
and is certain from -3) a quartile tells how many changes at most or at least lie past a threshold.
The export shows an analysis's median and quartiles only beside a shown n, improved, unchanged and
worse (outcomes/report.py, `_summary`). The attacker of test_report_joint_suppression.py, given
those bounds too, must still work no hidden number out."""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import given, settings

from longtide.outcomes.report import ChangeSummary, CohortReport, EpisodeRecord
from longtide.outcomes.windows import Measurement
from tests.outcomes.test_report import NECK, parse
from tests.outcomes.test_report_joint_suppression import NPRS, Attack, attack, cohorts, export

WORSE_FROM = 2  # NPRS: worse by at least 2 points (change.py: points alone for worsening)
IMPROVED_AT_MOST = -2  # an improvement needs 2 points...
IMPROVED_SURELY = -3  # ...and 30 % of the baseline's distance from 0, which 3 points always are


def spread_bounds(a: Attack, group: str, summary: ChangeSummary, n: int) -> None:
    """What the median and quartiles of ``n`` whole-number changes tell about the worse and improved
    counts. A quantile q sits at p = (n - 1) q between the sorted x[f] and x[f + 1] (f = floor p):
    x[f] <= floor(Q) and x[f + 1] >= ceil(Q), or x[f] == Q when p is whole."""
    assert summary.median_change is not None and summary.quartiles is not None
    for q, value in ((0.25, summary.quartiles[0]), (0.5, summary.median_change), (0.75, summary.quartiles[1])):
        position = (n - 1) * q
        f = math.floor(position)
        whole = position == f
        below = value if whole else math.floor(value)  # x[f] <= below
        above = value if whole else math.ceil(value)  # x[f + 1] >= above (x[f] >= it when whole)
        ends = n - f if whole else n - f - 1  # how many are x[f] (whole) or x[f + 1] onwards
        if above >= WORSE_FROM:
            a.var(f"{group}.worse", ends)
        if below < WORSE_FROM:
            a.var(f"{group}.worse", 0, n - f - 1)
        if above > IMPROVED_AT_MOST:
            a.var(f"{group}.improved", 0, f if whole else f + 1)
        if below <= IMPROVED_SURELY:
            a.var(f"{group}.improved", f + 1)


def attack_with_spread(shared: CohortReport, full: CohortReport) -> tuple[Attack, dict[str, int], set[str], set[str]]:
    a, truth, counts, protected = attack(shared, full)
    for w in shared.windows:
        for group, s in (("all", w.all_starters), ("comp", w.completers)):
            if s.median_change is not None:
                assert s.n is not None and s.quartiles is not None
                spread_bounds(a, f"{w.window.key}.{group}", s, s.n)
    hidden = {name for name, count in counts.items() if count.suppressed}
    return a, truth, hidden, protected


def check_spread(episodes: list[EpisodeRecord]) -> None:
    full, shared = export(episodes, exported=False), export(episodes)
    a, truth, hidden, protected = attack_with_spread(shared, full)
    a.solve()
    for name, value in truth.items():  # the truth is one solution: the bounds are sound
        assert a.low[name] <= value <= a.high[name], name
    for name in hidden | protected:
        assert not a.pinned(name), f"{name} = {truth[name]} can be worked out with the median and quartiles"
    for w in shared.windows:
        for s in (w.all_starters, w.completers):
            if s.median_change is not None:
                shown = (s.n, s.improved.count, s.unchanged.count, s.worse.count)
                assert None not in shown, "a median beside a hidden count"


def _flat(changes: list[int], missing: int, base: int = 5) -> list[EpisodeRecord]:
    """Episodes from 2 Feb 2026 with a baseline of ``base``, each with the same change at week 6 and
    week 12, and ``missing`` more that never answered a follow-up."""
    start = date(2026, 2, 2)
    baseline = (Measurement(start - timedelta(days=3), base),)
    return [
        EpisodeRecord(
            f"e{i}",
            start,
            NPRS,
            baseline
            if change is None
            else (
                *baseline,
                Measurement(start + timedelta(days=42), base + change),
                Measurement(start + timedelta(days=84), base + change),
            ),
        )
        for i, change in enumerate([*changes, *[None] * missing])
    ]


def test_the_upper_quartile_would_tell_the_hidden_worse_count() -> None:
    # Fourteen clients: five unchanged (0), four worse (+2), five who never answered (0 for all
    # starters). The export shows n 14 and all starters' unchanged 10 and hides worse 4 and
    # improved 0 (fewer than 5 each): improved + worse = 4, either could be 0-4. The upper quartile
    # at 9.75 is 0 + 0.75 x 2 = 1.5: x[10] >= 2 and x[9] <= 1, so exactly four changes are 2 or
    # more. Beside those hidden counts the export leaves the median and quartiles out.
    episodes = _flat([0] * 5 + [2] * 4, missing=5)
    full, shared = export(episodes, exported=False), export(episodes)
    w12 = full.window("week_12").all_starters
    assert (w12.n, w12.worse.count, w12.median_change, w12.quartiles) == (14, 4, 0, (0, 1.5))
    a, truth, _hidden, _protected = attack(shared, full)
    spread_bounds(a, "week_12.all", w12, 14)  # what a reader would have with the quartiles
    a.solve()
    assert a.pinned("week_12.all.worse") and a.low["week_12.all.worse"] == truth["week_12.all.worse"] == 4
    s = shared.window("week_12").all_starters
    assert (s.n, s.unchanged.count) == (14, 10) and s.worse.suppressed and s.improved.suppressed
    assert s.median_change is None and s.quartiles is None
    check_spread(episodes)


def test_medians_are_shown_beside_shown_counts() -> None:
    # 6 improved (-3), 5 unchanged (0), 6 worse (+2) and 5 who never answered: every count 5 or more
    episodes = _flat([-3] * 6 + [0] * 5 + [2] * 6, missing=5)
    s = export(episodes).window("week_12").all_starters
    assert (s.n, s.improved.count, s.unchanged.count, s.worse.count) == (22, 6, 10, 6)
    # sorted: -3 x 6, 0 x 10, 2 x 6; median 0; Q1 at 5.25: -3 + 0.25 x 3 = -2.25; Q3 at 15.75: 0 + 0.75 x 2
    assert s.median_change == 0 and s.quartiles == (-2.25, 1.5)
    check_spread(episodes)


def test_the_neck_export_gives_nothing_away_with_its_spread() -> None:
    check_spread(parse(NECK))


@settings(max_examples=300, deadline=None)
@given(cohort=cohorts())
def test_no_hidden_cell_of_a_random_cohort_can_be_worked_out_with_the_spread(cohort: list[EpisodeRecord]) -> None:
    check_spread(cohort)
