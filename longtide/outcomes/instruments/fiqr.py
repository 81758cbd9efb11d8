"""FIQR (licensed): 21 items 0-10 in three domains; function sum / 3 + overall impact sum +
symptoms sum / 2 (0-100)."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Direction, Instrument, Kind, Mcid, Subscale, ids
from longtide.outcomes.instruments.rules import DividedSum

ITEMS = ids("q", 21)
FUNCTION = ITEMS[:9]
OVERALL = ITEMS[9:11]
SYMPTOMS = ITEMS[11:]

V1 = Instrument(
    id="fiqr",
    version=1,
    title="Revised Fibromyalgia Impact Questionnaire (FIQR)",
    short_title="FIQR",
    construct="fibromyalgia impact",
    kind=Kind.QUESTIONNAIRE,
    recall="past 7 days",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled_range(0, 10)),
    scoring=DividedSum(((FUNCTION, 3), (OVERALL, 1), (SYMPTOMS, 2))),
    minimum=0,
    maximum=100,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("Robert Bennett and co-authors", "Use in software needs permission."),
    mcid=Mcid(
        points=None,
        percent=14,
        source=(
            "Bennett RM et al. Minimal clinically important difference in the Fibromyalgia Impact "
            "Questionnaire. J Rheumatol 2009;36:1304-1311."
        ),
        published="about 14 % (domain.md)",
        verify="the 14 % was derived for the original FIQ",
    ),
    subscales=(
        Subscale("function", "Function", DividedSum(((FUNCTION, 3),)), 0, 30),
        Subscale("overall", "Overall impact", DividedSum(((OVERALL, 1),)), 0, 20),
        Subscale("symptoms", "Symptoms", DividedSum(((SYMPTOMS, 2),)), 0, 50),
    ),
    sources=(
        "Bennett RM et al. The Revised Fibromyalgia Impact Questionnaire (FIQR): validation and "
        "psychometric properties. Arthritis Res Ther 2009;11:R120.",
    ),
    decimals=1,
    verify=("no missing answers allowed; the FIQR paper's handling of missing items was not checked",),
)

VERSIONS = (V1,)
