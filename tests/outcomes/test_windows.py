"""Fixed follow-up windows: one measurement per window by a fixed rule, never the best or the last."""

from datetime import date, timedelta

from longtide.outcomes.windows import (
    BASELINE,
    BEFORE_SESSION_4,
    WEEK_6,
    WEEK_12,
    DayWindow,
    Measurement,
    diary_period,
    pick,
)

START = date(2026, 3, 2)  # the first session: day 0


def on(day: int, value: float) -> Measurement:
    return Measurement(START + timedelta(days=day), value)


def test_baseline_is_the_latest_measurement_up_to_the_first_session_day() -> None:
    measurements = [on(-36, 9), on(-10, 7), on(0, 6), on(1, 2)]
    assert pick(BASELINE, measurements, start=START) == on(0, 6)
    assert pick(BASELINE, [on(-36, 9), on(1, 2)], start=START) is None


def test_week_6_takes_the_measurement_closest_to_day_42_not_the_best() -> None:
    # day 50 has the best score (2) but day 44 is closer to day 42.
    measurements = [on(30, 5), on(44, 5), on(50, 2)]
    assert pick(WEEK_6, measurements, start=START) == on(44, 5)


def test_a_tie_goes_to_the_earlier_measurement_not_the_last() -> None:
    assert pick(WEEK_6, [on(44, 1), on(40, 6)], start=START) == on(40, 6)


def test_window_edges_are_inclusive() -> None:
    assert WEEK_6.bounds(START) == (START + timedelta(days=28), START + timedelta(days=56))
    assert WEEK_12.bounds(START) == (START + timedelta(days=63), START + timedelta(days=105))
    assert pick(WEEK_12, [on(105, 3)], start=START) == on(105, 3)
    assert pick(WEEK_12, [on(106, 3), on(62, 3)], start=START) is None


def test_before_session_4_is_the_latest_answer_after_session_3_up_to_session_4() -> None:
    sessions = [START + timedelta(days=d) for d in (0, 7, 14, 21, 35)]
    measurements = [on(14, 9), on(17, 6), on(21, 5), on(22, 1)]
    assert pick(BEFORE_SESSION_4, measurements, start=START, sessions=sessions) == on(21, 5)
    # An answer on session 3's own day belongs to session 3.
    assert pick(BEFORE_SESSION_4, [on(14, 9)], start=START, sessions=sessions) is None
    # Session 4 never happened: no measurement for the window.
    assert pick(BEFORE_SESSION_4, measurements, start=START, sessions=sessions[:3]) is None


def test_diary_windows_are_the_28_days_ending_at_the_target() -> None:
    sessions = [START + timedelta(days=d) for d in (0, 7, 14, 21)]
    assert diary_period(BASELINE, start=START) == (date(2026, 2, 2), date(2026, 3, 1))
    assert diary_period(WEEK_12, start=START) == (START + timedelta(days=57), START + timedelta(days=84))
    assert diary_period(WEEK_6, start=START) == (START + timedelta(days=15), START + timedelta(days=42))
    assert diary_period(BEFORE_SESSION_4, start=START, sessions=sessions) == (
        START + timedelta(days=-7),
        START + timedelta(days=20),
    )
    assert diary_period(BEFORE_SESSION_4, start=START, sessions=sessions[:3]) is None


def test_a_custom_window() -> None:
    week_8 = DayWindow("week_8", "Week 8", target_day=56, before=7, after=7)
    assert pick(week_8, [on(48, 4), on(57, 3), on(64, 1)], start=START) == on(57, 3)
