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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self
from weakref import WeakKeyDictionary

import psycopg
from django.db import DEFAULT_DB_ALIAS, ProgrammingError, connection, connections, transaction
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
    cursor, sql = _cursor(sql)  # kept open: see _cursor
    cursor.execute(sql, params)
    found = cursor.fetchall()
    return found


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run `sql` (a statement without rows) with `params` (prepared on PostgreSQL); its row count."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
    cursor, sql = _cursor(sql)  # kept open: see _cursor
    cursor.execute(sql, params)
    return int(cursor.rowcount)


def _cursor(sql: str) -> tuple[Any, str]:
    """A driver cursor for `sql`, wrapped as Django wraps its own, and the text to run: the same
    str object each time, so that psycopg keeps the cursor's adapters' state for it."""
    # The connection itself, not the `connection` proxy: each of the proxy's attributes is a
    # thread-local look-up, ~20 per booking here (bookpy's profile).
    db = connections[DEFAULT_DB_ALIAS]
    db.validate_thread_sharing()
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    # One driver cursor per connection and statement text, made on the text's first run here and
    # kept (never closed: it holds nothing on the server; each execute replaces its results).
    # Making one per execution (the adapters copied, the int dumper registered: copies of a map
    # of ~100 dumpers) cost ~10 us, two or three times a booking (bookpy's measurement). One per
    # text, not one for all: psycopg keeps a cursor's Transformer (its loaders, made per column
    # type: Django's time-zone loader is Python) only while the cursor runs the same query object
    # again, so a single cursor alternating between a booking's two statements made them afresh
    # for every result (~5 % of a booking's Python, py-spy).
    kept: _Kept | None = getattr(db, "_longtide_preparing", None)
    if kept is None or kept.connection is not raw:
        if raw.prepare_threshold is None:
            raw.prepare_threshold = _NEVER  # psycopg prepares on request only (see above)
        kept = db._longtide_preparing = _Kept(raw)  # type: ignore[attr-defined]
    found = kept.get(sql)
    if found is None or found[1].closed:
        if len(kept) >= _MOST_TEXTS:
            kept.clear()  # more texts than the hot paths have: start again rather than grow
        with db.wrap_database_errors:
            made = _PreparingCursor(raw)
        # Every int as a bigint: psycopg types each by its size (int2, int4, int8) and keeps one
        # prepared statement per text and types, so ids growing past 32767 would prepare it again.
        made.adapters.register_dumper(int, Int8Dumper)
        found = kept[sql] = (sql, made)
    text = found[0]
    preparing: Any = found[1]  # a driver cursor (the stubs say CursorWrapper)
    return (_LoggedCursor(preparing, db) if db.queries_logged else db.make_cursor(preparing)), text


class _Kept(dict[str, tuple[str, Any]]):
    """A connection's kept cursors: statement text -> (that text, as first given; its cursor)."""

    def __init__(self, connection: Any) -> None:
        super().__init__()
        self.connection = connection


