"""ODI 2.1a (licensed): ten back-disability sections 0-5; score = sum / (5 x answered) x 100."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import PercentOfPossible

ITEMS = ids("q", 10)

V1 = Instrument(
    id="odi",
    version=1,
    title="Oswestry Disability Index 2.1a (ODI)",
    short_title="ODI",
    construct="back pain and disability",
    kind=Kind.QUESTIONNAIRE,
    recall="today",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled_range(0, 5)),
    scoring=PercentOfPossible(ITEMS, item_max=5, max_missing=1),
    minimum=0,
    maximum=100,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("Jeremy Fairbank (Mapi Research Trust)", "Use in software needs a licence."),
    mcid=Mcid(
        points=10,
        percent=30,
        source=(
            "Ostelo RW et al. Interpreting change scores for pain and functional status in low back pain. "
            "Spine 2008;33:90-94."
        ),
        published="10 points or 30 %",
    ),
    sources=("Fairbank JC, Pynsent PB. The Oswestry Disability Index. Spine 2000;25:2940-2953.",),
    decimals=1,
    verify=(
        "at most one missing section (Fairbank 2000 shows the calculation for one missed section); "
        "confirm whether the licensed manual allows more",
    ),
)

VERSIONS = (V1,)
