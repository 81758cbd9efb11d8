"""Chart geometry for one measure over time: coordinates and paths for a server-rendered SVG, and
the same data as a table (its text alternative). Pure: no drawing, no colours, no dates formatted.

    chart = progress_chart(measure, points, baseline=7.0)
    <svg viewBox="0 0 {{ chart.width }} {{ chart.height }}" role="img" aria-labelledby=...>
      <rect ... chart.band ...>  <path d="{{ segment }}"> for each of chart.segments
      <path d="{{ marker.path }}"> for each of chart.markers   (shape says the category)
    then <table> from chart.rows

Nothing is told by colour alone: the MCID band and the baseline carry text labels, each marker's
shape gives its category (diamond: baseline; triangle pointing the better way: improved; circle:
within noise; square: worse), and the table repeats every value and its change in words. The
value axis always spans the instrument's whole range, so no chart exaggerates a change by zooming.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.change import Change, ChangeCategory, classify
from longtide.outcomes.instruments.definition import Direction
from longtide.outcomes.measures import Measure

LOWER_IS_BETTER = gettext_noop("Lower is better")
HIGHER_IS_BETTER = gettext_noop("Higher is better")
BAND_LABEL = gettext_noop("Within the minimal important change of the baseline")
BASELINE_LABEL = gettext_noop("Baseline")
NOT_SCORABLE = gettext_noop("Not scorable")


class Shape(StrEnum):
    DIAMOND = "diamond"  # the baseline
    TRIANGLE_UP = "triangle_up"
    TRIANGLE_DOWN = "triangle_down"
    CIRCLE = "circle"  # within measurement noise, or no baseline to compare with
    SQUARE = "square"  # worse


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One result by date; ``value`` None for answers that were not scorable (a gap in the line)."""

    on: date
    value: float | None


@dataclass(frozen=True, slots=True)
class Tick:
    value: float
    position: float  # y for value ticks, x for date ticks


@dataclass(frozen=True, slots=True)
class Marker:
    on: date
    value: float
    x: float
    y: float
    shape: Shape
    path: str  # SVG path data for the shape, centred on (x, y)
    change: Change | None


