"""What a change is measured on: a score's range, direction, MCID and room rule.

    measure_of(instruments.get("nprs_pain"))                 # the total
    measure_of(instruments.get("psfs"), subscale="activity1") # one part score
    MHD, MMD                                                  # headache diary, days per 28

Room rule (domain.md §1: "a client only counts as a responder if the baseline leaves room for an
MCID of improvement, e.g. NPRS >= 3"), derived per measure: the baseline must lie *more than* one
MCID (in points) from the best possible score, so that an MCID of improvement does not require a
perfect score. NPRS (MCID 2, best 0): 3 or more; GAD-7 (4): 5 or more, its mild cut-off; PSFS
(2, best 10): 7 or less. Measures with a percentage-only MCID need a baseline off the best score,
or an explicit minimum (monthly headache days: 4, the IHS threshold for prevention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from longtide.outcomes.diary import MIN_BASELINE_DAYS, WINDOW_DAYS
from longtide.outcomes.instruments.definition import Direction, Instrument, Mcid
from longtide.outcomes.instruments.sources import SACCO_2025, TASSORELLI_2018


class NoMcid(ValueError):
    """The instrument has no minimal important change: show its scores, never classify change."""


@dataclass(frozen=True, slots=True)
class Measure:
    key: str  # "nprs_pain", "psfs.activity1", "headache_diary.mhd"
    label: str
    minimum: float
    maximum: float
    direction: Direction
    mcid: Mcid
    min_baseline: float | None = None  # explicit room rule (higher-worse measures)
    decimals: int = 0
    diary: Literal["mhd", "mmd"] | None = None  # computed from headache diary days, not scores

    @property
    def best(self) -> float:
        return self.minimum if self.direction is Direction.HIGHER_WORSE else self.maximum

    def distance_from_best(self, value: float) -> float:
        return abs(value - self.best)

    def has_room(self, baseline: float) -> bool:
        """Return whether ``baseline`` leaves room for an MCID of improvement."""
        if self.min_baseline is not None:
            return baseline >= self.min_baseline
        distance = self.distance_from_best(baseline)
        if self.mcid.points is not None:
            return distance > self.mcid.points + 1e-9
        return distance > 0


def measure_of(instrument: Instrument, subscale: str | None = None) -> Measure:
    """Return the measure for an instrument's total (or one subscale). Raises NoMcid without one."""
    if subscale is None:
        mcid, key, label = instrument.mcid, instrument.id, instrument.short_title
        low, high, direction = instrument.minimum, instrument.maximum, instrument.direction
    else:
        part = instrument.subscale(subscale)
        mcid, key, label = part.mcid, f"{instrument.id}.{part.key}", f"{instrument.short_title}: {part.label}"
        low, high, direction = part.minimum, part.maximum, part.direction
    if mcid is None:
        raise NoMcid(f"{key} has no minimal important change")
    return Measure(key, label, low, high, direction, mcid, decimals=instrument.decimals)


_DIARY_MCID = Mcid(
    points=None,
    percent=50,
    source=TASSORELLI_2018,
    published="responder: at least 50 % fewer days than a 4-week prospective baseline (IHS); 30 % also used",
)

MHD = Measure(
    "headache_diary.mhd",
    "Headache days per month",
    0,
    WINDOW_DAYS,
    Direction.HIGHER_WORSE,
    _DIARY_MCID,
    min_baseline=MIN_BASELINE_DAYS,
    decimals=1,
    diary="mhd",
)
MMD = Measure(
    "headache_diary.mmd",
    "Migraine days per month",
    0,
    WINDOW_DAYS,
    Direction.HIGHER_WORSE,
    _DIARY_MCID,
    min_baseline=MIN_BASELINE_DAYS,
    decimals=1,
    diary="mmd",
)
ROOM_SOURCE = SACCO_2025
