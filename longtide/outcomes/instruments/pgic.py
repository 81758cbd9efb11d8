"""PGIC: the client's global impression of change since starting care, one of seven categories.

Asked at follow-ups only (no baseline). "Much" or "very much improved" is an important improvement.
"""

from longtide.outcomes.instruments.definition import FREE, ChoiceItem, Direction, Instrument, Kind, choices
from longtide.outcomes.instruments.rules import Single

OPTIONS = choices(
    "Very much improved",
    "Much improved",
    "A little improved",
    "No change",
    "A little worse",
    "Much worse",
    "Very much worse",
    start=1,
)

V1 = Instrument(
    id="pgic",
    version=1,
    title="Patient Global Impression of Change (PGIC)",
    short_title="PGIC",
    construct="global impression of change",
    kind=Kind.FOLLOW_UP_ONLY,
    recall="since you started care here",
    instructions=None,
    items=(
        ChoiceItem(
            "change",
            "Since you started care here, how would you describe the change, if any, in the problem you came for?",
            OPTIONS,
        ),
    ),
    scoring=Single("change"),
    minimum=1,
    maximum=7,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    sources=(
        "Guy W. ECDEU Assessment Manual for Psychopharmacology (Clinical Global Impression). 1976; "
        "patient version as used in chronic pain trials (Dworkin 2008, IMMPACT).",
    ),
    notes="Categories, not a score: never averaged into the practice report.",
)

IMPORTANT_IMPROVEMENT = frozenset({1, 2})


def important_improvement(value: int) -> bool:
    """Return whether a PGIC answer is "much" or "very much improved"."""
    return value in IMPORTANT_IMPROVEMENT


VERSIONS = (V1,)
