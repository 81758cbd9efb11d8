"""Properties of every scoring rule: scores stay in range, raising an item never lowers a total,
a missing answer is never silently filled in, and order does not matter."""

from typing import Any, Protocol

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from longtide.outcomes import instruments
from longtide.outcomes.instruments.definition import ChoiceItem, Instrument, NumberItem
from longtide.outcomes.instruments.rules import Sum
from longtide.outcomes.scoring import NotScorable, Scored, score, validate

# Instruments whose scored items are all unconditional choices or numbers.
GENERIC = [
    i
    for i in instruments.versions()
    if i.id not in {"headache_diary", "psqi"}
    and all(isinstance(item, ChoiceItem | NumberItem) and item.when is None for item in i.scored_items)
]


class Draw(Protocol):
    """What draws a value: a composite strategy's `draw` or `st.data()`'s."""

    def __call__[T](self, strategy: st.SearchStrategy[T], label: Any = None) -> T: ...


def _option_points(item: ChoiceItem, value: float) -> float:
    option = item.option(int(value))
    assert option is not None and option.points is not None, (item.id, value)
    return option.points


def _value(item: ChoiceItem | NumberItem, draw: Draw, above: float | None = None, limit: float | None = None) -> float:
    if isinstance(item, ChoiceItem):
        values = [o.value for o in item.options if o.points is not None]
        if above is not None:
            values = [v for v in values if _option_points(item, v) > _option_points(item, above)]
            assume(values)
        return draw(st.sampled_from(values))
    low = item.minimum if above is None else above + 1
    high = item.maximum if limit is None else min(item.maximum, limit)
    assume(low <= high)
    if item.integer:
        return draw(st.integers(int(low), int(high)))
    return draw(st.floats(low, high, allow_nan=False))


def _limit(instrument: Instrument, answers: dict[str, Any], item_id: str) -> float | None:
    """Return the largest value ``item_id`` may take given the instrument's cross-checks."""
    limit: float | None = None
    for check in instrument.checks:
        if item_id in check.items:
            ceiling = check.at_most if check.at_most_item is None else answers[check.at_most_item]
            room = ceiling - sum(answers[other] for other in check.items if other != item_id)
            limit = room if limit is None else min(limit, room)
    return limit


@st.composite
def complete_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in instrument.scored_items:
        answers[item.id] = 0  # placeholders so cross-checks can be evaluated in order
    for item in instrument.scored_items:
        assert isinstance(item, ChoiceItem | NumberItem), item
        limit = _limit(instrument, answers, item.id)
        answers[item.id] = _value(item, draw, limit=limit)
    assert not validate(instrument, answers)
    return answers


def _points(instrument: Instrument, item_id: str, value: float) -> float:
    item = instrument.item(item_id)
    if isinstance(item, ChoiceItem):
        return _option_points(item, value)
    return float(value)


@pytest.mark.parametrize("instrument", GENERIC, ids=lambda i: i.id)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_complete_answers_score_within_the_range(instrument: Instrument, data: st.DataObject) -> None:
    answers = data.draw(complete_answers(instrument))
    result = score(instrument, answers)
    assert isinstance(result, Scored)
    assert instrument.minimum <= result.total <= instrument.maximum
    if instrument.bands:
        assert result.band is not None
    for part in result.subscales:
        subscale = instrument.subscale(part.key)
        if part.value is not None:
            assert subscale.minimum <= part.value <= subscale.maximum


@pytest.mark.parametrize("instrument", GENERIC, ids=lambda i: i.id)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_raising_any_item_never_lowers_the_total(instrument: Instrument, data: st.DataObject) -> None:
    answers = data.draw(complete_answers(instrument))
    item_id = data.draw(st.sampled_from([item.id for item in instrument.scored_items]))
    item = instrument.item(item_id)
    assert isinstance(item, ChoiceItem | NumberItem), item
    new_value = _value(item, data.draw, above=answers[item_id], limit=_limit(instrument, answers, item_id))
    assert _points(instrument, item_id, new_value) > _points(instrument, item_id, answers[item_id])
    raised = dict(answers, **{item_id: new_value})
    assert not validate(instrument, raised)
    before, after = score(instrument, answers), score(instrument, raised)
    assert isinstance(before, Scored)
    assert isinstance(after, Scored)
    assert after.total >= before.total
    # Higher-worse totals: a higher total never lands in a milder band.
    if instrument.bands:
        order = [band.key for band in instrument.bands]
        assert after.band is not None and before.band is not None
        assert order.index(after.band.key) >= order.index(before.band.key)


