"""PSQI (licensed, University of Pittsburgh): seven components 0-3 from 18 answers, summed (0-21);
a global score above 5 marks poor sleep (Buysse 1989).

Clock times are stored as minutes after midnight. Question 5j ("other reason") is optional and
counts as 0 when left empty, as on the published scoring sheet; every other answer is needed for
its component, and every component for the global score.
"""

from dataclasses import dataclass

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import (
    Band,
    Direction,
    Instrument,
    Item,
    Kind,
    Mcid,
    NumberItem,
    Subscale,
)
from longtide.outcomes.instruments.rules import ITEM_MISSING, Computed, Points, Unscorable, Value

DISTURBANCES = tuple(f"q5{letter}" for letter in "bcdefghi")
OPTIONAL_DISTURBANCE = "q5j"
COMPONENT_MISSING = gettext_noop("Not scorable: component %(component)d of the sleep index could not be computed.")
ASLEEP_OVER_IN_BED = gettext_noop("Not scorable: the hours asleep are more than the hours spent in bed.")
NO_TIME_IN_BED = gettext_noop("Not scorable: the bedtime and the getting-up time are the same.")
MINUTES_PER_DAY = 24 * 60


def _need(points: Points, *items: str) -> list[float] | Unscorable:
    values: list[float] = []
    for item in items:
        value = points.get(item)
        if value is None:
            return Unscorable(ITEM_MISSING, {"item": item})
        values.append(value)
    return values


def _grade(value: float, steps: tuple[float, ...]) -> float:
    """Return how many of the ascending ``steps`` ``value`` reaches (each step inclusive)."""
    return float(sum(1 for step in steps if value >= step))


def component(number: int, points: Points) -> Computed:
    """Return PSQI component ``number`` (1-7), 0-3."""
    match number:
        case 1 | 6:
            needed = _need(points, "q6" if number == 1 else "q7")
            return needed if isinstance(needed, Unscorable) else Value(needed[0])
        case 2:
            needed = _need(points, "minutes_to_sleep", "q5a")
            if isinstance(needed, Unscorable):
                return needed
            minutes, q5a = needed
            # <= 15 min: 0; 16-30: 1; 31-60: 2; > 60: 3
            latency = float(sum(1 for step in (15, 30, 60) if minutes > step))
            return Value(_grade(latency + q5a, (1, 3, 5)))
        case 3:
            needed = _need(points, "hours_asleep")
            if isinstance(needed, Unscorable):
                return needed
            # >= 7 h: 0; 6 to < 7: 1; 5 to < 6: 2; < 5: 3
            return Value(3 - _grade(needed[0], (5, 6, 7)))
        case 4:
            needed = _need(points, "bedtime", "wake_time", "hours_asleep")
            if isinstance(needed, Unscorable):
                return needed
            bedtime, wake_time, hours_asleep = needed
            in_bed = (wake_time - bedtime) % MINUTES_PER_DAY
            if in_bed == 0:
                return Unscorable(NO_TIME_IN_BED)
            efficiency = hours_asleep * 60 / in_bed * 100
            if efficiency > 100:
                return Unscorable(ASLEEP_OVER_IN_BED)
            # >= 85 %: 0; 75-84 %: 1; 65-74 %: 2; < 65 %: 3
            return Value(3 - _grade(efficiency, (65, 75, 85)))
        case 5:
            needed = _need(points, *DISTURBANCES)
            if isinstance(needed, Unscorable):
                return needed
            total = sum(needed) + (points.get(OPTIONAL_DISTURBANCE) or 0.0)
            return Value(_grade(total, (1, 10, 19)))
        case 7:
            needed = _need(points, "q8", "q9")
            if isinstance(needed, Unscorable):
                return needed
            return Value(_grade(sum(needed), (1, 3, 5)))
    raise ValueError(f"PSQI has components 1-7, not {number}")


@dataclass(frozen=True, slots=True)
class Component:
    number: int

    def compute(self, points: Points) -> Computed:
        return component(self.number, points)

    def describe(self) -> str:
        return f"PSQI component {self.number} (Buysse 1989 scoring sheet)"


@dataclass(frozen=True, slots=True)
class Global:
    def compute(self, points: Points) -> Computed:
        total = 0.0
        for number in range(1, 8):
            result = component(number, points)
            if isinstance(result, Unscorable):
                return Unscorable(COMPONENT_MISSING, {"component": number})
            total += result.value
        return Value(total)

    def describe(self) -> str:
        return "sum of the seven components; not scorable if any component cannot be computed"


ITEMS: tuple[Item, ...] = (
    NumberItem("bedtime", None, 0, MINUTES_PER_DAY - 1, "minutes after midnight"),
    NumberItem("minutes_to_sleep", None, 0, 720, "minutes"),
    NumberItem("wake_time", None, 0, MINUTES_PER_DAY - 1, "minutes after midnight"),
    NumberItem("hours_asleep", None, 0, 24, "hours", integer=False),
    *licensed.items(
        ("q5a", *DISTURBANCES, OPTIONAL_DISTURBANCE, "q6", "q7", "q8", "q9"), licensed.unlabelled_range(0, 3)
    ),
)

COMPONENT_LABELS = (
    "Subjective sleep quality",
    "Sleep latency",
    "Sleep duration",
    "Habitual sleep efficiency",
    "Sleep disturbances",
    "Use of sleep medication",
    "Daytime dysfunction",
)

V1 = Instrument(
    id="psqi",
    version=1,
    title="Pittsburgh Sleep Quality Index (PSQI)",
    short_title="PSQI",
    construct="sleep quality",
    kind=Kind.QUESTIONNAIRE,
    recall="past month",
    instructions=None,
    items=ITEMS,
    scoring=Global(),
    minimum=0,
    maximum=21,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("University of Pittsburgh", "Use in software needs permission from the copyright holder."),
    bands=(Band("good", "Good sleep", 0), Band("poor", "Poor sleep", 5, lower_inclusive=False)),
    mcid=Mcid(points=3, percent=None, source="domain.md §1 (~3)", verify="the PSQI MCID (~3 points) is marked verify"),
    subscales=tuple(Subscale(f"c{n}", label, Component(n), 0, 3) for n, label in enumerate(COMPONENT_LABELS, start=1)),
    sources=(
        "Buysse DJ et al. The Pittsburgh Sleep Quality Index: a new instrument for psychiatric practice and "
        "research. Psychiatry Res 1989;28:193-213.",
    ),
    verify=(
        "MCID ~3 points",
        "component cut-offs at the boundaries (exactly 7 h, 85 %, 15 and 30 minutes) follow the common "
        "scoring sheet; check against the licensed manual",
    ),
    notes="The unscored bed-partner questions are left out.",
)

VERSIONS = (V1,)
