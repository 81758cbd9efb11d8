"""JFLS-8: jaw functional limitation, 8 items 0-10, the mean of the answered items.

Missing rule (DC/TMD Scoring Manual for Self-Report Instruments, Ohrbach & Knibbe 2016, JFLS
section): the global score is the mean of the available items and is not computed when more than
2 of the 8 are missing. The form asks clients to leave an item blank when they avoid the activity
for reasons other than pain or difficulty, so blanks are expected and are not zeros.
"""

from longtide.outcomes.instruments.definition import FREE, ChoiceItem, Direction, Instrument, Kind, ids, scale
from longtide.outcomes.instruments.rules import Mean

ITEMS = (
    "Chew tough food",
    "Chew chicken (for example, roasted in the oven)",
    "Eat soft food that needs no chewing (for example, mashed potatoes, apple sauce, pudding)",
    "Open wide enough to drink from a cup",
    "Swallow",
    "Yawn",
    "Talk",
    "Smile",
)
OPTIONS = scale(0, 10, low_label="No limitation", high_label="Severe limitation")

V1 = Instrument(
    id="jfls8",
    version=1,
    title="Jaw Functional Limitation Scale 8 (JFLS-8)",
    short_title="JFLS-8",
    construct="jaw function",
    kind=Kind.QUESTIONNAIRE,
    recall="last month",
    instructions=(
        "For each activity, choose how limited you have been during the last month. If you avoided the "
        "activity completely because it was too difficult, choose 10. If you avoided it for another "
        "reason, leave it blank."
    ),
    items=tuple(ChoiceItem(item_id, text, OPTIONS) for item_id, text in zip(ids("q", 8), ITEMS, strict=True)),
    scoring=Mean(ids("q", 8), max_missing=2),
    minimum=0,
    maximum=10,
    direction=Direction.HIGHER_WORSE,
    licence=FREE,
    sources=(
        "Ohrbach R, Larsson P, List T. The Jaw Functional Limitation Scale: development, reliability, and "
        "validity of 8-item and 20-item versions. J Orofac Pain 2008;22:219-230.",
        "Ohrbach R, Knibbe W. Diagnostic Criteria for Temporomandibular Disorders: Scoring Manual for "
        "Self-Report Instruments, 2016 (JFLS: mean of available items; not computed with more than 2 missing).",
        "DC/TMD instruments are free to use without permission (rdc-tmdinternational.org).",
    ),
    decimals=2,
    verify=(
        "the 'more than 2 missing' rule was confirmed against a secondary implementation of the DC/TMD "
        "manual, not the manual's own page; check the manual before this is shown to clients",
    ),
    notes="No bands and no published MCID: change is judged on the jaw-pain rating (nprs_jaw).",
)

VERSIONS = (V1,)
