"""Half-open UTC interval helpers, checked against a set-of-minutes model."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from longtide.lib.intervals import Interval, intersect, merge, merge_spans, subtract, subtract_spans, union

BASE = datetime(2026, 6, 1, tzinfo=UTC)


def iv(start_minute: int, end_minute: int) -> Interval:
    return Interval(BASE + timedelta(minutes=start_minute), BASE + timedelta(minutes=end_minute))


def minutes_of(intervals: Iterable[Interval]) -> set[int]:
    covered: set[int] = set()
    for interval in intervals:
        start = (interval.start - BASE) // timedelta(minutes=1)
        end = (interval.end - BASE) // timedelta(minutes=1)
        covered.update(range(start, end))
    return covered


def assert_normalized(intervals: list[Interval]) -> None:
    """Sorted, and neither overlapping nor touching (touching ones must have been coalesced)."""
    for earlier, later in pairwise(intervals):
        assert earlier.end < later.start


def test_an_interval_needs_an_aware_start_before_its_end() -> None:
    with pytest.raises(ValueError, match="before"):
        iv(10, 10)
    with pytest.raises(ValueError, match="before"):
        iv(10, 5)
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 10))


def test_an_interval_given_in_another_zone_is_stored_in_utc() -> None:
    new_york = ZoneInfo("America/New_York")
    interval = Interval(datetime(2026, 6, 1, 9, tzinfo=new_york), datetime(2026, 6, 1, 10, tzinfo=new_york))
    assert interval.start == datetime(2026, 6, 1, 13, tzinfo=UTC)
    assert interval.start.tzinfo is UTC and interval.end.tzinfo is UTC
    assert interval.duration == timedelta(hours=1)


def test_overlaps_treats_touching_intervals_as_disjoint() -> None:
    assert not iv(0, 60).overlaps(iv(60, 120))
    assert iv(0, 61).overlaps(iv(60, 120))
    assert iv(0, 60).contains(iv(0, 60)) and not iv(0, 60).contains(iv(0, 61))


def test_merge_sorts_and_coalesces_overlapping_and_adjacent_intervals() -> None:
    assert merge([iv(120, 180), iv(0, 30), iv(20, 60), iv(60, 90), iv(200, 210)]) == [
        iv(0, 90),
        iv(120, 180),
        iv(200, 210),
    ]
    assert merge([]) == []


def test_subtract_cuts_holes_and_keeps_the_edges() -> None:
    assert subtract([iv(0, 100)], [iv(10, 20), iv(15, 30), iv(90, 120)]) == [iv(0, 10), iv(30, 90)]
    assert subtract([iv(0, 100)], [iv(0, 100)]) == []
    assert subtract([iv(0, 10), iv(20, 30)], []) == [iv(0, 10), iv(20, 30)]


def test_intersect_keeps_only_common_time() -> None:
    assert intersect([iv(0, 50), iv(60, 100)], [iv(40, 70), iv(90, 200)]) == [iv(40, 50), iv(60, 70), iv(90, 100)]
    assert intersect([iv(0, 50)], [iv(50, 60)]) == []


def test_union_coalesces_both_sides() -> None:
    assert union([iv(0, 10)], [iv(10, 20), iv(30, 40)]) == [iv(0, 20), iv(30, 40)]


def test_subtract_spans_accepts_overlapping_cuts_that_span_several_base_spans() -> None:
    def span(a: int, b: int) -> tuple[datetime, datetime]:
        return BASE + timedelta(minutes=a), BASE + timedelta(minutes=b)

    base = [span(0, 10), span(20, 30), span(40, 50), span(60, 70)]
    cuts = [span(5, 45), span(6, 8), span(25, 26), span(65, 66)]
    assert subtract_spans(base, cuts) == [span(0, 5), span(45, 50), span(60, 65), span(66, 70)]
    assert merge_spans([span(3, 4), span(0, 3)]) == [span(0, 4)]


minute_intervals = st.lists(
    st.tuples(st.integers(0, 300), st.integers(1, 60)).map(lambda pair: iv(pair[0], pair[0] + pair[1])),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(minute_intervals, minute_intervals)
def test_set_operations_match_a_set_of_minutes_model(a: list[Interval], b: list[Interval]) -> None:
    for result, expected in (
        (merge(a), minutes_of(a)),
        (union(a, b), minutes_of(a) | minutes_of(b)),
        (intersect(a, b), minutes_of(a) & minutes_of(b)),
        (subtract(a, b), minutes_of(a) - minutes_of(b)),
    ):
        assert_normalized(result)
        assert minutes_of(result) == expected
