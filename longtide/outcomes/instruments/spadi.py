"""SPADI: shoulder pain (5 items) and disability (8 items), each 0-10, as percentages of the
possible score. "Does not apply" and unanswered items leave the denominator; more than 2 of them
and nothing is scored (Roach 1991; numeric-scale version, Williams 1995)."""

from longtide.outcomes.instruments.definition import (
    FREE,
    NOT_APPLICABLE,
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    Mcid,
    Option,
    Subscale,
    ids,
    scale,
)
from longtide.outcomes.instruments.rules import PercentOfPossible

PAIN_ITEMS = (
    "At its worst?",
    "When lying on the side of the painful shoulder?",
    "When reaching for something on a high shelf?",
    "When touching the back of your neck?",
    "When pushing with the arm of the painful shoulder?",
)
DISABILITY_ITEMS = (
    "Washing your hair?",
    "Washing your back?",
    "Putting on a vest, undershirt or pullover?",
    "Putting on a shirt that buttons down the front?",
    "Putting on your trousers?",
    "Placing an object on a high shelf?",
    "Carrying a heavy object of 4.5 kg (10 pounds)?",
    "Taking something out of your back pocket?",
)
NOT_APPLICABLE_OPTION = Option(NOT_APPLICABLE, "Does not apply to me", None)
PAIN_OPTIONS = (*scale(0, 10, low_label="No pain", high_label="Worst pain you can imagine"), NOT_APPLICABLE_OPTION)
DISABILITY_OPTIONS = (
    *scale(0, 10, low_label="No difficulty", high_label="So difficult I need help"),
    NOT_APPLICABLE_OPTION,
)
PAIN = ids("q", 5)
DISABILITY = tuple(f"q{n}" for n in range(6, 14))
ALL = PAIN + DISABILITY

V1 = Instrument(
    id="spadi",
    version=1,
    title="Shoulder Pain and Disability Index (SPADI)",
    short_title="SPADI",
    construct="shoulder pain and disability",
    kind=Kind.QUESTIONNAIRE,
    recall="past week",
    instructions=(
        "Think about your shoulder over the past week. Questions 1-5: how bad was your pain? "
        "Questions 6-13: how much difficulty did you have? If a question does not apply to you, say so."
    ),
    items=(
        *(ChoiceItem(i, f"How bad was your pain: {t}", PAIN_OPTIONS) for i, t in zip(PAIN, PAIN_ITEMS, strict=True)),
        *(
            ChoiceItem(i, f"How much difficulty did you have: {t}", DISABILITY_OPTIONS)
            for i, t in zip(DISABILITY, DISABILITY_ITEMS, strict=True)
        ),
    ),
    scoring=PercentOfPossible(ALL, item_max=10, max_missing=2),
    minimum=0,
    maximum=100,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    max_missing_overall=2,
    mcid=Mcid(
        points=13,
        percent=None,
        source=(
            "Roy JS et al. A systematic review of the psychometric properties of the SPADI. Arthritis Rheum "
            "2009;61:623-632."
        ),
        published="8-13 points (Roy 2009); the upper end is used",
    ),
    subscales=(
        Subscale("pain", "Pain", PercentOfPossible(PAIN, item_max=10, max_missing=2), 0, 100),
        Subscale("disability", "Disability", PercentOfPossible(DISABILITY, item_max=10, max_missing=2), 0, 100),
    ),
    sources=(
        "Roach KE et al. Development of a shoulder pain and disability index. Arthritis Care Res 1991;4:143-149.",
        "Williams JW et al. Measuring shoulder function with the SPADI. J Rheumatol 1995;22:727-732.",
    ),
    decimals=1,
    verify=(
        "total = all answered items / (10 x answered) x 100 as in domain.md; some scoring sheets average "
        "the two subscale percentages instead, which differs when the subscales differ",
    ),
)

VERSIONS = (V1,)