@pytest.mark.parametrize(
    "instrument",
    [i for i in GENERIC if isinstance(i.scoring, Sum) and not i.scoring.max_missing],
    ids=lambda i: i.id,
)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_sum_with_any_answer_missing_is_not_scorable(instrument: Instrument, data: st.DataObject) -> None:
    answers = data.draw(complete_answers(instrument))
    dropped = data.draw(st.sampled_from(sorted(answers)))
    result = score(instrument, dict(answers, **{dropped: None}))
    assert isinstance(result, NotScorable)
    assert dropped in result.missing


@pytest.mark.parametrize(
    ("instrument_id", "allowed"), [("jfls8", 2), ("spadi", 2), ("ndi", 1), ("odi", 1), ("fss", 0), ("fiqr", 0)]
)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_missing_items_within_the_allowance_score_and_beyond_it_do_not(
    instrument_id: str, allowed: int, data: st.DataObject
) -> None:
    instrument = instruments.get(instrument_id)
    answers = data.draw(complete_answers(instrument))
    item_ids = [item.id for item in instrument.scored_items]
    dropped = data.draw(st.lists(st.sampled_from(item_ids), min_size=1, max_size=allowed + 1, unique=True))
    result = score(instrument, dict(answers, **dict.fromkeys(dropped)))
    if len(dropped) <= allowed:
        assert isinstance(result, Scored)
        assert instrument.minimum <= result.total <= instrument.maximum
        assert result.answered == len(item_ids) - len(dropped)
    else:
        assert isinstance(result, NotScorable)


@pytest.mark.parametrize("instrument", GENERIC, ids=lambda i: i.id)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_the_order_of_answers_does_not_matter(instrument: Instrument, data: st.DataObject) -> None:
    answers = data.draw(complete_answers(instrument))
    shuffled = dict(data.draw(st.permutations(list(answers.items()))))
    assert score(instrument, answers) == score(instrument, shuffled)


# --- PSQI: its component rules are not plain sums ----------------------------------------------

PSQI = instruments.get("psqi")
FOUR_LEVELS = st.integers(0, 3)


@st.composite
def psqi_answers(draw: st.DrawFn) -> dict[str, float]:
    bedtime = draw(st.integers(0, 1439))
    in_bed = draw(st.integers(60, 14 * 60))
    answers: dict[str, float] = {
        "bedtime": bedtime,
        "wake_time": (bedtime + in_bed) % 1440,
        "minutes_to_sleep": draw(st.integers(0, 180)),
        "hours_asleep": draw(st.integers(0, in_bed // 30)) / 2,
    }
    for item in ["q5a", *[f"q5{c}" for c in "bcdefghij"], "q6", "q7", "q8", "q9"]:
        answers[item] = draw(FOUR_LEVELS)
    return answers


@settings(max_examples=100, deadline=None)
@given(answers=psqi_answers(), extra_minutes=st.integers(1, 120))
def test_psqi_taking_longer_to_fall_asleep_never_lowers_the_score(
    answers: dict[str, float], extra_minutes: int
) -> None:
    slower = dict(answers, minutes_to_sleep=min(720, answers["minutes_to_sleep"] + extra_minutes))
    before, after = score(PSQI, answers), score(PSQI, slower)
    assert isinstance(before, Scored)
    assert isinstance(after, Scored)
    assert 0 <= before.total <= 21
    assert after.total >= before.total


@settings(max_examples=100, deadline=None)
@given(answers=psqi_answers(), fewer_half_hours=st.integers(1, 8))
def test_psqi_sleeping_less_in_the_same_time_in_bed_never_lowers_the_score(
    answers: dict[str, float], fewer_half_hours: int
) -> None:
    less = dict(answers, hours_asleep=max(0.0, answers["hours_asleep"] - fewer_half_hours / 2))
    before, after = score(PSQI, answers), score(PSQI, less)
    assert isinstance(before, Scored)
    assert isinstance(after, Scored)
    assert after.total >= before.total


@settings(max_examples=100, deadline=None)
@given(answers=psqi_answers(), item=st.sampled_from([f"q5{c}" for c in "abcdefghij"] + ["q6", "q7", "q8", "q9"]))
def test_psqi_a_worse_answer_never_lowers_the_score(answers: dict[str, float], item: str) -> None:
    worse = dict(answers, **{item: min(3, answers[item] + 1)})
    before, after = score(PSQI, answers), score(PSQI, worse)
    assert isinstance(before, Scored) and isinstance(after, Scored)
    assert after.total >= before.total
