"""Scoring rules with their missing-item rules, as small frozen values an instrument is built from.

A rule takes *points* — each scored item's points after options are mapped (``None`` for
unanswered or "does not apply") — and returns a ``Value`` or an ``Unscorable`` with the reason.
No rule ever fills in a missing answer silently: where a published rule prorates (NDI, ODI, SPADI,
JFLS-8 means), the allowance is explicit here and the number of answered items is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from longtide.lib.i18n_marks import gettext_noop

type Points = Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class Value:
    value: float


@dataclass(frozen=True, slots=True)
class Unscorable:
    """Why a score cannot be computed. ``reason`` is a translatable template; ``params`` fill it."""

    reason: str
    params: Mapping[str, int | str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.reason % dict(self.params)


type Computed = Value | Unscorable


class ScoringRule(Protocol):
    def compute(self, points: Points) -> Computed: ...

    def describe(self) -> str: ...


TOO_MANY_MISSING = gettext_noop(
    "Not scorable: %(missing)d of %(items)d questions were not answered, and at most %(allowed)d may be."
)
TOO_FEW_ANSWERED = gettext_noop(
    "Not scorable: %(answered)d questions were answered, and at least %(needed)d are needed."
)
ITEM_MISSING = gettext_noop("Not scorable: the question %(item)s was not answered.")


def missing_of(points: Points, items: tuple[str, ...]) -> tuple[str, ...]:
    """Return the items with no points (unanswered or not applicable), in order."""
    return tuple(item for item in items if points.get(item) is None)


def _answered(points: Points, items: tuple[str, ...]) -> list[float]:
    return [value for item in items if (value := points.get(item)) is not None]


def _check_missing(points: Points, items: tuple[str, ...], max_missing: int) -> Unscorable | None:
    missing = missing_of(points, items)
    if len(missing) > max_missing:
        if max_missing == 0 and len(missing) == 1:
            return Unscorable(ITEM_MISSING, {"item": missing[0]})
        return Unscorable(TOO_MANY_MISSING, {"missing": len(missing), "items": len(items), "allowed": max_missing})
    return None


@dataclass(frozen=True, slots=True)
class Single:
    """The answer to one item is the score."""

    item: str

    def compute(self, points: Points) -> Computed:
        value = points.get(self.item)
        if value is None:
            return Unscorable(ITEM_MISSING, {"item": self.item})
        return Value(value)

    def describe(self) -> str:
        return f"the answer to {self.item}; not scorable if unanswered"


@dataclass(frozen=True, slots=True)
class Sum:
    """The sum of the items' points. With ``prorate``, up to ``max_missing`` unanswered items are
    allowed and the sum is scaled by items / answered (the NDI's published rule)."""

    items: tuple[str, ...]
    max_missing: int = 0
    prorate: bool = False

    def __post_init__(self) -> None:
        if self.max_missing and not self.prorate:
            raise ValueError("a sum with missing items allowed must prorate, or it would count them as 0")

    def compute(self, points: Points) -> Computed:
        if (problem := _check_missing(points, self.items, self.max_missing)) is not None:
            return problem
        answered = _answered(points, self.items)
        total = sum(answered)
        if len(answered) < len(self.items):
            total = total * len(self.items) / len(answered)
        return Value(total)

    def describe(self) -> str:
        if self.max_missing:
            return (
                f"sum of {len(self.items)} items; up to {self.max_missing} unanswered prorated "
                f"(sum x {len(self.items)} / answered); more missing: not scorable"
            )
        return f"sum of {len(self.items)} items; not scorable if any is unanswered"


@dataclass(frozen=True, slots=True)
class Mean:
    """The mean of the answered items; not scorable past ``max_missing`` missing or below
    ``min_answered`` answered."""

    items: tuple[str, ...]
    max_missing: int | None = 0
    min_answered: int = 1

    def compute(self, points: Points) -> Computed:
        if self.max_missing is not None:
            problem = _check_missing(points, self.items, self.max_missing)
            if problem is not None:
                return problem
        answered = _answered(points, self.items)
        if len(answered) < max(self.min_answered, 1):
            return Unscorable(TOO_FEW_ANSWERED, {"answered": len(answered), "needed": max(self.min_answered, 1)})
        return Value(sum(answered) / len(answered))

    def describe(self) -> str:
        limits = []
        if self.max_missing is not None:
            limits.append(f"more than {self.max_missing} unanswered: not scorable")
        if self.min_answered > 1:
            limits.append(f"fewer than {self.min_answered} answered: not scorable")
        return f"mean of the answered items among {len(self.items)}; " + "; ".join(limits or ["all answered"])


@dataclass(frozen=True, slots=True)
class PercentOfPossible:
    """Sum of the answered items / (``item_max`` x answered) x 100 (ODI, SPADI)."""

    items: tuple[str, ...]
    item_max: float
    max_missing: int = 0

    def compute(self, points: Points) -> Computed:
        if (problem := _check_missing(points, self.items, self.max_missing)) is not None:
            return problem
        answered = _answered(points, self.items)
        if not answered:
            return Unscorable(TOO_FEW_ANSWERED, {"answered": 0, "needed": 1})
        return Value(sum(answered) / (self.item_max * len(answered)) * 100)

    def describe(self) -> str:
        return (
            f"sum of the answered items / ({self.item_max:g} x answered) x 100 over {len(self.items)} items; "
            f"more than {self.max_missing} unanswered: not scorable"
        )


@dataclass(frozen=True, slots=True)
class DividedSum:
    """Sum over parts of (sum of the part's items / divisor); every item required (FIQR)."""

    parts: tuple[tuple[tuple[str, ...], int], ...]

    def compute(self, points: Points) -> Computed:
        items = tuple(item for part, _ in self.parts for item in part)
        if (problem := _check_missing(points, items, 0)) is not None:
            return problem
        return Value(sum(sum(_answered(points, part)) / divisor for part, divisor in self.parts))

    def describe(self) -> str:
        terms = " + ".join(f"sum({len(part)} items) / {divisor}" for part, divisor in self.parts)
        return f"{terms}; not scorable if any item is unanswered"
