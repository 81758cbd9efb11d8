"""Half-open time intervals [start, end) and set operations on sorted lists of them.

Two layers:

* ``Interval`` and ``merge``/``union``/``intersect``/``subtract`` take any iterables, validate, and
  return normalized lists (sorted, disjoint, touching intervals coalesced) of UTC intervals.
* ``*_spans`` functions do the same sweeps on plain ``(start, end)`` tuples without validation, for hot
  loops that build many temporary intervals (the availability engine). Their inputs must already be
  normalized where stated. Endpoints may be datetimes (naive or aware, not mixed) or timedeltas
  (offsets into a day).

Every operation is a single sort plus a linear sweep: O(n log n).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

type Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span of time [start, end), stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is not UTC:
                if moment.utcoffset() is None:
                    raise ValueError(f"Interval {name} must be timezone-aware, got {moment!r}")
                # Normalizing keeps comparisons on the fast same-tzinfo path and makes
                # datetime +/- timedelta mean elapsed time rather than wall-clock arithmetic.
                object.__setattr__(self, name, moment.astimezone(UTC))
        if not self.start < self.end:
            raise ValueError(f"Interval start must be before end, got {self.start} .. {self.end}")

    @property
    def duration(self) -> timedelta:
        """Return the elapsed time from start to end."""
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """Return whether the two intervals share any instant (touching ends do not count)."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        """Return whether ``other`` lies entirely inside this interval."""
        return self.start <= other.start and other.end <= self.end


def merge_spans[T: (datetime, timedelta)](spans: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Return the spans sorted, with overlapping or touching spans coalesced."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect_spans[T: (datetime, timedelta)](a: Sequence[tuple[T, T]], b: Sequence[tuple[T, T]]) -> list[tuple[T, T]]:
    """Return the time covered by both ``a`` and ``b``; both must be sorted and disjoint."""
    out: list[tuple[T, T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        end = a_end if a_end < b_end else b_end
        if start < end:
            out.append((start, end))
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return out


def subtract_spans[T: (datetime, timedelta)](
    base: Sequence[tuple[T, T]], cuts: Sequence[tuple[T, T]]
) -> list[tuple[T, T]]:
    """Return the time in ``base`` not covered by ``cuts``.

    ``base`` must be sorted and disjoint; ``cuts`` only needs to be sorted by start and may overlap.
    """
    out: list[tuple[T, T]] = []
    j, n = 0, len(cuts)
    for start, end in base:
        current = start
        while j < n:
            cut_start, cut_end = cuts[j]
            if cut_start >= end:
                break
            if cut_end > current:
                if cut_start > current:
                    out.append((current, cut_start))
                current = cut_end
            if cut_end > end:
                # This cut reaches into later base spans, so keep it for them. Cuts after it that
                # start before ``end`` are covered up to ``cut_end`` or stay for later spans too.
                break
            j += 1
        if current < end:
            out.append((current, end))
    return out


def _spans(intervals: Iterable[Interval]) -> list[Span]:
    return merge_spans((interval.start, interval.end) for interval in intervals)


def _intervals(spans: Iterable[Span]) -> list[Interval]:
    return [Interval(start, end) for start, end in spans]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the intervals sorted, with overlapping or touching intervals coalesced."""
    return _intervals(_spans(intervals))


def union(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Return the merged time covered by ``a`` or ``b``."""
    return merge([*a, *b])


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Return the merged time covered by both ``a`` and ``b``."""
    return _intervals(intersect_spans(_spans(a), _spans(b)))


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """Return the merged time in ``base`` not covered by any of ``cuts``."""
    return _intervals(subtract_spans(_spans(base), _spans(cuts)))
