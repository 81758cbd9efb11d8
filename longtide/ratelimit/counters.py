"""Fixed-window rate-limit counters in the database.

A limit allows `most` uses of a key per window (an hour, a day; windows are aligned to the epoch).
`hit` adds one use in one atomic statement (INSERT … ON CONFLICT … DO UPDATE … RETURNING, on
SQLite and PostgreSQL alike) and returns the new count, so concurrent requests on any number of app
servers count exactly; inside a transaction that later rolls back, the use is undone with it. That
is how bookings count only bookings made: the booking's transaction hits the counter and rolls back
when the limit is passed or the booking fails.

Why not a library: django-ratelimit and django-axes keep their counts in Django's cache (per
process unless a shared cache is run) or count failures after the fact; Longtide's deployments
have a database and nothing else, and a limit on logins must stop a request before its password is
hashed. The table holds no email or network address: keys are HMAC-SHA256 of the scope and the
subject under SECRET_KEY.

A fixed window lets a burst of up to twice the limit straddle a window's end; for the limits here
(bookings per day, sign-ins per quarter hour) that is acceptable and keeps each check to one row.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from longtide.ratelimit.models import Counter

# Rows of windows that ended longer ago than this are deleted (_clean_up).
KEEP = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `most` uses of `key` per `window`."""

    key: str
    most: int
    window: timedelta

    def window_of(self, now: datetime) -> int:
        seconds = int(self.window.total_seconds())
        return int(now.timestamp()) // seconds * seconds

    def retry_after(self, now: datetime) -> int:
        """Seconds until the window of `now` ends (at least 1)."""
        end = self.window_of(now) + int(self.window.total_seconds())
        return max(1, end - int(now.timestamp()))


def key_for(scope: str, *subject: str) -> str:
    """Return the counter key of a subject (an address, a username) within a scope, as an HMAC."""
    message = "\x1f".join([scope, *subject]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"longtide.ratelimit:" + message, hashlib.sha256).hexdigest()


def used(limit: Limit, now: datetime) -> int:
    """Return how many uses the key has in the current window."""
    counts = Counter.objects.filter(key_hash=limit.key, window_start=limit.window_of(now)).values_list(
        "count", flat=True
    )
    return counts.first() or 0


def used_query(limits: Sequence[Limit], now: datetime) -> tuple[str, list[Any]]:
    """A query for the current windows' rows of these limits' keys: (key_hash, window_start, count).

    For callers that read the counts along with other rows in one statement (a booking reads them
    with its candidates and rooms); read its rows with `counts_of`."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    where = " OR ".join(["(key_hash = %s AND window_start = %s)"] * len(limits)) or "1 = 0"
    sql = f"SELECT key_hash, window_start, count FROM {table} WHERE {where}"  # noqa: S608 (our table)
    return sql, [value for limit in limits for value in (limit.key, limit.window_of(now))]


def counts_of(limits: Sequence[Limit], now: datetime, rows: Sequence[tuple[Any, Any, Any]]) -> list[int]:
    """The uses of each limit's key in its current window, from the rows of `used_query`, in order."""
    counts = {(key, int(window)): int(count) for key, window, count in rows}
    return [counts.get((limit.key, limit.window_of(now)), 0) for limit in limits]


def used_each(limits: Sequence[Limit], now: datetime) -> list[int]:
    """Return how many uses each limit's key has in its current window, in one statement."""
    if not limits:
        return []
    sql, params = used_query(limits, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return counts_of(limits, now, cursor.fetchall())


# The clean-up of old windows runs at most once per CLEAN_EVERY in each process (the first hit
# after that): once per first use of every key would add a statement to most bookings.
CLEAN_EVERY = timedelta(hours=1)
_cleaned_at: list[datetime] = []


def _clean_up(now: datetime) -> None:
    if _cleaned_at and _cleaned_at[0] <= now < _cleaned_at[0] + CLEAN_EVERY:
        return
    Counter.objects.filter(window_start__lt=int((now - KEEP).timestamp())).delete()
    _cleaned_at[:] = [now]


def hit_query(limits: Sequence[Limit], now: datetime, *, when: str = "") -> tuple[str, list[Any]]:
    """hit_each's upsert as a statement to run inside another (PostgreSQL: a data-modifying CTE,
    e.g. with the insert of the booking it counts); `when` is an SQL condition for counting at all.
    Its rows are (key_hash, window_start, count): read them with `hits_of`."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    rows = ", ".join(["(CAST(%s AS varchar), CAST(%s AS bigint), CAST(%s AS integer))"] * len(limits))
    sql = (
        f"INSERT INTO {table} (key_hash, window_start, count) "  # noqa: S608 (our table, a condition of ours)
        f"SELECT * FROM (VALUES {rows}) v WHERE {when or '1 = 1'} "
        f"ON CONFLICT (key_hash, window_start) DO UPDATE SET count = {table}.count + excluded.count "
        "RETURNING key_hash, window_start, count"
    )
    return sql, [value for limit in limits for value in (limit.key, limit.window_of(now), 1)]


def hits_of(limits: Sequence[Limit], now: datetime, rows: Sequence[tuple[Any, Any, Any]]) -> list[int]:
    """The new counts from the rows of a `hit_query` that counted, in order (old windows cleaned as hit_each does)."""
    counts = {(key, int(window)): int(count) for key, window, count in rows}
    found = [counts[(limit.key, limit.window_of(now))] for limit in limits]
    counted(found, now)
    return found


def counted(counts: Sequence[int], now: datetime) -> None:
    """After one use was added to keys (their new `counts`) by a statement of the caller's: old
    windows cleaned as hit_each does (a key's first use in its window may make them due)."""
    if 1 in counts:
        _clean_up(now)


def hit_each(limits: Sequence[Limit], now: datetime, *, by: int = 1) -> list[int]:
    """Add `by` uses to each limit's key in one statement; return the new counts, in order.

    The rows are upserted in the order given, so that concurrent callers passing their limits in
    one order never wait on each other in a cycle."""
    if not limits:
        return []
    table = connection.ops.quote_name(Counter._meta.db_table)
    wanted = [(limit.key, limit.window_of(now)) for limit in limits]
    rows = ", ".join(["(%s, %s, %s)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_hash, window_start, count) VALUES {rows} "  # noqa: S608 (our table)
            f"ON CONFLICT (key_hash, window_start) DO UPDATE SET count = {table}.count + excluded.count "
            "RETURNING key_hash, window_start, count",
            [value for key, window in wanted for value in (key, window, by)],
        )
        counts = {(key, int(window)): int(count) for key, window, count in cursor.fetchall()}
    found = [counts[pair] for pair in wanted]
    if by in found:  # some key's first use in its window: old windows may be due for deletion
        _clean_up(now)
    return found


def hit(limit: Limit, now: datetime, *, by: int = 1) -> int:
    """Add `by` uses (negative to give uses back) in the current window; return the new count."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    window = limit.window_of(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_hash, window_start, count) VALUES (%s, %s, %s) "  # noqa: S608 (our table)
            f"ON CONFLICT (key_hash, window_start) DO UPDATE SET count = {table}.count + excluded.count "
            "RETURNING count",
            [limit.key, window, by],
        )
        count = int(cursor.fetchone()[0])
    if count == by:  # the window's first use of this key: old windows may be due for deletion
        _clean_up(now)
    return count
