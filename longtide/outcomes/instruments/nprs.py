"""Numeric 0-10 ratings: pain (NPRS), jaw pain (for JFLS-8), sleep quality and fatigue.

One question each, recall fixed at the past 7 days for every variant so that ratings before
sessions a week or two apart do not overlap in an unknown way (domain.md §1: "fix one").
"""

from longtide.outcomes.instruments.definition import (
    FREE,
    Band,
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    Mcid,
    scale,
)
from longtide.outcomes.instruments.rules import Single
from longtide.outcomes.instruments.sources import FARRAR_2001, IMMPACT_2008

PAIN_BANDS = (
    Band("none", "No pain", 0),
    Band("mild", "Mild", 0, lower_inclusive=False),
    Band("moderate", "Moderate", 4),
    Band("severe", "Severe", 7),
)

PAIN_MCID = Mcid(
    points=2,
    percent=30,
    source=FARRAR_2001,
    published="2 points or 30 % (Farrar 2001); 30 % moderately, 50 % substantially important (IMMPACT 2008)",
)

RECALL = "past 7 days"


def _rating(
    instrument_id: str,
    title: str,
    short: str,
    construct: str,
    question: str,
    low: str,
    high: str,
    *,
    mcid: Mcid,
    sources: tuple[str, ...],
    bands: tuple[Band, ...] = (),
    verify: tuple[str, ...] = (),
    notes: str = "",
) -> Instrument:
    return Instrument(
        id=instrument_id,
        version=1,
        title=title,
        short_title=short,
        construct=construct,
        kind=Kind.QUESTIONNAIRE,
        recall=RECALL,
        instructions="Choose the one number that fits best.",
        items=(ChoiceItem("rating", question, scale(0, 10, low_label=low, high_label=high)),),
        scoring=Single("rating"),
        minimum=0,
        maximum=10,
        direction=Direction.HIGHER_WORSE,
        licence=FREE,
        sources=sources,
        bands=bands,
        mcid=mcid,
        verify=verify,
        notes=notes,
    )


PAIN_V1 = _rating(
    "nprs_pain",
    "Pain rating (0-10)",
    "Pain",
    "pain intensity",
    "Over the past 7 days, how bad was your pain on average?",
    "No pain",
    "Worst pain you can imagine",
    bands=PAIN_BANDS,
    mcid=PAIN_MCID,
    sources=(FARRAR_2001, IMMPACT_2008),
    notes="The pain is the one the client came for (the episode's main concern).",
)

JAW_V1 = _rating(
    "nprs_jaw",
    "Jaw pain rating (0-10)",
    "Jaw pain",
    "jaw pain intensity",
    "Over the past 7 days, how bad was the pain in your jaw, face or temples on average?",
    "No pain",
    "Worst pain you can imagine",
    bands=PAIN_BANDS,
    mcid=PAIN_MCID,
    sources=(FARRAR_2001,),
    notes="Paired with JFLS-8, which has no published MCID (domain.md §1).",
)

SLEEP_V1 = _rating(
    "nrs_sleep_quality",
    "Sleep quality rating (0-10)",
    "Sleep quality",
    "sleep quality",
    "Over the past 7 days, how would you rate the quality of your sleep?",
    "Best possible sleep",
    "Worst possible sleep",
    mcid=Mcid(
        points=2,
        percent=None,
        source=FARRAR_2001,
        published="no MCID for a 7-day sleep quality rating; 2 points borrowed from pain ratings",
        verify=(
            "MCID borrowed from the pain NRS; the single-item Sleep Quality Scale (24 h recall) is the "
            "nearest validated rating"
        ),
    ),
    sources=(
        "Snyder E et al. A new single-item sleep quality scale. J Clin Sleep Med 2018;14:1849-1857 "
        "(0 = best possible sleep, 10 = worst possible sleep; 24 h recall there, 7 days here).",
    ),
    verify=("MCID of 2 points borrowed from pain ratings",),
)

FATIGUE_V1 = _rating(
    "nrs_fatigue",
    "Fatigue rating (0-10)",
    "Fatigue",
    "fatigue",
    "Over the past 7 days, how tired or worn out have you felt on average?",
    "Not tired at all",
    "As tired as you can imagine",
    mcid=Mcid(
        points=2,
        percent=None,
        source=FARRAR_2001,
        published="no MCID for a single fatigue rating; 2 points borrowed from pain ratings",
        verify="MCID borrowed from the pain NRS",
    ),
    sources=("Single-item 0-10 fatigue rating in the style of the NPRS (domain.md §1).",),
    verify=("MCID of 2 points borrowed from pain ratings",),
)

VERSIONS = (PAIN_V1, JAW_V1, SLEEP_V1, FATIGUE_V1)
