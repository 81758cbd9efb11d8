"""PSFS: three to five activities the client chooses, each rated 0 (unable) to 10 (as before).

The score is the mean of the rated activities; each activity is also a subscale so it can be
followed on its own (MCID 2 for the mean, 3 for one activity). The activity names are free text
chosen at baseline and kept for the episode; they are clinical content.
"""

from longtide.outcomes.instruments.definition import (
    FREE,
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    Mcid,
    Subscale,
    TextItem,
    scale,
)
from longtide.outcomes.instruments.rules import Mean, Single

SOURCE = (
    "Stratford P et al. Assessing disability and change on individual patients: a report of a patient "
    "specific measure. Physiother Can 1995;47:258-263."
)
ACTIVITIES = tuple(f"activity{n}" for n in range(1, 6))
RATING = scale(0, 10, low_label="Unable to do it", high_label="Able to do it as well as before")
MEAN_MCID = Mcid(points=2, percent=None, source=SOURCE, published="2 points for the mean, 3 for a single activity")
ACTIVITY_MCID = Mcid(points=3, percent=None, source=SOURCE, published="3 points for a single activity")

_items: list[TextItem | ChoiceItem] = []
for _n, _activity in enumerate(ACTIVITIES, start=1):
    _items.append(
        TextItem(f"{_activity}_name", f"Activity {_n}: something you find hard to do because of your problem")
    )
    _items.append(ChoiceItem(_activity, f"Today, how well can you do activity {_n}?", RATING))

V1 = Instrument(
    id="psfs",
    version=1,
    title="Patient-Specific Functional Scale (PSFS)",
    short_title="PSFS",
    construct="function in activities the client chooses",
    kind=Kind.QUESTIONNAIRE,
    recall="today",
    instructions=(
        "Name three to five important activities that you are unable to do, or find hard to do, because of "
        "your problem. Then rate how well you can do each one today."
    ),
    items=tuple(_items),
    scoring=Mean(ACTIVITIES, max_missing=None, min_answered=3),
    minimum=0,
    maximum=10,
    direction=Direction.HIGHER_BETTER,
    licence=FREE,
    mcid=MEAN_MCID,
    subscales=tuple(
        Subscale(activity, f"Activity {n}", Single(activity), 0, 10, Direction.HIGHER_BETTER, mcid=ACTIVITY_MCID)
        for n, activity in enumerate(ACTIVITIES, start=1)
    ),
    sources=(SOURCE,),
    decimals=1,
    notes="Activities not chosen are left empty; at least three must be rated.",
)

VERSIONS = (V1,)
