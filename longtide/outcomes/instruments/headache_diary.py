"""Headache diary: one short entry per day (headache yes/no; if yes, peak 0-10, migraine features,
acute medication). A day counts as filled only when its entry is complete.

Scoring one day gives 1 for a headache day and the day flags as subscales; the monthly figures
(headache, migraine and medication days per 28, IHS control bands, responders) are computed over
a window of days by ``longtide.outcomes.diary``.
"""

from dataclasses import dataclass

from longtide.outcomes.instruments.definition import (
    FREE,
    ChoiceItem,
    Condition,
    Direction,
    Instrument,
    Kind,
    Option,
    Subscale,
    scale,
)
from longtide.outcomes.instruments.rules import ITEM_MISSING, Computed, Points, Single, Unscorable, Value
from longtide.outcomes.instruments.sources import SACCO_2025, TASSORELLI_2018

NO_YES = (Option(0, "No", 0.0), Option(1, "Yes", 1.0))
IF_HEADACHE = Condition("headache", 1)
# IHS 2025 counts days "with migraine or moderate-to-severe headache"; moderate starts at 4 of 10.
MODERATE_PEAK = 4


@dataclass(frozen=True, slots=True)
class DayFlag:
    """1 when the day had a headache and ``item`` was yes (or, for ``control``, a migraine or a
    peak of at least 4); 0 on a day without headache; not scorable while the entry is incomplete."""

    item: str
    control: bool = False

    def compute(self, points: Points) -> Computed:
        complete = _complete(points)
        if isinstance(complete, Unscorable):
            return complete
        if not complete:
            return Value(0.0)
        if self.control:
            migraine = points["migraine"] == 1
            peak = points["peak"]
            return Value(1.0 if migraine or (peak is not None and peak >= MODERATE_PEAK) else 0.0)
        return Value(1.0 if points[self.item] == 1 else 0.0)

    def describe(self) -> str:
        return f"1 on a headache day with {self.item}, 0 otherwise; incomplete entries are not scorable"


@dataclass(frozen=True, slots=True)
class HeadacheDay:
    """1 for a complete headache day, 0 for a day without headache."""

    def compute(self, points: Points) -> Computed:
        complete = _complete(points)
        if isinstance(complete, Unscorable):
            return complete
        return Value(1.0 if complete else 0.0)

    def describe(self) -> str:
        return "1 for a headache day, 0 for a day without; a headache day needs peak, migraine and medication answered"


def _complete(points: Points) -> bool | Unscorable:
    """Return whether the day had a headache, or why its entry is incomplete."""
    headache = points.get("headache")
    if headache is None:
        return Unscorable(ITEM_MISSING, {"item": "headache"})
    if headache == 0:
        return False
    for item in ("peak", "migraine", "medication"):
        if points.get(item) is None:
            return Unscorable(ITEM_MISSING, {"item": item})
    return True


V1 = Instrument(
    id="headache_diary",
    version=1,
    title="Headache diary",
    short_title="Headache diary",
    construct="headache frequency",
    kind=Kind.DAILY_DIARY,
    recall="this day",
    instructions="One entry per day. If you missed a day, you can fill it in later.",
    items=(
        ChoiceItem("headache", "Did you have a headache on this day?", NO_YES),
        ChoiceItem(
            "peak",
            "How bad was it at its worst?",
            scale(0, 10, low_label="Very mild", high_label="Worst pain you can imagine"),
            when=IF_HEADACHE,
        ),
        ChoiceItem(
            "migraine",
            "Did it have migraine features: throbbing, worse with movement, feeling sick, or bothered by "
            "light or sound?",
            NO_YES,
            when=IF_HEADACHE,
        ),
        ChoiceItem("medication", "Did you take medicine for it?", NO_YES, when=IF_HEADACHE),
    ),
    scoring=HeadacheDay(),
    minimum=0,
    maximum=1,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    subscales=(
        Subscale("migraine_day", "Migraine day", DayFlag("migraine"), 0, 1),
        Subscale("medication_day", "Acute medication day", DayFlag("medication"), 0, 1),
        Subscale("control_day", "Day with migraine or moderate-to-severe headache", DayFlag("", control=True), 0, 1),
        Subscale("peak", "Peak pain", Single("peak"), 0, 10),
    ),
    sources=(TASSORELLI_2018, SACCO_2025),
    verify=(
        "a 'migraine day' is the client's yes to the migraine-features question, not an ICHD-3 diagnosis",
        "moderate-to-severe headache for the IHS control bands is taken as a peak of 4 or more out of 10",
    ),
)

VERSIONS = (V1,)
