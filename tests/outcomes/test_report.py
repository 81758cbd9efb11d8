"""The practice report's arithmetic against hand-computed fixture cohorts (domain.md §2).

Each cohort is written out spreadsheet-style, one row per episode, with the worked numbers beside
it. Wilson intervals were worked with z = 1.959964:
    centre = (p + z²/2n) / (1 + z²/n),  half-width = z / (1 + z²/n) x sqrt(p(1 - p)/n + z²/4n²)
Quartiles are spreadsheet QUARTILE.INC (linear interpolation at (n - 1) x q).
"""

from datetime import date, timedelta

import pytest

from longtide.outcomes import instruments, wording
from longtide.outcomes.diary import DiaryDay
from longtide.outcomes.measures import MHD, Measure, measure_of
from longtide.outcomes.report import (
    CohortReport,
    Count,
    EpisodeRecord,
    ReportNotReady,
    SessionRecord,
    practice_report,
)
from longtide.outcomes.windows import BEFORE_SESSION_4, WEEK_6, WEEK_12, Measurement

NPRS = measure_of(instruments.get("nprs_pain"))
Q1_2026 = (date(2026, 1, 1), date(2026, 3, 31))
AFTER_ALL_WINDOWS = date(2026, 7, 1)

# Neck pain, NPRS 0-10 (MCID: 2 points and 30 % for improvement, 2 points for worsening; room:
# baseline >= 3). Baseline given 3 days before the first session, week 6 on day 42, week 12 on day
# 84. Sessions one a week: "." check-in answered, no after-effect; "a" after-effect reported;
# "S" serious after-effect; "-" check-in not answered.
#
# episode start       base wk6 wk12 sessions | wk12 change  category   | wk6 change category
NECK = """
E01     2026-01-05  7    5    3    ..a.a-   | -4 (57 %)    improved   | -2 (29 %) unchanged
E02     2026-01-07  8    7    6    ....a    | -2 (25 %)    unchanged  | -1        unchanged
E03     2026-01-12  6    4    4    ..-.-    | -2 (33 %)    improved   | -2 (33 %) improved
E04     2026-01-14  5    5    6    ....     | +1           unchanged  |  0        unchanged
E05     2026-01-19  9    -    -    a        | missing -> 0 unchanged  | missing   unchanged
E06     2026-01-21  4    2    1    .....a   | -3 (75 %)    improved   | -2 (50 %) improved
E07     2026-01-26  7    7    9    a.S.a-   | +2           worse      |  0        unchanged
E08     2026-02-02  2    1    0    ....     | -2 (100 %)   improved, no room (baseline < 3): not a responder
E09     2026-02-04  6    5    -    ..-      | missing -> 0 unchanged  | -1        unchanged
E10     2026-02-09  8    6    4    -a-.     | -4 (50 %)    improved   | -2 (25 %) unchanged
E11     2026-02-11  5    4    5    .....    |  0           unchanged  | -1        unchanged
E12     2026-02-16  7    -    4    ..a.     | -3 (43 %)    improved   | missing   unchanged
E13     2026-02-23  6    6    8    a....    | +2           worse      |  0        unchanged
E14     2026-03-02  3    -    -    --       | missing -> 0 unchanged  | missing   unchanged
X1      2025-12-29  6    4    3    ...      | started before the period: not counted
X2      2026-03-09  -    5    -    a.       | no baseline: counted as started, not in the cohort
"""


def parse(table: str, measure: Measure = NPRS) -> list[EpisodeRecord]:
    episodes = []
    for line in table.strip().splitlines():
        row = line.split("|")[0].split()
        episode_id, start_text, base, wk6, wk12, sessions = row
        start = date.fromisoformat(start_text)
        measurements = [
            Measurement(start + timedelta(days=offset), float(value))
            for offset, value in ((-3, base), (42, wk6), (84, wk12))
            if value != "-"
        ]
        episodes.append(
            EpisodeRecord(
                episode_id=episode_id,
                started_on=start,
                measure=measure,
                measurements=tuple(measurements),
                sessions=tuple(
                    SessionRecord(
                        start + timedelta(days=7 * n),
                        checkin_answered=symbol != "-",
                        after_effect=symbol in "aS",
                        serious=symbol == "S",
                    )
                    for n, symbol in enumerate(sessions)
                ),
            )
        )
    return episodes


@pytest.fixture(scope="module")
def neck() -> CohortReport:
    return practice_report(
        parse(NECK), measure=NPRS, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_6, WEEK_12)
    )


