"""Statements run, on PostgreSQL, as prepared statements of the connection (parsed and planned once).

Django's cursors bind on the client and never prepare (prepare_threshold None, for connection
poolers), so PostgreSQL parses, analyses and plans every statement's text on every execution. For
the few statements of the hot paths (the availability endpoint's first statement; a booking's
search, its client, its re-checking insert) that work took longer than running them: EXPLAIN on
the seeded large clinic, warm, a booking's search planned in 0.3-0.5 ms and ran in 0.1 ms, its
insert planned in 0.3-0.5 ms (bench/README "Availability: a prepared statement" and "Bookings:
the database's share"). Prepared, each execution sends only the parameters (server-side
binding), and PostgreSQL reuses the plan.

The cursor is made here, wrapped as Django wraps its own (query log, error translation, execute
wrappers). psycopg prepares only what a server-binding cursor asks it to with a threshold set; the
connection's other queries (client-binding) are never prepared. It forgets its statements on a
rollback or a DISCARD ALL, and prepares again on the next use.

Server-side binding sends each parameter typed by its Python value, and an untyped one (None, a
str) where PostgreSQL cannot infer a type from the context (a SELECT list) becomes text: a
statement run here casts such placeholders itself. On SQLite the statement just runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorDebugWrapper
from psycopg.abc import Params
from psycopg.types.numeric import Int8Dumper


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` run with `params` (prepared on PostgreSQL)."""
    found: list[tuple[Any, ...]]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        return found
    cursor = _cursor()  # kept open: see _cursor
    cursor.execute(sql, params)
    found = cursor.fetchall()
    return found


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run `sql` (a statement without rows) with `params` (prepared on PostgreSQL); its row count."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
    cursor = _cursor()  # kept open: see _cursor
    cursor.execute(sql, params)
    return int(cursor.rowcount)


def _cursor() -> Any:
    # The connection itself, not the `connection` proxy: each of the proxy's attributes is a
    # thread-local look-up, ~20 per booking here (bookpy's profile).
    db = connections[DEFAULT_DB_ALIAS]
    db.validate_thread_sharing()
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    # One driver cursor per connection, made on its first statement here and kept (never closed:
    # it holds nothing on the server; each execute replaces its results). Making one per statement
    # (the adapters copied, the int dumper registered: three more copies of a map of ~100 dumpers)
    # cost ~10 us, two or three times a booking (bookpy's interleaved measurement).
    kept = getattr(db, "_longtide_preparing", None)
    if kept is None or kept.connection is not raw or kept.closed:
        if raw.prepare_threshold is None:
            raw.prepare_threshold = _NEVER  # psycopg prepares on request only (see above)
        with db.wrap_database_errors:
            kept = _PreparingCursor(raw)
        # Every int as a bigint: psycopg types each by its size (int2, int4, int8) and keeps one
        # prepared statement per text and types, so ids growing past 32767 would prepare it again.
        kept.adapters.register_dumper(int, Int8Dumper)
        db._longtide_preparing = kept  # type: ignore[attr-defined]
    preparing: Any = kept  # a driver cursor (the stubs say CursorWrapper)
    return _LoggedCursor(preparing, db) if db.queries_logged else db.make_cursor(preparing)


_NEVER = 2**62  # executions before psycopg prepares a statement unasked: never


class _LoggedCursor(CursorDebugWrapper):
    """Django's query log (DEBUG, tests) with the statement as Django's own cursors log it, its
    values in place (a prepared statement's cursor has no text of its own to show)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(_composed(sql, params)):
            return super(CursorDebugWrapper, self).execute(sql, params)


def _composed(sql: str, params: Any) -> str:
    try:
        ops: Any = connection.ops  # PostgreSQL's (the only backend this cursor runs on)
        return str(ops.compose_sql(sql, params))
    except Exception:  # only the log's text: the statement itself runs regardless
        return f"{sql} -- {params!r}"


class _PreparingCursor(psycopg.Cursor[Any]):
    """A server-binding cursor whose every statement is prepared (parsed and planned once per connection)."""

    def execute(
        self, query: Any, params: Params | None = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Self:
        return super().execute(query, params, prepare=True, binary=binary)
