"""Chart geometry: coordinates worked by hand on a 640 x 280 chart (plot area x 48-624, y 16-240)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from longtide.outcomes import instruments
from longtide.outcomes.change import ChangeCategory, classify
from longtide.outcomes.charts import Chart, ChartPoint, Shape, marker_path, nice_ticks, noise_band, progress_chart
from longtide.outcomes.measures import MHD, measure_of

NPRS = measure_of(instruments.get("nprs_pain"))
PSFS = measure_of(instruments.get("psfs"))
BASE_DAY = date(2026, 3, 1)
POINTS = [
    ChartPoint(date(2026, 3, 1), 7),
    ChartPoint(date(2026, 3, 15), None),  # answered but not scorable: a gap
    ChartPoint(date(2026, 3, 29), 5),
    ChartPoint(date(2026, 4, 26), 3),
]


@pytest.fixture
def chart() -> Chart:
    return progress_chart(NPRS, POINTS, baseline=7, baseline_on=BASE_DAY)


def test_values_map_onto_the_whole_scale(chart: Chart) -> None:
    # y = 240 - value / 10 x 224: 7 -> 83.2, 5 -> 128, 3 -> 172.8; the axis runs 0-10 whatever the data
    assert (chart.left, chart.right, chart.top, chart.bottom) == (48, 624, 16, 240)
    assert [(m.x, m.y) for m in chart.markers] == [(48, 83.2), (336, 128), (624, 172.8)]
    assert [(t.value, t.position) for t in chart.value_ticks] == [
        (0, 240),
        (2, 195.2),
        (4, 150.4),
        (6, 105.6),
        (8, 60.8),
        (10, 16),
    ]


def test_dates_map_linearly_and_an_unscorable_answer_breaks_the_line(chart: Chart) -> None:
    # 1 Mar -> 48, 26 Apr (56 days later) -> 624; 15 Mar (day 14) -> 192; 29 Mar (day 28) -> 336
    assert [t.position for t in chart.date_ticks] == [48, 192, 336, 624]
    assert chart.date_position(date(2026, 3, 15)) == 192
    assert chart.segments == ("M 48 83.2", "M 336 128 L 624 172.8")


def test_markers_carry_their_meaning_in_shape_not_colour(chart: Chart) -> None:
    # baseline: diamond; 7 -> 5 (2 points, 29 %): within noise, circle; 7 -> 3: improved, a triangle
    # pointing down because lower is better
    assert [m.shape for m in chart.markers] == [Shape.DIAMOND, Shape.CIRCLE, Shape.TRIANGLE_DOWN]
    improved = chart.markers[2].change
    assert improved is not None and improved.category is ChangeCategory.IMPROVED
    assert chart.direction_note == "Lower is better"


def test_the_mcid_band_around_the_baseline(chart: Chart) -> None:
    # better: max(2 points, 30 % of 7 = 2.1) -> down to 4.9; worse: 2 points -> up to 9
    # y(9) = 240 - 201.6 = 38.4; y(4.9) = 240 - 109.76 = 130.24
    band = chart.band
    assert band is not None
    assert band.low == pytest.approx(4.9) and band.high == 9
    assert (band.y_top, band.y_bottom) == (38.4, 130.24)
    assert band.label == "Within the minimal important change of the baseline"
    assert chart.baseline_y == 83.2


def test_the_table_repeats_every_point_in_words(chart: Chart) -> None:
    rows = chart.rows
    assert [(r.on, r.value, r.is_baseline) for r in rows] == [(p.on, p.value, p.on == BASE_DAY) for p in POINTS]
    assert rows[1].change is None
    assert rows[3].change is not None
    assert rows[3].change.wording == "improved by at least the minimal important change"


def test_higher_is_better_measures_point_their_triangles_up() -> None:
    chart = progress_chart(
        PSFS, [ChartPoint(BASE_DAY, 3), ChartPoint(date(2026, 4, 1), 6)], baseline=3, baseline_on=BASE_DAY
    )
    assert [m.shape for m in chart.markers] == [Shape.DIAMOND, Shape.TRIANGLE_UP]
    assert chart.direction_note == "Higher is better"
    assert chart.band is not None and (chart.band.low, chart.band.high) == (1, 5)


def test_without_a_baseline_there_is_no_band_and_no_change() -> None:
    chart = progress_chart(NPRS, [ChartPoint(BASE_DAY, 6)], baseline=None)
    assert chart.band is None and chart.baseline_y is None
    assert chart.markers[0].shape is Shape.CIRCLE
    assert chart.markers[0].x == 336  # a single date sits in the middle


def test_an_empty_chart_still_has_its_axes() -> None:
    chart = progress_chart(NPRS, [], baseline=None)
    assert chart.markers == () and chart.segments == () and chart.rows == ()
    assert len(chart.value_ticks) == 6


def test_two_points_on_one_date_are_refused() -> None:
    with pytest.raises(ValueError, match="one point per date"):
        progress_chart(NPRS, [ChartPoint(BASE_DAY, 1), ChartPoint(BASE_DAY, 2)], baseline=None)


def test_ticks_are_round_and_include_both_ends() -> None:
    assert nice_ticks(0, 10) == (0, 2, 4, 6, 8, 10)
    assert nice_ticks(36, 78) == (36, 40, 50, 60, 70, 78)
    assert nice_ticks(1, 7) == (1, 2, 3, 4, 5, 6, 7)
    assert nice_ticks(0, 28) == (0, 5, 10, 15, 20, 25, 28)


def test_marker_shapes_are_closed_paths_centred_on_the_point() -> None:
    assert marker_path(Shape.SQUARE, 10, 20) == "M 5 15 H 15 V 25 H 5 Z"
    assert marker_path(Shape.DIAMOND, 10, 20) == "M 10 15 L 15 20 L 10 25 L 5 20 Z"
    for shape in Shape:
        assert marker_path(shape, 10, 20).endswith("Z")


@given(baseline=st.integers(0, 10), follow_up=st.floats(0, 10, allow_nan=False))
def test_the_band_is_exactly_where_classify_says_within_noise(baseline: int, follow_up: float) -> None:
    # classify compares with a 1e-9 tolerance, so points within it of an edge sit on the edge
    low, high = noise_band(NPRS, baseline)
    category = classify(NPRS, baseline, follow_up).category
    if low + 1e-6 < follow_up < high - 1e-6:
        assert category is ChangeCategory.WITHIN_NOISE
    elif (follow_up <= low and low > NPRS.minimum) or (follow_up >= high and high < NPRS.maximum):
        assert category is not ChangeCategory.WITHIN_NOISE


@given(baseline=st.floats(0, 28, allow_nan=False), follow_up=st.floats(0, 28, allow_nan=False))
def test_the_headache_band_agrees_with_classify_too(baseline: float, follow_up: float) -> None:
    low, high = noise_band(MHD, baseline)
    category = classify(MHD, baseline, follow_up).category
    if low + 1e-6 < follow_up < high - 1e-6:
        assert category is ChangeCategory.WITHIN_NOISE
    elif abs(follow_up - baseline) > 1e-6 and (follow_up < low - 1e-9 or (follow_up > high + 1e-9 and high < 28)):
        assert category is not ChangeCategory.WITHIN_NOISE
