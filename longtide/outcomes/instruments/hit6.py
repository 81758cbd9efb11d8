"""HIT-6 (licensed, QualityMetric): six items answered never / rarely / sometimes / very often /
always, scored 6 / 8 / 10 / 11 / 13 and summed (36-78)."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Band, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Sum

ITEMS = ids("q", 6)

V1 = Instrument(
    id="hit6",
    version=1,
    title="Headache Impact Test (HIT-6)",
    short_title="HIT-6",
    construct="headache impact",
    kind=Kind.QUESTIONNAIRE,
    recall="past 4 weeks (items 4-6); no recall period (items 1-3)",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled((6, 8, 10, 11, 13), start=1)),
    scoring=Sum(ITEMS),
    minimum=36,
    maximum=78,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("QualityMetric", "Use in software needs a licence from QualityMetric."),
    bands=(
        Band("little", "Little or no impact", 36),
        Band("some", "Some impact", 50),
        Band("substantial", "Substantial impact", 56),
        Band("severe", "Severe impact", 60),
    ),
    mcid=Mcid(
        points=6,
        percent=None,
        source=(
            "Smelt AFH et al. What is a clinically relevant change on the HIT-6 questionnaire? Cephalalgia "
            "2014;34:29-36."
        ),
        published="2.5-6 points within person (domain.md); the upper end is used",
    ),
    sources=(
        "Kosinski M et al. A six-item short-form survey for measuring headache impact: the HIT-6. "
        "Qual Life Res 2003;12:963-974.",
    ),
    verify=("no prorating: every item must be answered (QualityMetric scoring)",),
)

VERSIONS = (V1,)