# Texts kept per connection; the hot paths run about ten (each shape of the search and of the
# booking's statements).
_MOST_TEXTS = 64


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
    """A server-binding cursor whose every statement is prepared (parsed and planned once per
    connection), its text encoded once: psycopg encoded a str afresh on every execution and hashed
    the new bytes to find its conversion of them (its lru_cache), ~13 kB for a booking's first
    statement (callgrind: ~13 k instructions a statement, bench/README stop 29); the same bytes
    object's hash is kept. One cursor per text (_cursor), so this is that text's."""

    _text: Any = None
    _encoded: Any = None

    def execute(
        self, query: Any, params: Params | None = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Self:
        if query is not self._text:
            self._text = query
            self._encoded = query.encode(self._encoding) if isinstance(query, str) else query
        return super().execute(self._encoded, params, prepare=True, binary=binary)


# PL/pgSQL functions made of a caller's statements (PostgreSQL): a write of several statements in
# one call, so one round trip and no BEGIN/COMMIT of the client's (scheduling.booking's write).


@dataclass(frozen=True, slots=True)
class FunctionBody:
    """Statements of a caller's, made into the body of a PL/pgSQL function (`function_body`)."""

    statements: list[str]  # each statement, its placeholders reading the function's arguments
    results: list[list[str]]  # each statement's result column types
    arguments: str  # the arguments' declarations: `_p1 integer[], _p2 text[], …`
    call: str  # the arguments in a call: `ARRAY[CAST(%s AS integer), …], ARRAY[…], …`
    order: list[int]  # the statements' parameters (their indexes) in the order `call` takes them


def function_body(statements: Sequence[str], *, given: dict[int, str] | None = None) -> FunctionBody:
    """`statements` (with %s placeholders, as `rows` takes them) rewritten for the body of a
    PL/pgSQL function whose arguments hold their parameters, numbered across all the statements in
    order: placeholder k reads an element of the array argument of its type, the type PostgreSQL
    infers for it there (as for a prepared statement's untyped parameter), or is `given[k]`, an
    expression of the function's own (a value an earlier statement found: it is not passed).

    Why arrays, one per type: a function takes at most 100 arguments, and a booking's write has
    about as many parameters; typed, the values go in and out as they are (no text conversion).
    The types are asked of the server (a describe of each statement, once per text in a process),
    so they follow the statements, which follow the models."""
    given = given or {}
    kinds: list[str] = []
    for sql in statements:
        key = _dollars(sql)
        if key not in _described:
            _described[key] = _describe(key)
        kinds += _described[key][0]
    groups: dict[str, list[int]] = {}
    for k, kind in enumerate(kinds, start=1):
        if k not in given:
            groups.setdefault(kind, []).append(k)
    where = {k: f"_p{g}[{j}]" for g, ks in enumerate(groups.values(), start=1) for j, k in enumerate(ks, start=1)}
    holders = iter(given.get(k) or where[k] for k in range(1, len(kinds) + 1))
    return FunctionBody(
        statements=[re.sub("%[s%]", lambda m: "%" if m.group() == "%%" else next(holders), sql) for sql in statements],
        results=[_described[_dollars(sql)][1] for sql in statements],
        arguments=", ".join(f"_p{g} {kind}[]" for g, kind in enumerate(groups, start=1)),
        call=", ".join(f"ARRAY[{', '.join([f'CAST(%s AS {kind})'] * len(ks))}]" for kind, ks in groups.items()),
        order=[k - 1 for ks in groups.values() for k in ks],
    )


_described: dict[str, tuple[list[str], list[str]]] = {}


def _dollars(sql: str) -> str:
    """`sql` with PostgreSQL's own placeholders ($1, $2, …) for %s."""
    count = iter(range(1, 10**6))
    return re.sub("%[s%]", lambda m: "%" if m.group() == "%%" else f"${next(count)}", sql)


def _describe(sql: str) -> tuple[list[str], list[str]]:
    """The types PostgreSQL infers for `sql`'s parameters, and of its result columns (the unnamed
    statement, prepared and described: nothing runs)."""
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    pgconn = db.connection.pgconn
    prepared = pgconn.prepare(b"", sql.encode())
    if prepared.status != psycopg.pq.ExecStatus.COMMAND_OK:
        raise RuntimeError(f"cannot describe a statement: {prepared.error_message.decode()}")
    described = pgconn.describe_prepared(b"")
    oids = [described.param_type(i) for i in range(described.nparams)]
    oids += [described.ftype(i) for i in range(described.nfields)]
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY(SELECT format_type(t, NULL) "
            "FROM unnest(CAST(%s AS oid[])) WITH ORDINALITY AS u(t, n) ORDER BY n)",
            [oids],
        )
        names = list(cursor.fetchone()[0])
    return names[: described.nparams], names[described.nparams :]


def function_rows(create: str, name: str, call: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `call` (prepared, as `rows`), which calls the temporary function `name` that
    `create` (a CREATE OR REPLACE FUNCTION pg_temp.<name>) makes: made on the connection before its
    first call there, and again when it has gone (a DISCARD ALL drops a session's temporary objects).

    Outside a transaction the call is a transaction of its own: an error raised in the function
    undoes all it wrote. Inside one (a caller's atomic block, the tests) it runs in a savepoint, so
    that such an error undoes the function's writes only, and the function is made again each time
    (made in a transaction, it is gone if that transaction rolls back).

    A temporary function, not a migration: made from the statements' own builders, it cannot go
    stale when a model gains a field; it lives as long as the session, like the prepared
    statements. Behind a pooler in transaction mode the call may reach a session without the
    function: made again, then CannotMakeFunction when it is still missing, so the caller falls
    back (slower, never a failed booking; PgBouncer's session mode keeps the one call)."""
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    if db.settings_dict["NAME"] in _refused:
        raise CannotMakeFunction()
    if db.in_atomic_block:
        _create(db, create)
        with transaction.atomic():
            return rows(call, params)
    made = _functions.setdefault(db.connection, set())
    if name not in made:
        _create(db, create)
        made.add(name)
    # Twice at most: a function gone from the session (a DISCARD ALL drops its temporary objects)
    # is made again, once.
    for attempt in range(2):
        if attempt:
            _create(db, create)
        try:
            return rows(call, params)
        except ProgrammingError as error:
            if getattr(error.__cause__, "sqlstate", None) not in _MISSING:
                raise
    # Gone again at once: the function was made in one server session and called in another (a
    # pooler in transaction mode moves each statement outside a transaction). Nothing ran: the
    # caller runs its statements the usual way, in a transaction, which a pooler keeps together.
    raise CannotMakeFunction()


# undefined_function; invalid_schema_name (a session that has made no temporary object: no pg_temp).
_MISSING = ("42883", "3F000")

# The temporary functions made on each connection (psycopg's: a new connection has none).
_functions: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()


class CannotMakeFunction(Exception):
    """The database role may not make temporary functions, or the function made is not there when
    called (a pooler in transaction mode; function_rows). Nothing ran: the caller runs its
    statements the usual way."""


# The databases (by name) whose role was refused a temporary function: not asked again by this
# process. A server hardened with `REVOKE TEMPORARY ON DATABASE … FROM PUBLIC` refuses one.
_refused: set[str] = set()


def _create(db: Any, create: str) -> None:
    """Run `create`, in a savepoint of its own (a transaction outside one), so that a refusal
    leaves the caller's transaction usable. Raises CannotMakeFunction when the role has no
    TEMPORARY privilege on the database (insufficient_privilege), and remembers it."""
    try:
        with transaction.atomic(), db.cursor() as cursor:
            cursor.execute(create)
    except ProgrammingError as error:
        if getattr(error.__cause__, "sqlstate", None) != "42501":
            raise
        _refused.add(db.settings_dict["NAME"])
        raise CannotMakeFunction() from None
