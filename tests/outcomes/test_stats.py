"""Wilson intervals and quartiles, against values worked by hand and from published tables."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from longtide.outcomes.stats import median_and_quartiles, quantile, wilson


def test_wilson_interval_worked_example() -> None:
    # 6 of 14: p = 0.4286; z = 1.96; centre (0.4286 + 0.1372) / 1.2744 = 0.4440;
    # half-width 1.96 / 1.2744 x sqrt(0.0175 + 0.0049) = 0.2301 -> 0.2138 .. 0.6741
    low, high = wilson(6, 14)
    assert (round(low, 4), round(high, 4)) == (0.2138, 0.6741)


def test_wilson_interval_at_the_edges_stays_inside_0_and_1() -> None:
    # Brown, Cai & DasGupta 2001: for 0 of 10 the Wilson interval is 0 .. 0.278
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4)
    assert high == 1.0


@given(n=st.integers(1, 500), data=st.data())
def test_wilson_interval_contains_the_observed_share(n: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, n))
    low, high = wilson(count, n)
    assert 0 <= low <= count / n <= high <= 1


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="3 of 2"):
        wilson(3, 2)
    with pytest.raises(ValueError, match="0 of 0"):
        wilson(0, 0)


def test_quartiles_match_the_spreadsheet() -> None:
    # QUARTILE.INC of 1..9: 3, 5, 7; of 1, 2, 3, 4: 1.75, 2.5, 3.25
    assert median_and_quartiles(range(1, 10)) == (5, (3, 7))
    assert median_and_quartiles([4, 1, 3, 2]) == (2.5, (1.75, 3.25))
    assert quantile([7], 0.25) == 7
    with pytest.raises(ValueError, match="no values"):
        quantile([], 0.5)
