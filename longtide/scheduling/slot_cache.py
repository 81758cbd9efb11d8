"""The availability cache: the engine's answer for a search, kept until anything it read changes.

What is kept is every slot of the asked days *before* the booking window (notice, horizon) is
applied, keyed by everything the answer was computed from:

* what each search reads afresh anyway and passes in (the service's length and buffers, the
  practice's slot step, the candidate practitioners and suitable rooms in order with their
  locations' time zones, the days, "any practitioner", the appointment being moved);
* for everything else, numbers the database keeps (models.BusyVersion, read in the same statement
  as the candidates and rooms): one per practitioner, drawn afresh by migration 0014's triggers
  with any change to their working hours, hours exceptions, time off or appointments, and one per
  room, with any change to its appointments. The triggers run in the writing transaction, whatever
  wrote (a save, a queryset update, a bulk insert, plain SQL), so a reader that sees the change
  sees the new number. The numbers are random, not counts, so a number names one state of those
  rows for good: a rolled-back change or a restored backup cannot give it to other rows.

Time: the notice and the horizon are applied to each answer with the request's own `now`, after
the cache. The one other thing `now` changes is a hold that lapses (models.OCCUPYING): an entry
records the earliest `hold_until` among the holds it counted as busy and the `now` it was computed
at, and serves only a `now` in between.

Only searches outside a transaction use it (`connection.in_atomic_block`): inside one, a search
may see the transaction's own uncommitted changes, and keeping nothing from there is the simple
rule. A search reads the numbers first and the rows after, in separate statements; a change
committed between the two is then kept under the older numbers, which only searches that read the
numbers before that change committed can ask for: they get a state that was current while they ran.

Per process (Django's locmem cache, settings.CACHES["availability"], bounded): with several
workers each keeps its own copy and each copy is exact, since the numbers come from the database.
"""

from __future__ import annotations

import contextlib
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.core.cache import caches
from django.db import connection

from longtide.scheduling.availability import BookingPolicy, Slot

_bypassed: ContextVar[bool] = ContextVar("availability_cache_bypassed", default=False)
_START = itemgetter(0)

type Entry = tuple[datetime, datetime | None, list[tuple[datetime, datetime, int, int]]]


def usable() -> bool:
    """Whether a search here may read and fill the cache (outside any transaction, not bypassed)."""
    return not connection.in_atomic_block and not _bypassed.get()


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """Search without the cache (tests compare the two answers)."""
    token = _bypassed.set(True)
    try:
        yield
    finally:
        _bypassed.reset(token)


def key_for(*parts: Any) -> str:
    """A cache key for these inputs (their repr: ints, dates, timedeltas, strings, tuples of them)."""
    text = repr((connection.vendor, connection.settings_dict["NAME"], parts))
    return "slots:" + hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def get(key: str, now: datetime) -> list[tuple[datetime, datetime, int, int]] | None:
    """The kept slots for `key`, if they were computed for this `now` (see the module docstring)."""
    entry: Entry | None = caches["availability"].get(key)
    if entry is None:
        return None
    computed_at, holds_until, slots = entry
    if now < computed_at or (holds_until is not None and now >= holds_until):
        return None
    return slots


def put(
    key: str, now: datetime, holds_until: datetime | None, slots: Sequence[Slot]
) -> list[tuple[datetime, datetime, int, int]]:
    """Keep the slots computed at `now` (returned as kept); `holds_until`: the first lapse of a hold they counted."""
    rows = [(s.start, s.end, s.practitioner_id, s.room_id) for s in slots]
    caches["availability"].set(key, (now, holds_until, rows))
    return rows


def within(slots: Sequence[tuple[datetime, datetime, int, int]], policy: BookingPolicy, now: datetime) -> list[Slot]:
    """The slots (sorted by start) that start inside the booking window at `now`, as the engine keeps them."""
    earliest, latest = now + policy.min_notice, now + policy.horizon
    first = bisect_left(slots, earliest, key=_START)
    last = bisect_right(slots, latest, lo=first, key=_START)
    return [Slot(*row) for row in slots[first:last]]


def clear() -> None:
    """Forget everything kept in this process (tests, between databases)."""
    caches["availability"].clear()
