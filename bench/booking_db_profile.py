"""PostgreSQL backend CPU per statement of a named booking over the JSON API, in-process.

    uv run python bench/booking_db_profile.py --database-url postgres://postgres@127.0.0.1:5432/lt_book_bench

Seeds the large clinic afresh, books distinct free slots one at a time with the Django test client
(as bench/booking_cpu.py does) and reads the CPU time of the connection's PostgreSQL backend from
/proc/<pid>/schedstat (nanoseconds; a local server only) around each statement (an execute
wrapper) and around each COMMIT. Prints the backend's CPU per booking for each kind of statement,
the CPU of a bare `SELECT 1` round trip (the floor of any statement), and the plans PostgreSQL keeps
for the connection's prepared statements (generic or custom). The first statement of the
transaction carries the BEGIN that psycopg sends before it. No timed assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

KINDS = [
    ("WITH sv AS", "1 service, places, limits, id"),
    ("SELECT 'w'", "2 search"),
    ('WITH made AS (INSERT INTO "clients_client"', "3 BEGIN + client (+ outbox + locks, one statement)"),
    ('INSERT INTO "notifications_message"', "4 outbox"),
    ("SELECT pg_advisory_xact_lock", "5 locks"),
    ('WITH made AS (INSERT INTO "scheduling_appointment"', "6 insert + counters"),
]


def _cpu_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def _kind(sql: str) -> str:
    text = " ".join(sql.split())
    return next((name for start, name in KINDS if text.startswith(start)), "? " + text[:60])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()
    common.configure(args.database_url)
    from django.db import connection

    from bench.booking_throughput import in_process_booker

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (the backend's CPU is read from /proc)")
    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    pool_size = len(pool)
    warm = 10
    for index in range(warm):
        book(index)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
        before = _cpu_ns(pid)
        for _ in range(200):
            cursor.execute("SELECT 1")
        floor = (_cpu_ns(pid) - before) / 200

    spent: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)

    def measured(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        before = _cpu_ns(pid)
        try:
            return execute(sql, params, many, context)
        finally:
            kind = _kind(sql)
            spent[kind] += _cpu_ns(pid) - before
            count[kind] += 1

    wrapper: Any = connection  # its _commit is Django's private hook of every COMMIT
    commit = wrapper._commit

    def measured_commit() -> None:
        before = _cpu_ns(pid)
        try:
            commit()
        finally:
            spent["7 COMMIT"] += _cpu_ns(pid) - before
            count["7 COMMIT"] += 1

    wrapper._commit = measured_commit
    n = min(args.bookings, pool_size - warm)
    total = 0
    with connection.execute_wrapper(measured):
        for index in range(warm, warm + n):
            before = _cpu_ns(pid)
            status = book(index)
            total += _cpu_ns(pid) - before
            if status != 201:
                raise SystemExit(f"booking {index}: {status}")
    wrapper._commit = commit
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}")
    print(f"{n} bookings; load {os.getloadavg()[0]:.1f}; a bare SELECT 1 round trip: {floor / 1e6:.3f} ms")
    print(f"PostgreSQL backend CPU per booking: {total / n / 1e6:.3f} ms, of which:")
    for kind in sorted(spent):
        print(f"  {kind:32s} {spent[kind] / n / 1e6:6.3f} ms  ({count[kind] / n:.2f} per booking)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT left(regexp_replace(statement, '\\s+', ' ', 'g'), 50), generic_plans, custom_plans "
            "FROM pg_prepared_statements ORDER BY 1"
        )
        for text, generic, custom in cursor.fetchall():
            print(f"  prepared: {text!r}: {generic} generic plans, {custom} custom")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
