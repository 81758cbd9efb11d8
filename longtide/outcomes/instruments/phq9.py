"""PHQ-9: nine depression items, 0-3 each (Kroenke 2001). Free, but item 9 asks about self-harm:
offered only where a practice has switched on a crisis protocol, and any answer above "Not at all"
on item 9 raises the self-harm alert (crisis resources at once, the practitioner alerted)."""

from longtide.outcomes.instruments import frequency
from longtide.outcomes.instruments.definition import (
    FREE,
    AlertKind,
    AlertRule,
    Band,
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    Mcid,
    ids,
)
from longtide.outcomes.instruments.rules import Sum
from longtide.outcomes.instruments.sources import KROENKE_2001, PHQ_FREE

ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or the opposite: being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)

SELF_HARM_ITEM = "q9"

V1 = Instrument(
    id="phq9",
    version=1,
    title="Patient Health Questionnaire 9 (PHQ-9)",
    short_title="PHQ-9",
    construct="depression",
    kind=Kind.QUESTIONNAIRE,
    recall=frequency.RECALL,
    instructions=frequency.STEM,
    items=tuple(
        ChoiceItem(
            item_id,
            text,
            frequency.OPTIONS,
            alert=AlertRule(AlertKind.SELF_HARM, at_or_above=1) if item_id == SELF_HARM_ITEM else None,
        )
        for item_id, text in zip(ids("q", 9), ITEMS, strict=True)
    ),
    scoring=Sum(ids("q", 9)),
    minimum=0,
    maximum=27,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    bands=(
        Band("minimal", "Minimal", 0),
        Band("mild", "Mild", 5),
        Band("moderate", "Moderate", 10),
        Band("moderately_severe", "Moderately severe", 15),
        Band("severe", "Severe", 20),
    ),
    mcid=Mcid(
        points=5,
        percent=None,
        source="Löwe B et al. Monitoring depression treatment outcomes with the PHQ-9. Med Care 2004;42:1194-1201.",
        verify="not in domain.md; 5 points is the commonly cited individual-change threshold",
    ),
    requires_crisis_protocol=True,
    sources=(KROENKE_2001, PHQ_FREE),
    verify=("MCID 5 points (Löwe 2004) is not in domain.md",),
    notes="The unscored 10th question (difficulty) is left out.",
)

VERSIONS = (V1,)
