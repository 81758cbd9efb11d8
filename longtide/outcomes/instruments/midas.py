"""MIDAS (licensed): five counts of days in the last 3 months lost or halved by headache, summed
into grades I-IV. Items A and B (headache frequency and pain) are not scored and are left out."""

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import (
    Band,
    CrossCheck,
    Direction,
    Instrument,
    Kind,
    NumberItem,
    ids,
)
from longtide.outcomes.instruments.rules import Sum

ITEMS = ids("q", 5)
TOO_MANY_DAYS = gettext_noop("These days together cannot be more than the 90 days of the last 3 months.")

V1 = Instrument(
    id="midas",
    version=1,
    title="Migraine Disability Assessment (MIDAS)",
    short_title="MIDAS",
    construct="headache disability",
    kind=Kind.QUESTIONNAIRE,
    recall="last 3 months",
    instructions=None,
    items=tuple(NumberItem(item_id, None, 0, 90, "days") for item_id in ITEMS),
    scoring=Sum(ITEMS),
    minimum=0,
    maximum=270,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence(
        "Innovative Medical Research (Lipton, Stewart)",
        "Free on paper for clinical use; software use needs permission.",
    ),
    bands=(
        Band("I", "Grade I: little or no disability", 0),
        Band("II", "Grade II: mild disability", 6),
        Band("III", "Grade III: moderate disability", 11),
        Band("IV", "Grade IV: severe disability", 21),
    ),
    # Question 2 excludes the days of question 1, question 4 those of question 3.
    checks=(
        CrossCheck(("q1", "q2"), TOO_MANY_DAYS, at_most=90),
        CrossCheck(("q3", "q4"), TOO_MANY_DAYS, at_most=90),
    ),
    sources=(
        "Stewart WF et al. Development and testing of the Migraine Disability Assessment (MIDAS) "
        "Questionnaire to assess headache-related disability. Neurology 2001;56(6 Suppl 1):S20-S28.",
    ),
    notes="No firm MCID: shown with its grade, never classified as improved or worse.",
)

VERSIONS = (V1,)
