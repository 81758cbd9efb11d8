"""The one week-window rule (lib/weeks.py)."""

from __future__ import annotations

from datetime import date

from longtide.lib.weeks import bookable_week, calendar_week, monday_of, week_days

THURSDAY = date(2026, 12, 3)


def test_a_calendar_week_runs_monday_to_sunday_with_a_week_either_side() -> None:
    week = calendar_week(THURSDAY)
    assert week.days == [date(2026, 11, 30)] + [date(2026, 12, n) for n in range(1, 7)]
    assert (week.first, week.last) == (date(2026, 11, 30), date(2026, 12, 6))
    assert (week.previous, week.following) == (date(2026, 11, 23), date(2026, 12, 7))
    assert monday_of(date(2026, 11, 30)) == date(2026, 11, 30) == monday_of(date(2026, 12, 6))


def test_a_bookable_week_starts_today_when_asked_for_the_past_and_has_no_previous() -> None:
    week = bookable_week(date(2026, 11, 1), THURSDAY, date(2027, 3, 1))
    assert week.first == THURSDAY and len(week.days) == 7
    assert week.previous is None and week.following == date(2026, 12, 10)


def test_a_bookable_week_stops_at_the_last_bookable_day() -> None:
    last = date(2026, 12, 12)
    week = bookable_week(date(2026, 12, 10), THURSDAY, last)
    assert week.days == [date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 12)]
    assert week.previous == date(2026, 12, 3) and week.following is None
    assert bookable_week(date(2027, 1, 1), THURSDAY, last).days == [last]


def test_week_days_without_a_last_day_are_seven() -> None:
    assert len(week_days(THURSDAY)) == 7
    assert week_days(THURSDAY, last=THURSDAY) == [THURSDAY]