def test_the_cohort_counts_starters_baselines_and_follow_ups(neck: CohortReport) -> None:
    # Started in Q1: E01-E14 and X2 = 15; with a baseline: E01-E14 = 14.
    # Week 6 answered: all but E05, E12, E14 = 11. Week 12 answered: all but E05, E09, E14 = 11.
    assert neck.n_started == 15
    assert neck.n_with_baseline == 14
    assert neck.follow_up_counts == {"week_6": 11, "week_12": 11}
    assert neck.headline.window.key == "week_12"


def test_week_12_missing_follow_ups(neck: CohortReport) -> None:
    w12 = neck.window("week_12")
    assert (w12.n, w12.followed.count, w12.missing.count, w12.not_yet_due) == (14, 11, 3, 0)
    # 3 / 14 = 21.4 %
    assert w12.missing.share == pytest.approx(3 / 14)


def test_week_12_all_starters_the_headline(neck: CohortReport) -> None:
    # improved: E01 E03 E06 E08 E10 E12 = 6 -> 6/14 = 42.9 % (21.4 % to 67.4 %)
    # unchanged: E02 E04 E05 E09 E11 E14 = 6 -> 42.9 % (21.4 % to 67.4 %)
    # worse: E07 E13 = 2 -> 14.3 % (4.0 % to 39.9 %)
    # responders (improved with room; E08 had none): 5 -> 35.7 % (16.3 % to 61.2 %)
    summary = neck.window("week_12").all_starters
    assert summary.n == 14
    assert not summary.counts_only
    assert _count(summary.improved) == (6, 0.4286, 0.2138, 0.6741)
    assert _count(summary.unchanged) == (6, 0.4286, 0.2138, 0.6741)
    assert _count(summary.worse) == (2, 0.1429, 0.0401, 0.3994)
    assert _count(summary.responders) == (5, 0.3571, 0.1634, 0.6124)
    assert summary.no_room == 1
    # changes (missing = 0), sorted: -4 -4 -3 -3 -2 -2 -2 0 0 0 0 1 2 2
    # median = (-2 + 0) / 2 = -1; Q1 at 3.25: -3 + 0.25 x 1 = -2.75; Q3 at 9.75: 0
    assert summary.median_change == -1
    assert summary.quartiles == (-2.75, 0)


def test_week_12_completers_likely_optimistic(neck: CohortReport) -> None:
    # E01 E02 E03 E04 E06 E07 E08 E10 E11 E12 E13 = 11
    # improved 6 -> 54.5 % (28.0 % to 78.7 %); unchanged E02 E04 E11 = 3 -> 27.3 % (9.7 % to 56.6 %);
    # worse 2 -> 18.2 % (5.1 % to 47.7 %); responders 5 -> 45.5 % (21.3 % to 72.0 %)
    summary = neck.window("week_12").completers
    assert summary.label == wording.COMPLETERS_LABEL
    assert "likely optimistic" in summary.label
    assert summary.n == 11
    assert _count(summary.improved) == (6, 0.5455, 0.2801, 0.7873)
    assert _count(summary.unchanged) == (3, 0.2727, 0.0975, 0.5656)
    assert _count(summary.worse) == (2, 0.1818, 0.0514, 0.477)
    assert _count(summary.responders) == (5, 0.4545, 0.2127, 0.7199)
    # sorted: -4 -4 -3 -3 -2 -2 -2 0 1 2 2; median (6th) -2; Q1 at 2.5: -3; Q3 at 7.5: 0.5
    assert summary.median_change == -2
    assert summary.quartiles == (-3, 0.5)


def test_week_6_uses_its_own_window_and_never_a_better_later_score(neck: CohortReport) -> None:
    # improved only E03 (6 -> 4) and E06 (4 -> 2); E01 7 -> 5 is 29 %, E10 8 -> 6 is 25 %.
    w6 = neck.window("week_6")
    assert (w6.all_starters.improved.count, w6.all_starters.unchanged.count, w6.all_starters.worse.count) == (2, 12, 0)
    assert (w6.completers.improved.count, w6.completers.unchanged.count, w6.completers.worse.count) == (2, 9, 0)
    # all starters' changes: -2 -1 -2 0 0 -2 0 -1 -1 -2 -1 0 0 0 -> sorted
    # -2 -2 -2 -2 -1 -1 -1 -1 0 0 0 0 0 0: median (-1 + -1) / 2 = -1; Q1 at 3.25: -2 + 0.25 x 1 = -1.75;
    # Q3 at 9.75: 0
    assert w6.all_starters.median_change == -1
    assert w6.all_starters.quartiles == (-1.75, 0)


