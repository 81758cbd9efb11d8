"""Change from baseline against the minimal important change (MCID), in plain words.

    change = classify(measure, baseline, follow_up)
    change.category     # IMPROVED / WITHIN_NOISE / WORSE
    change.responder    # improved, and the baseline left room for it (measures.py)
    change.wording      # "improved by at least the minimal important change", …

Thresholds. An improvement counts when it reaches the MCID's points *and*, where one is given,
its percentage of the baseline's distance from the best score (NPRS: 2 points and 30 %, so 8 -> 6
is not enough but 8 -> 5 is). A worsening counts on the points alone where points are given,
because the percentage was established for improvement; measures with a percentage-only MCID
(headache days, FIQR) use the percentage both ways, and from the best possible score any
worsening counts. Neither direction is read in the client's favour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments.definition import Direction
from longtide.outcomes.measures import Measure

_EPSILON = 1e-9


class ChangeCategory(StrEnum):
    IMPROVED = "improved"
    WITHIN_NOISE = "within_noise"
    WORSE = "worse"


WORDING = {
    ChangeCategory.IMPROVED: gettext_noop("improved by at least the minimal important change"),
    ChangeCategory.WITHIN_NOISE: gettext_noop("within measurement noise (less than the minimal important change)"),
    ChangeCategory.WORSE: gettext_noop("worse by at least the minimal important change"),
}
NO_ROOM = gettext_noop(
    "The starting score left too little room to show a meaningful improvement, so this does not count as a response."
)


@dataclass(frozen=True, slots=True)
class Change:
    baseline: float
    follow_up: float
    difference: float  # follow-up minus baseline, in the measure's units
    improvement: float  # positive when better, whatever the direction of the scale
    percent: float | None  # improvement as % of the baseline's distance from the best score
    category: ChangeCategory
    has_room: bool
    responder: bool

    @property
    def wording(self) -> str:
        return WORDING[self.category]

    @property
    def room_note(self) -> str | None:
        """Return the no-room explanation when an improvement does not count as a response."""
        return NO_ROOM if self.category is ChangeCategory.IMPROVED and not self.has_room else None


def classify(measure: Measure, baseline: float, follow_up: float) -> Change:
    """Return the change from ``baseline`` to ``follow_up`` on ``measure``."""
    difference = follow_up - baseline
    improvement = -difference if measure.direction is Direction.HIGHER_WORSE else difference
    distance = measure.distance_from_best(baseline)
    percent = improvement / distance * 100 if distance else None
    if improvement > _EPSILON and _reaches_improvement(measure, improvement, distance):
        category = ChangeCategory.IMPROVED
    elif improvement < -_EPSILON and _reaches_worsening(measure, -improvement, distance):
        category = ChangeCategory.WORSE
    else:
        category = ChangeCategory.WITHIN_NOISE
    has_room = measure.has_room(baseline)
    return Change(
        baseline,
        follow_up,
        difference,
        improvement,
        percent,
        category,
        has_room,
        category is ChangeCategory.IMPROVED and has_room,
    )


def _reaches_improvement(measure: Measure, amount: float, distance: float) -> bool:
    mcid = measure.mcid
    if mcid.points is not None and amount < mcid.points - _EPSILON:
        return False
    return mcid.percent is None or amount / distance * 100 >= mcid.percent - _EPSILON


def _reaches_worsening(measure: Measure, amount: float, distance: float) -> bool:
    mcid = measure.mcid
    if mcid.points is not None:
        return amount >= mcid.points - _EPSILON
    assert mcid.percent is not None
    return distance == 0 or amount / distance * 100 >= mcid.percent - _EPSILON
