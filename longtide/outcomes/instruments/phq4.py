"""PHQ-4: GAD-2 (items 1-2) and PHQ-2 (items 3-4), 0-3 each (Kroenke 2009). Screening only."""

from longtide.outcomes.instruments import frequency
from longtide.outcomes.instruments.definition import (
    FREE,
    Band,
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    Subscale,
    ids,
)
from longtide.outcomes.instruments.rules import Sum
from longtide.outcomes.instruments.sources import KROENKE_2009, PHQ_FREE

ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop worrying",
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
)

V1 = Instrument(
    id="phq4",
    version=1,
    title="Patient Health Questionnaire 4 (PHQ-4)",
    short_title="PHQ-4",
    construct="anxiety and depression screen",
    kind=Kind.QUESTIONNAIRE,
    recall=frequency.RECALL,
    instructions=frequency.STEM,
    items=tuple(ChoiceItem(item_id, text, frequency.OPTIONS) for item_id, text in zip(ids("q", 4), ITEMS, strict=True)),
    scoring=Sum(ids("q", 4)),
    minimum=0,
    maximum=12,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    bands=(
        Band("normal", "Normal", 0),
        Band("mild", "Mild", 3),
        Band("moderate", "Moderate", 6),
        Band("severe", "Severe", 9),
    ),
    subscales=(
        Subscale("gad2", "GAD-2 (anxiety)", Sum(("q1", "q2")), 0, 6, positive_screen_at=3),
        Subscale("phq2", "PHQ-2 (depression)", Sum(("q3", "q4")), 0, 6, positive_screen_at=3),
    ),
    sources=(KROENKE_2009, PHQ_FREE),
    notes="A screen, not an outcome measure: no MCID, so no change classification.",
)

VERSIONS = (V1,)