def test_adverse_events_count_every_session_of_every_starter(neck: CohortReport) -> None:
    # Sessions of E01-E14 and X2 (started in the period, baseline or not):
    # 6+5+5+4+1+6+6+4+3+4+5+4+5+2 + 2 = 62 sessions; check-ins answered 5+5+3+4+1+6+5+4+2+2+5+4+5+0 + 2 = 53;
    # after-effects 2+1+0+0+1+1+3+0+0+1+0+1+1+0 + 1 = 12 -> 12/53 = 22.6 % (13.4 % to 35.5 %); serious 1.
    adverse = neck.adverse
    assert (adverse.sessions, adverse.checkins_answered.count) == (62, 53)
    assert _count(adverse.after_effects) == (12, 0.2264, 0.1345, 0.3553)
    assert adverse.serious.count == 1


def test_every_report_carries_the_caveat(neck: CohortReport) -> None:
    assert neck.caveat == wording.CAVEAT
    assert neck.caveat_title == wording.CAVEAT_TITLE


def test_windows_not_yet_closed_are_not_counted_as_missing() -> None:
    # as of 1 May 2026 the week-12 window (to day 105) has closed only for E01 (20 Apr), E02 (22 Apr),
    # E03 (27 Apr) and E04 (29 Apr).
    report = practice_report(parse(NECK), measure=NPRS, period=Q1_2026, as_of=date(2026, 5, 1), windows=(WEEK_12,))
    w12 = report.window("week_12")
    assert (w12.n, w12.not_yet_due) == (4, 10)
    # E01 improved, E02 unchanged, E03 improved, E04 unchanged; 4 < 10: counts only
    assert w12.all_starters.counts_only
    assert (w12.all_starters.improved.count, w12.all_starters.unchanged.count) == (2, 2)
    assert w12.all_starters.improved.share is None
    assert w12.all_starters.median_change is None


# --- Exported (shared outside the practice): no cell under 5 ----------------------------------


@pytest.fixture(scope="module")
def neck_export() -> CohortReport:
    return practice_report(
        parse(NECK), measure=NPRS, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_6, WEEK_12), exported=True
    )


def test_an_export_hides_every_cell_under_5_and_one_more_where_it_could_be_worked_out(
    neck_export: CohortReport,
) -> None:
    summary = neck_export.window("week_12").all_starters
    # worse 2 is hidden; with n = 14 shown it could be worked out from improved and unchanged, so
    # the smaller of those (a tie: improved, the first) is hidden too.
    assert summary.worse.suppressed and summary.worse.count is None and summary.worse.share is None
    assert summary.improved.suppressed
    assert _count(summary.unchanged) == (6, 0.4286, 0.2138, 0.6741)
    # responders 5 and non-responders 9: both 5 or more, but hidden with improved, which they are
    # a subset of (tests/outcomes/test_report_joint_suppression.py)
    assert summary.responders.suppressed and summary.responders.protects
    # 1 without room: hidden
    assert summary.no_room is None


def test_an_export_hides_small_follow_up_splits_and_the_started_total(neck_export: CohortReport) -> None:
    w12 = neck_export.window("week_12")
    # 11 answered and 3 missing: 3 is hidden, and so 11 is too (14 - 11 = 3)
    assert w12.missing.suppressed and w12.followed.suppressed
    # 15 started of whom 1 had no baseline: the total would reveal it
    assert neck_export.n_started is None
    assert neck_export.n_with_baseline == 14


def test_an_export_hides_small_adverse_event_counts(neck_export: CohortReport) -> None:
    adverse = neck_export.adverse
    assert adverse.after_effects.count == 12  # 12 and 41 without: both shown
    assert adverse.serious.suppressed


def test_an_export_waits_until_every_window_has_closed() -> None:
    with pytest.raises(ReportNotReady):
        practice_report(
            parse(NECK), measure=NPRS, period=Q1_2026, as_of=date(2026, 5, 1), windows=(WEEK_12,), exported=True
        )


def test_a_cohort_under_5_shows_nothing_in_an_export() -> None:
    small = [e for e in parse(NECK) if e.episode_id in {"E01", "E02", "E03"}]
    report = practice_report(
        small, measure=NPRS, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_12,), exported=True
    )
    assert report.n_with_baseline is None
    summary = report.window("week_12").all_starters
    assert all(c.suppressed for c in (summary.improved, summary.unchanged, summary.worse, summary.responders))


# --- Headache cohort: monthly headache days from the diary ------------------------------------


