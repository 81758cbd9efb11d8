"""Per-practitioner and per-room booking locks, always taken in one order.

A booking transaction locks exactly one practitioner and then the one room its slot uses, so no
two transactions can wait on each other in a cycle.

On PostgreSQL the exclusion constraint is the final guard, but measured on these machines the
constraint alone deadlocks under contention (two inserts each waiting on the other's index
entry) and each deadlock stalls about a second. Transaction-scoped advisory locks taken in a
fixed order — the practitioner first, then rooms by ascending id — serialize contenders for
the same resources without deadlocks. On SQLite the transaction is IMMEDIATE (settings), which
already serializes every writer, so there is nothing to take.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from longtide import prepared

PRACTITIONER_SPACE = 1
ROOM_SPACE = 2


def lock_for_booking(*, practitioner_id: int, room_ids: Iterable[int]) -> None:
    """Take the booking locks for a practitioner and rooms until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    sql, params = locks_sql(practitioner_id=practitioner_id, room_ids=room_ids)
    prepared.rows(sql, params)


def locks_sql(*, practitioner_id: int, room_ids: Iterable[int], over: str = "") -> tuple[str, list[int]]:
    """PostgreSQL: a query taking the booking locks (one row), and its params; with `over` (a
    relation of one row or none: `FROM <over>`), taken for each of its rows, only once that row
    exists (so after whatever it waits for), and not at all when it has none."""
    keys = [(PRACTITIONER_SPACE, practitioner_id), *((ROOM_SPACE, r) for r in sorted(set(room_ids)))]
    # One statement, the order still fixed: PostgreSQL promises no evaluation order within a select
    # list, so each lock is taken in the select list of a query over the one before it (OFFSET 0
    # keeps the planner from flattening the nesting); a row of the inner query, and so its lock,
    # must exist before the outer one's select list is evaluated.
    # Prepared (one text per number of rooms: a booking's is always one): planned once per connection.
    # The keys are cast: the prepared statement sends every int as a bigint (longtide.prepared).
    lock = "SELECT pg_advisory_xact_lock(CAST(%s AS integer), CAST(%s AS integer)) AS k"
    sql = f"{lock} FROM {over}" if over else lock
    for _ in keys[1:]:
        sql = f"{lock} FROM ({sql} OFFSET 0) AS before"
    params = [value for space, key in reversed(keys) for value in (space, key)]
    return sql, params
