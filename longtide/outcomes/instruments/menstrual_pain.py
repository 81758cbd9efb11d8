"""Menstrual pain record, one per cycle: worst pain 0-10, days with pain, days of missed activity.

The score is the worst pain; the day counts are subscales. Change is judged with the pain-rating
thresholds (2 points and 30 %; 50 % as substantial, IMMPACT).
"""

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments.definition import (
    FREE,
    ChoiceItem,
    CrossCheck,
    Direction,
    Instrument,
    Kind,
    NumberItem,
    Subscale,
    scale,
)
from longtide.outcomes.instruments.nprs import PAIN_BANDS, PAIN_MCID
from longtide.outcomes.instruments.rules import Single
from longtide.outcomes.instruments.sources import FARRAR_2001, IMMPACT_2008

V1 = Instrument(
    id="menstrual_pain",
    version=1,
    title="Period pain record",
    short_title="Period pain",
    construct="menstrual pain",
    kind=Kind.PER_CYCLE,
    recall="your last period",
    instructions="Think about your most recent period.",
    items=(
        ChoiceItem(
            "worst_pain",
            "How bad was your period pain at its worst?",
            scale(0, 10, low_label="No pain", high_label="Worst pain you can imagine"),
        ),
        NumberItem("pain_days", "On how many days did you have period pain?", 0, 31, "days"),
        NumberItem(
            "missed_days",
            "On how many of those days did the pain stop you from doing your usual things (work, school, home)?",
            0,
            31,
            "days",
        ),
    ),
    scoring=Single("worst_pain"),
    minimum=0,
    maximum=10,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    bands=PAIN_BANDS,
    mcid=PAIN_MCID,
    subscales=(
        Subscale("pain_days", "Days with pain", Single("pain_days"), 0, 31),
        Subscale("missed_days", "Days of missed activity", Single("missed_days"), 0, 31),
    ),
    checks=(
        CrossCheck(
            ("missed_days",),
            gettext_noop("Days of missed activity cannot be more than the days with pain."),
            at_most_item="pain_days",
        ),
    ),
    sources=(FARRAR_2001, IMMPACT_2008),
    verify=("30 % / 50 % thresholds are pain-trial heuristics, not validated for period pain",),
)

VERSIONS = (V1,)