def diary(first: date, headache_days: int, filled: int = 28) -> list[DiaryDay]:
    """``filled`` entries from ``first``, the first ``headache_days`` of them headache days."""
    return [
        DiaryDay(first + timedelta(days=n), headache=n < headache_days, peak=5 if n < headache_days else None)
        for n in range(filled)
    ]


# Headache days, all 28 days filled unless said. MCID 50 % fewer; room: baseline >= 4.
# episode start       baseline (28 d before)  week 12 (days 57-84) | MHD change        category
# H1      2026-01-12  12                      5                    | 58 % fewer        improved; responder 50 and 30 %
# H2      2026-01-19  8                       6                    | 25 % fewer        unchanged
# H3      2026-02-02  10                      6                    | 40 % fewer        unchanged; responder at 30 % only
# H4      2026-02-09  3                       0                    | 100 % fewer       improved, no room (< 4)
# H5      2026-02-16  14                      9 in 20 filled       | not computable    missing -> unchanged
# H6      2026-03-02  6 in 15 filled          2                    | no baseline: not in the cohort
HEADACHE = [
    ("H1", date(2026, 1, 12), (12, 28), (5, 28)),
    ("H2", date(2026, 1, 19), (8, 28), (6, 28)),
    ("H3", date(2026, 2, 2), (10, 28), (6, 28)),
    ("H4", date(2026, 2, 9), (3, 28), (0, 28)),
    ("H5", date(2026, 2, 16), (14, 28), (9, 20)),
    ("H6", date(2026, 3, 2), (6, 15), (2, 28)),
]


@pytest.fixture(scope="module")
def headache() -> CohortReport:
    episodes = []
    for episode_id, start, (base_days, base_filled), (w12_days, w12_filled) in HEADACHE:
        days = diary(start - timedelta(days=28), base_days, base_filled)
        days += diary(start + timedelta(days=57), w12_days, w12_filled)
        episodes.append(EpisodeRecord(episode_id=episode_id, started_on=start, measure=MHD, diary=tuple(days)))
    return practice_report(episodes, measure=MHD, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_12,))


def test_headache_cohort_counts(headache: CohortReport) -> None:
    assert (headache.n_started, headache.n_with_baseline) == (6, 5)
    w12 = headache.window("week_12")
    assert (w12.n, w12.followed.count, w12.missing.count) == (5, 4, 1)


def test_headache_responders_at_50_and_30_percent(headache: CohortReport) -> None:
    summary = headache.window("week_12").all_starters
    assert summary.responders.count == 1  # H1
    assert summary.responders_30 is not None and summary.responders_30.count == 2  # H1, H3
    completers = headache.window("week_12").completers
    assert completers.responders_30 is not None
    assert (completers.n, completers.responders.count, completers.responders_30.count) == (4, 1, 2)


def test_headache_cohort_under_10_shows_counts_only(headache: CohortReport) -> None:
    summary = headache.window("week_12").all_starters
    assert summary.counts_only
    assert (summary.improved.count, summary.unchanged.count, summary.worse.count) == (2, 3, 0)
    assert summary.no_room == 1
    assert summary.improved.share is None and summary.improved.low is None
    assert summary.median_change is None and summary.quartiles is None


def test_episodes_measured_on_another_measure_are_refused() -> None:
    episodes = parse(NECK)
    with pytest.raises(ValueError, match="measure"):
        practice_report(episodes, measure=MHD, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_12,))


def test_report_text_has_no_banned_wording(neck: CohortReport) -> None:
    texts = [*neck.caveat, neck.caveat_title, wording.COMPLETERS_LABEL, wording.ALL_STARTERS_LABEL]
    texts += [neck.window(key).window.label for key in ("week_6", "week_12")]
    for text in texts:
        assert wording.banned_wording(text) == [], text


def _count(count: Count) -> tuple[int | None, float, float, float]:
    assert count.share is not None and count.low is not None and count.high is not None, count
    return (count.count, round(count.share, 4), round(count.low, 4), round(count.high, 4))


def test_two_episodes_with_one_id_are_refused() -> None:
    episodes = parse(NECK)
    with pytest.raises(ValueError, match="share an id"):
        practice_report(
            [*episodes, episodes[0]], measure=NPRS, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(WEEK_12,)
        )


def test_session_windows_are_for_one_client_not_for_the_report() -> None:
    with pytest.raises(TypeError, match="day windows"):
        practice_report(parse(NECK), measure=NPRS, period=Q1_2026, as_of=AFTER_ALL_WINDOWS, windows=(BEFORE_SESSION_4,))  # type: ignore[arg-type]  # the wrong kind, on purpose
