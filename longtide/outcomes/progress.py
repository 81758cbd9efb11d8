"""One client's progress on one measure: the baseline, each fixed timepoint, and the change.

    progress = client_progress(measure, measurements, start=first_session_day, sessions=session_days)
    for point in progress.timepoints:
        point.window.label, point.value, point.change.wording if point.change else ...

For diary measures pass ``diary`` (complete entries) instead of ``measurements``; each timepoint
then carries its ``MonthlyDays`` (or why it is not computable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from longtide.outcomes.change import Change, classify
from longtide.outcomes.diary import DiaryDay, MonthlyDays, NotComputable, summarize
from longtide.outcomes.measures import Measure
from longtide.outcomes.windows import BASELINE, FOLLOW_UPS, Measurement, Window, diary_period, pick


@dataclass(frozen=True, slots=True)
class Timepoint:
    window: Window
    value: float | None  # None: nothing in the window (or the diary window not computable)
    taken_on: date | None  # the answer's date; for a diary, the window's last day
    diary: MonthlyDays | NotComputable | None = None
    change: Change | None = None  # against the baseline, when both exist


@dataclass(frozen=True, slots=True)
class Progress:
    measure: Measure
    baseline: Timepoint
    timepoints: tuple[Timepoint, ...]


def client_progress(
    measure: Measure,
    measurements: Iterable[Measurement] = (),
    *,
    start: date,
    sessions: Sequence[date] = (),
    diary: Iterable[DiaryDay] = (),
    windows: Sequence[Window] = FOLLOW_UPS,
) -> Progress:
    """Return the baseline and each window's value and change for one episode."""
    measurements = tuple(measurements)
    diary = tuple(diary)
    baseline = _timepoint(measure, BASELINE, measurements, diary, start, sessions)
    points = []
    for window in windows:
        point = _timepoint(measure, window, measurements, diary, start, sessions)
        if point.value is not None and baseline.value is not None:
            point = Timepoint(
                point.window, point.value, point.taken_on, point.diary, classify(measure, baseline.value, point.value)
            )
        points.append(point)
    return Progress(measure, baseline, tuple(points))


def _timepoint(
    measure: Measure,
    window: Window,
    measurements: tuple[Measurement, ...],
    diary: tuple[DiaryDay, ...],
    start: date,
    sessions: Sequence[date],
) -> Timepoint:
    if measure.diary is None:
        found = pick(window, measurements, start=start, sessions=sessions)
        return Timepoint(window, None if found is None else found.value, None if found is None else found.taken_on)
    period = diary_period(window, start=start, sessions=sessions)
    if period is None:
        return Timepoint(window, None, None)
    summary = summarize(diary, last_day=period[1])
    if isinstance(summary, NotComputable):
        return Timepoint(window, None, period[1], summary)
    value = summary.mhd if measure.diary == "mhd" else summary.mmd
    return Timepoint(window, value, period[1], summary)
