"""Small statistics for the practice report: Wilson intervals and spreadsheet quartiles."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson(count: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) for ``count`` successes in ``n`` (95 % by default).

    Unlike the plain p ± z·SE interval it stays inside 0..1 and behaves at 0 and n, which matters
    for the small cohorts a practice has (Wilson 1927; Brown, Cai & DasGupta 2001).
    """
    if n <= 0 or not 0 <= count <= n:
        raise ValueError(f"need 0 <= count <= n and n > 0, got {count} of {n}")
    p = count / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 and n the exact bounds are 0 and 1; the formula leaves rounding dust there.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return (low, high)


def quantile(values: Sequence[float], q: float) -> float:
    """Return the ``q`` quantile by linear interpolation at (n - 1) x q (spreadsheet QUARTILE.INC,
    numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_and_quartiles(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Return the median and the (first, third) quartiles."""
    return quantile(values, 0.5), (quantile(values, 0.25), quantile(values, 0.75))
