"""PSS-10 (licensed): ten stress items 0-4; items 4, 5, 7 and 8 reversed (4 - answer); summed.

The reversal lives in the options' points, so stored answers are always the raw choice.
"""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import ChoiceItem, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Sum

ITEMS = ids("q", 10)
REVERSED = frozenset({"q4", "q5", "q7", "q8"})
FORWARD = licensed.unlabelled((0, 1, 2, 3, 4))
BACKWARD = licensed.unlabelled((4, 3, 2, 1, 0))

V1 = Instrument(
    id="pss10",
    version=1,
    title="Perceived Stress Scale 10 (PSS-10)",
    short_title="PSS-10",
    construct="perceived stress",
    kind=Kind.QUESTIONNAIRE,
    recall="last month",
    instructions=None,
    items=tuple(ChoiceItem(item_id, None, BACKWARD if item_id in REVERSED else FORWARD) for item_id in ITEMS),
    scoring=Sum(ITEMS),
    minimum=0,
    maximum=40,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence(
        "Sheldon Cohen", "Free for non-profit research and education; other use needs permission."
    ),
    mcid=Mcid(points=11, percent=None, source="domain.md §1 (11 points)", verify="source of the 11-point MCID"),
    sources=(
        "Cohen S, Williamson G. Perceived stress in a probability sample of the United States. In: The "
        "Social Psychology of Health. Sage; 1988.",
    ),
    verify=("no missing answers allowed", "licence terms for use in commercial software"),
)

VERSIONS = (V1,)
