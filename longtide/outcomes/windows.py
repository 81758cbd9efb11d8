"""Fixed follow-up windows (domain.md §1 timepoints, §2.2): which measurement stands for a timepoint.

    pick(WEEK_12, measurements, start=first_session_day)          # closest to day 84 within ±21
    pick(BEFORE_SESSION_4, measurements, start=..., sessions=...) # the answer given before session 4
    diary_period(WEEK_12, start=...)                              # the 28 diary days for it

Day 0 is the date of the episode's first session. The rule is fixed in advance and never looks at
the values: a day window takes the measurement closest to its target day (the earlier one on a
tie), a session window the latest answer after the previous session's day and up to the
session's day. Never the best, never simply the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.diary import WINDOW_DAYS


@dataclass(frozen=True, slots=True)
class Measurement:
    """One scorable result of the measure, by the date it was given."""

    taken_on: date
    value: float


@dataclass(frozen=True, slots=True)
class DayWindow:
    """Days ``target_day - before`` .. ``target_day + after`` after the first session, inclusive."""

    key: str
    label: str
    target_day: int
    before: int
    after: int

    def bounds(self, start: date) -> tuple[date, date]:
        target = start + timedelta(days=self.target_day)
        return (target - timedelta(days=self.before), target + timedelta(days=self.after))


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """Answers given after session ``session - 1``'s day, up to and including session ``session``'s day."""

    key: str
    label: str
    session: int

    def __post_init__(self) -> None:
        if self.session < 2:
            raise ValueError("a session window starts at session 2; session 1 is the baseline")


type Window = DayWindow | SessionWindow

BASELINE = DayWindow("baseline", gettext_noop("Baseline (before the first session)"), 0, WINDOW_DAYS, 0)
BEFORE_SESSION_4 = SessionWindow("before_session_4", gettext_noop("Before session 4"), 4)
BEFORE_SESSION_8 = SessionWindow("before_session_8", gettext_noop("Before session 8"), 8)
WEEK_6 = DayWindow("week_6", gettext_noop("Week 6 (± 2 weeks)"), 42, 14, 14)
WEEK_12 = DayWindow("week_12", gettext_noop("Week 12 (± 3 weeks)"), 84, 21, 21)

FOLLOW_UPS: tuple[Window, ...] = (BEFORE_SESSION_4, BEFORE_SESSION_8, WEEK_6, WEEK_12)


def pick(
    window: Window, measurements: Iterable[Measurement], *, start: date, sessions: Sequence[date] = ()
) -> Measurement | None:
    """Return the measurement that stands for ``window``, or None when there is none.

    ``sessions`` are the dates of the episode's attended sessions in order (session 1 first);
    session windows need them.
    """
    if isinstance(window, SessionWindow):
        period = _session_bounds(window, sessions)
        if period is None:
            return None
        after, until = period
        inside = [m for m in measurements if after < m.taken_on <= until]
        return max(inside, key=lambda m: m.taken_on, default=None)
    # Day numbers (ordinals), not timedeltas: the practice report calls this for every episode.
    target = start.toordinal() + window.target_day
    first, last = target - window.before, target + window.after
    best: Measurement | None = None
    best_distance = best_day = 0
    for measurement in measurements:
        day = measurement.taken_on.toordinal()
        if first <= day <= last:
            distance = day - target if day >= target else target - day
            if best is None or distance < best_distance or (distance == best_distance and day < best_day):
                best, best_distance, best_day = measurement, distance, day
    return best


def diary_period(window: Window, *, start: date, sessions: Sequence[date] = ()) -> tuple[date, date] | None:
    """Return the 28 diary days that stand for ``window`` (first, last), or None.

    The baseline is the 28 days before the first session; a day window the 28 days ending on its
    target day; a session window the 28 days before that session.
    """
    if isinstance(window, SessionWindow):
        period = _session_bounds(window, sessions)
        if period is None:
            return None
        last = period[1] - timedelta(days=1)
    elif window.target_day == 0:
        last = start - timedelta(days=1)
    else:
        last = start + timedelta(days=window.target_day)
    return (last - timedelta(days=WINDOW_DAYS - 1), last)


def _session_bounds(window: SessionWindow, sessions: Sequence[date]) -> tuple[date, date] | None:
    if len(sessions) < window.session:
        return None
    return (sessions[window.session - 2], sessions[window.session - 1])
