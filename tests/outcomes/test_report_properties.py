"""Properties of the practice report over random cohorts: the two analyses agree where they must,
intervals hold their shares, and an export never shows a cell under 5 or lets one be worked out."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from longtide.outcomes import instruments
from longtide.outcomes.measures import measure_of
from longtide.outcomes.report import EpisodeRecord, SessionRecord, practice_report
from longtide.outcomes.windows import WEEK_12, Measurement

NPRS = measure_of(instruments.get("nprs_pain"))


def shown[T](value: T | None) -> T:
    """A number the report shows (the unexported report hides none; an export's shown cells)."""
    assert value is not None
    return value


PERIOD = (date(2026, 1, 1), date(2026, 3, 31))
AS_OF = date(2026, 9, 1)


@st.composite
def episodes(draw: st.DrawFn) -> list[EpisodeRecord]:
    out = []
    for n in range(draw(st.integers(0, 40))):
        start = PERIOD[0] + timedelta(days=draw(st.integers(-10, 100)))
        measurements: list[Measurement] = []
        if draw(st.booleans()) or draw(st.booleans()):
            measurements.append(Measurement(start - timedelta(days=draw(st.integers(0, 40))), draw(st.integers(0, 10))))
        if draw(st.booleans()):
            measurements.append(
                Measurement(start + timedelta(days=draw(st.integers(55, 110))), draw(st.integers(0, 10)))
            )
        sessions = tuple(
            SessionRecord(start + timedelta(days=7 * i), answered, answered and effect, answered and effect and serious)
            for i, (answered, effect, serious) in enumerate(
                draw(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=6))
            )
        )
        out.append(EpisodeRecord(f"e{n}", start, NPRS, tuple(measurements), (), sessions))
    return out


@settings(max_examples=150, deadline=None)
@given(cohort=episodes())
def test_all_starters_differ_from_completers_only_by_the_missing(cohort: list[EpisodeRecord]) -> None:
    report = practice_report(cohort, measure=NPRS, period=PERIOD, as_of=AS_OF, windows=(WEEK_12,))
    window = report.window("week_12")
    everyone, completers = window.all_starters, window.completers
    assert everyone.n == window.n == shown(window.followed.count) + shown(window.missing.count)
    assert completers.n == window.followed.count
    assert everyone.improved.count == completers.improved.count
    assert everyone.worse.count == completers.worse.count
    assert everyone.unchanged.count == shown(completers.unchanged.count) + shown(window.missing.count)
    assert everyone.responders.count == completers.responders.count
    for summary in (everyone, completers):
        assert shown(summary.improved.count) + shown(summary.unchanged.count) + shown(summary.worse.count) == summary.n
        assert shown(summary.responders.count) <= shown(summary.improved.count)
        for count in (summary.improved, summary.unchanged, summary.worse, summary.responders):
            if count.share is not None:
                assert shown(count.low) <= count.share <= shown(count.high)
                assert shown(summary.n) >= 10
        if shown(summary.n) < 10:
            assert summary.median_change is None


@settings(max_examples=150, deadline=None)
@given(cohort=episodes())
def test_an_export_never_shows_a_cell_under_5_nor_one_that_can_be_worked_out(cohort: list[EpisodeRecord]) -> None:
    full = practice_report(cohort, measure=NPRS, period=PERIOD, as_of=AS_OF, windows=(WEEK_12,))
    shared = practice_report(cohort, measure=NPRS, period=PERIOD, as_of=AS_OF, windows=(WEEK_12,), exported=True)
    window, full_window = shared.window("week_12"), full.window("week_12")
    partitions = [
        (window.n, [window.followed, window.missing]),
        *(
            (summary.n, [summary.improved, summary.unchanged, summary.worse])
            for summary in (window.all_starters, window.completers)
        ),
    ]
    for total, parts in partitions:
        for part in parts:
            assert part.suppressed or shown(part.count) >= 5
        if total is not None:
            assert sum(part.suppressed for part in parts) != 1
        else:
            assert all(part.suppressed for part in parts)
    for summary, full_summary in ((window.all_starters, full_window.all_starters),):
        if summary.responders.count is not None:
            assert summary.responders.count >= 5 and shown(summary.n) - summary.responders.count >= 5
        if summary.no_room is not None:
            assert summary.no_room >= 5 and shown(full_summary.n) - summary.no_room >= 5
    if shared.n_started is not None:
        assert shared.n_started - shown(full.n_with_baseline) >= 5
    if shared.n_with_baseline is not None:
        assert shared.n_with_baseline >= 5
    adverse = shared.adverse
    for count in (adverse.after_effects, adverse.serious, adverse.checkins_answered):
        assert count.suppressed or shown(count.count) >= 5
