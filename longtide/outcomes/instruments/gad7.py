"""GAD-7: seven anxiety items, 0-3 each, summed (Spitzer 2006). Free (Pfizer)."""

from longtide.outcomes.instruments import frequency
from longtide.outcomes.instruments.definition import FREE, Band, ChoiceItem, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Sum
from longtide.outcomes.instruments.sources import PHQ_FREE, SPITZER_2006

ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

V1 = Instrument(
    id="gad7",
    version=1,
    title="Generalized Anxiety Disorder 7 (GAD-7)",
    short_title="GAD-7",
    construct="anxiety",
    kind=Kind.QUESTIONNAIRE,
    recall=frequency.RECALL,
    instructions=frequency.STEM,
    items=tuple(ChoiceItem(item_id, text, frequency.OPTIONS) for item_id, text in zip(ids("q", 7), ITEMS, strict=True)),
    scoring=Sum(ids("q", 7)),
    minimum=0,
    maximum=21,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    bands=(
        Band("minimal", "Minimal", 0),
        Band("mild", "Mild", 5),
        Band("moderate", "Moderate", 10),
        Band("severe", "Severe", 15),
    ),
    mcid=Mcid(
        points=4,
        percent=None,
        source=(
            "Toussaint A et al. Sensitivity to change and minimal clinically important difference of the "
            "GAD-7. J Affect Disord 2020;265:395-401."
        ),
    ),
    sources=(SPITZER_2006, PHQ_FREE),
    verify=("no missing answers allowed: the publications give no prorating rule; confirm before offering one",),
)

VERSIONS = (V1,)