@dataclass(frozen=True, slots=True)
class Band:
    """The "within measurement noise" region around the baseline, as a rectangle across the plot."""

    low: float  # values
    high: float
    y_top: float
    y_bottom: float
    label: str = BAND_LABEL


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the text table: the date, the value (None: not scorable), the change in words."""

    on: date
    value: float | None
    change: Change | None
    is_baseline: bool


@dataclass(frozen=True, slots=True)
class Chart:
    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    minimum: float
    maximum: float
    direction_note: str
    value_ticks: tuple[Tick, ...]
    date_ticks: tuple[Tick, ...]  # at each point's date; the template formats the dates
    segments: tuple[str, ...]  # SVG path data, one per unbroken run of scorable points
    markers: tuple[Marker, ...]
    baseline: float | None
    baseline_y: float | None
    band: Band | None
    rows: tuple[Row, ...]

    def date_position(self, on: date) -> float:
        for tick in self.date_ticks:
            if tick.value == on.toordinal():
                return tick.position
        raise KeyError(on)


MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48.0, 16.0, 16.0, 40.0
MARKER_RADIUS = 5.0


def progress_chart(
    measure: Measure,
    points: Sequence[ChartPoint],
    *,
    baseline: float | None,
    baseline_on: date | None = None,
    width: float = 640,
    height: float = 280,
) -> Chart:
    """Return the geometry of ``points`` on ``measure`` (sorted by date; one point per date).

    ``baseline`` is the value the MCID band is drawn around (usually the first point's value);
    ``baseline_on`` marks which point is the baseline.
    """
    ordered = sorted(points, key=lambda p: p.on)
    if len({p.on for p in ordered}) != len(ordered):
        raise ValueError("one point per date")
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM
    if right <= left or bottom <= top:
        raise ValueError("the chart is too small for its margins")

    def y_of(value: float) -> float:
        share = (value - measure.minimum) / (measure.maximum - measure.minimum)
        return _round(bottom - share * (bottom - top))

    x_of = _date_scale(ordered, left, right)
    segments: list[str] = []
    run: list[tuple[float, float]] = []
    markers: list[Marker] = []
    rows: list[Row] = []
    for point in ordered:
        is_baseline = baseline_on is not None and point.on == baseline_on
        if point.value is None:
            rows.append(Row(point.on, None, None, is_baseline))
            if run:
                segments.append(_path(run))
                run = []
            continue
        x, y = x_of(point.on), y_of(point.value)
        run.append((x, y))
        change = None if baseline is None or is_baseline else classify(measure, baseline, point.value)
        shape = Shape.DIAMOND if is_baseline else _shape(measure, change)
        markers.append(Marker(point.on, point.value, x, y, shape, marker_path(shape, x, y), change))
        rows.append(Row(point.on, point.value, change, is_baseline))
    if run:
        segments.append(_path(run))

    band = None
    if baseline is not None:
        low, high = noise_band(measure, baseline)
        band = Band(low, high, y_of(high), y_of(low))
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        minimum=measure.minimum,
        maximum=measure.maximum,
        direction_note=LOWER_IS_BETTER if measure.direction is Direction.HIGHER_WORSE else HIGHER_IS_BETTER,
        value_ticks=tuple(Tick(v, y_of(v)) for v in nice_ticks(measure.minimum, measure.maximum)),
        date_ticks=tuple(Tick(p.on.toordinal(), x_of(p.on)) for p in ordered),
        segments=tuple(segments),
        markers=tuple(markers),
        baseline=baseline,
        baseline_y=None if baseline is None else y_of(baseline),
        band=band,
        rows=tuple(rows),
    )


def noise_band(measure: Measure, baseline: float) -> tuple[float, float]:
    """Return the values (low, high) that ``classify`` calls within noise of ``baseline``.

    The edges themselves already count as a meaningful change (the MCID is reached, not exceeded).
    """
    mcid = measure.mcid
    distance = measure.distance_from_best(baseline)
    to_better = max(mcid.points or 0.0, (mcid.percent or 0.0) * distance / 100)
    to_worse = mcid.points if mcid.points is not None else (mcid.percent or 0.0) * distance / 100
    if measure.direction is Direction.HIGHER_WORSE:
        low, high = baseline - to_better, baseline + to_worse
    else:
        low, high = baseline - to_worse, baseline + to_better
    return (max(measure.minimum, low), min(measure.maximum, high))


def nice_ticks(minimum: float, maximum: float, most: int = 7) -> tuple[float, ...]:
    """Return round values from ``minimum`` to ``maximum`` (both included) at most ``most`` of them."""
    span = maximum - minimum
    for step in (0.5, 1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= most - 1:
            break
    first = math.ceil(minimum / step) * step
    ticks = [minimum] if first > minimum else []
    value = first
    while value <= maximum + 1e-9:
        ticks.append(round(value, 6))
        value += step
    if ticks[-1] < maximum:
        ticks.append(maximum)
    return tuple(ticks)


def marker_path(shape: Shape, x: float, y: float, r: float = MARKER_RADIUS) -> str:
    """Return SVG path data for ``shape`` centred on (x, y)."""
    match shape:
        case Shape.CIRCLE:
            return (
                f"M {_n(x - r)} {_n(y)} a {_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0 a {_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0 Z"
            )
        case Shape.SQUARE:
            return f"M {_n(x - r)} {_n(y - r)} H {_n(x + r)} V {_n(y + r)} H {_n(x - r)} Z"
        case Shape.DIAMOND:
            return f"M {_n(x)} {_n(y - r)} L {_n(x + r)} {_n(y)} L {_n(x)} {_n(y + r)} L {_n(x - r)} {_n(y)} Z"
        case Shape.TRIANGLE_UP:
            return f"M {_n(x)} {_n(y - r)} L {_n(x + r)} {_n(y + r)} L {_n(x - r)} {_n(y + r)} Z"
        case Shape.TRIANGLE_DOWN:
            return f"M {_n(x)} {_n(y + r)} L {_n(x + r)} {_n(y - r)} L {_n(x - r)} {_n(y - r)} Z"


def _shape(measure: Measure, change: Change | None) -> Shape:
    if change is None or change.category is ChangeCategory.WITHIN_NOISE:
        return Shape.CIRCLE
    if change.category is ChangeCategory.WORSE:
        return Shape.SQUARE
    # Improved: the triangle points the way the line moved (down for lower-is-better).
    return Shape.TRIANGLE_DOWN if measure.direction is Direction.HIGHER_WORSE else Shape.TRIANGLE_UP


def _date_scale(points: Sequence[ChartPoint], left: float, right: float) -> Callable[[date], float]:
    if not points:
        return lambda on: _round((left + right) / 2)
    first, last = points[0].on.toordinal(), points[-1].on.toordinal()
    if first == last:
        return lambda on: _round((left + right) / 2)
    return lambda on: _round(left + (on.toordinal() - first) / (last - first) * (right - left))


def _path(run: list[tuple[float, float]]) -> str:
    head, *tail = run
    return " ".join([f"M {_n(head[0])} {_n(head[1])}", *(f"L {_n(x)} {_n(y)}" for x, y in tail)])


def _round(value: float) -> float:
    return round(value, 2)


def _n(value: float) -> str:
    return f"{round(value, 2):g}"
