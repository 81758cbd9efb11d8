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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection

from longtide.ratelimit.models import Counter

# Rows of windows that ended longer ago than this are deleted (by the first use of each new window).
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
    if count == by:  # the window's first use of this key: a cheap, indexed clean-up of old windows
        Counter.objects.filter(window_start__lt=int((now - KEEP).timestamp())).delete()
    return count
