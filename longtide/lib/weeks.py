"""Weeks of days: the one week-window rule of the calendar, the hours preview and the pages that
list free times a week at a time, and their previous / next week. Django-free.

- `monday_of` / `week_days`: a calendar week, Monday to Sunday (the staff calendar's week view and
  the hours preview).
- `bookable_week`: up to seven days from the day asked for, clamped to today .. the last bookable
  day, with the days before and after when there are any (the client's reschedule page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WEEK = 7


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(first: date, *, last: date | None = None) -> list[date]:
    """The seven days from `first`, without those after `last` (when given)."""
    days = [first + timedelta(days=n) for n in range(WEEK)]
    return [d for d in days if last is None or d <= last]


@dataclass(frozen=True, slots=True)
class Week:
    """Days shown together, and the first day of the week before and after (None: none to show)."""

    days: list[date]
    previous: date | None
    following: date | None

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]


def calendar_week(day: date) -> Week:
    """The Monday-to-Sunday week of `day`; every week has one before and after."""
    monday = monday_of(day)
    return Week(week_days(monday), monday - timedelta(days=WEEK), monday + timedelta(days=WEEK))


def bookable_week(asked: date | None, today: date, last_bookable: date) -> Week:
    """Up to a week of days from `asked` (today when not given), never before today nor after the
    last bookable day; a previous week only from after today, a next one only before the last day."""
    first = min(max(asked or today, today), last_bookable)
    days = week_days(first, last=last_bookable)
    return Week(
        days,
        first - timedelta(days=WEEK) if first > today else None,
        first + timedelta(days=WEEK) if days[-1] < last_bookable else None,
    )
