"""Headache diary arithmetic over a 28-day window (domain.md §1).

    summary = summarize(days, last_day=...)        # MonthlyDays or NotComputable
    summary.mhd, summary.mmd, summary.medication   # days per 28
    summary.control_band                           # IHS 2025
    headache_response(baseline, follow_up, measure="mhd").responder(0.5)

Monthly figures are scaled to 28 days over the days actually filled in:
``headache days x 28 / diary days``. A window is computable only when at least 80 % of its days
(23 of 28) have a complete entry; otherwise the result says how many were filled and how many
are needed. Days are calendar dates in the client's own time zone (the Django layer decides the
date of an entry).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments import headache_diary
from longtide.outcomes.instruments.definition import Answer
from longtide.outcomes.scoring import Scored, score

WINDOW_DAYS = 28
MIN_FILLED_SHARE = 0.8
# IHS: candidates for prevention have 4 or more monthly days; below that a 50 % reduction is a
# difference of one or two days and says little (Sacco 2025; Tassorelli 2018 trial entry).
MIN_BASELINE_DAYS = 4.0

NOT_ENOUGH_DAYS = gettext_noop(
    "Not computable: %(filled)d of %(days)d days were filled in, and at least %(needed)d are needed."
)


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """One complete diary entry. Days without an entry, or with an incomplete one, are simply absent."""

    day: date
    headache: bool
    peak: int | None = None
    migraine: bool = False
    medication: bool = False

    def __post_init__(self) -> None:
        if not self.headache and (self.migraine or self.medication or self.peak is not None):
            raise ValueError(f"{self.day}: migraine, medication or a peak without a headache")

    @property
    def control_day(self) -> bool:
        """A day "with migraine or moderate-to-severe headache" (IHS 2025): migraine or peak >= 4."""
        return self.migraine or (self.peak is not None and self.peak >= headache_diary.MODERATE_PEAK)

    @classmethod
    def from_answers(cls, day: date, answers: Mapping[str, Answer]) -> DiaryDay | None:
        """Return the day from stored diary answers, or None when the entry is incomplete."""
        result = score(headache_diary.V1, answers)
        if not isinstance(result, Scored):
            return None
        if result.total == 0:
            return cls(day, headache=False)
        peak = answers.get("peak")
        return cls(
            day,
            headache=True,
            peak=peak if isinstance(peak, int) else None,
            migraine=answers.get("migraine") == 1,
            medication=answers.get("medication") == 1,
        )


class ControlBand(StrEnum):
    """IHS 2025 levels of control, by days with migraine or moderate-to-severe headache per month."""

    FREEDOM = "freedom"  # 0
    OPTIMAL = "optimal"  # fewer than 4
    MODEST = "modest"  # 4 to 6
    INSUFFICIENT = "insufficient"  # more than 6


CONTROL_LABELS = {
    ControlBand.FREEDOM: gettext_noop("No days with migraine or moderate-to-severe headache"),
    ControlBand.OPTIMAL: gettext_noop("Fewer than 4 days a month (optimal control)"),
    ControlBand.MODEST: gettext_noop("4 to 6 days a month (modest control)"),
    ControlBand.INSUFFICIENT: gettext_noop("More than 6 days a month (insufficient control)"),
}


def control_band(days_per_28: float) -> ControlBand:
    """Return the IHS 2025 control band for days with migraine or moderate-to-severe headache."""
    if days_per_28 == 0:
        return ControlBand.FREEDOM
    if days_per_28 < 4:
        return ControlBand.OPTIMAL
    if days_per_28 <= 6:
        return ControlBand.MODEST
    return ControlBand.INSUFFICIENT


@dataclass(frozen=True, slots=True)
class MonthlyDays:
    """Counts and days-per-28 over one window (``first_day`` .. ``last_day``, inclusive)."""

    first_day: date
    last_day: date
    diary_days: int
    headache_days: int
    migraine_days: int
    medication_days: int
    control_days: int

    def _per_28(self, count: int) -> float:
        return count * WINDOW_DAYS / self.diary_days

    @property
    def mhd(self) -> float:
        """Monthly headache days: headache days x 28 / diary days."""
        return self._per_28(self.headache_days)

    @property
    def mmd(self) -> float:
        """Monthly migraine days."""
        return self._per_28(self.migraine_days)

    @property
    def medication(self) -> float:
        """Monthly acute-medication days."""
        return self._per_28(self.medication_days)

    @property
    def control(self) -> float:
        """Monthly days with migraine or moderate-to-severe headache (for the IHS bands)."""
        return self._per_28(self.control_days)

    @property
    def control_band(self) -> ControlBand:
        return control_band(self.control)


@dataclass(frozen=True, slots=True)
class NotComputable:
    first_day: date
    last_day: date
    diary_days: int
    needed: int
    reason: str = NOT_ENOUGH_DAYS
    params: Mapping[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.reason % dict(self.params)


def needed_days(window: int = WINDOW_DAYS) -> int:
    """Return the filled days a window needs: 80 % rounded up (23 of 28)."""
    return math.ceil(window * MIN_FILLED_SHARE - 1e-9)


def index_days(days: Iterable[DiaryDay]) -> dict[int, DiaryDay]:
    """Return the entries by day number (``date.toordinal()``). Raises ValueError on two entries for one day."""
    entries = list(days)
    index = {entry.day.toordinal(): entry for entry in entries}
    if len(index) != len(entries):
        seen: set[date] = set()
        for entry in entries:
            if entry.day in seen:
                raise ValueError(f"two diary entries for {entry.day.isoformat()}")
            seen.add(entry.day)
    return index


def summarize(
    days: Iterable[DiaryDay] | Mapping[int, DiaryDay], *, last_day: date, window: int = WINDOW_DAYS
) -> MonthlyDays | NotComputable:
    """Return the monthly figures for the ``window`` days ending on ``last_day``, or why not.

    ``days`` are the entries, or an ``index_days`` index of them (faster when summarizing one diary
    over several windows). Raises ValueError when two entries share a date.
    """
    index = days if isinstance(days, Mapping) else index_days(days)
    last = last_day.toordinal()
    entries = [entry for entry in map(index.get, range(last - window + 1, last + 1)) if entry is not None]
    first_day = date.fromordinal(last - window + 1)
    needed = needed_days(window)
    if len(entries) < needed:
        params = {"filled": len(entries), "days": window, "needed": needed}
        return NotComputable(first_day, last_day, len(entries), needed, params=params)
    headaches = [entry for entry in entries if entry.headache]
    return MonthlyDays(
        first_day,
        last_day,
        len(entries),
        len(headaches),
        sum(1 for entry in headaches if entry.migraine),
        sum(1 for entry in headaches if entry.medication),
        sum(1 for entry in headaches if entry.control_day),
    )


def baseline_period(first_session: date, window: int = WINDOW_DAYS) -> tuple[date, date]:
    """Return the prospective baseline window: the ``window`` days before the first session."""
    last = first_session - timedelta(days=1)
    return (last - timedelta(days=window - 1), last)


@dataclass(frozen=True, slots=True)
class HeadacheResponse:
    baseline: float
    follow_up: float
    reduction: float | None  # share fewer days than at baseline; negative when more; None from 0
    has_room: bool  # baseline of at least 4 days per 28

    def responder(self, threshold: float) -> bool:
        """Return whether days fell by at least ``threshold`` (0.5 or 0.3) from a baseline with room."""
        return self.has_room and self.reduction is not None and self.reduction >= threshold - 1e-12


def headache_response(
    baseline: MonthlyDays, follow_up: MonthlyDays, *, measure: Literal["mhd", "mmd"]
) -> HeadacheResponse:
    """Return the change in monthly headache (``"mhd"``) or migraine (``"mmd"``) days."""
    before = baseline.mhd if measure == "mhd" else baseline.mmd
    after = follow_up.mhd if measure == "mhd" else follow_up.mmd
    reduction = None if before == 0 else (before - after) / before
    return HeadacheResponse(before, after, reduction, before >= MIN_BASELINE_DAYS)
