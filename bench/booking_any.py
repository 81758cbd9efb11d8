"""An "any practitioner" booking against a named one: CPU and wall time per booking, in-process.

    uv run python bench/booking_any.py --database-url postgres://postgres@127.0.0.1:5432/lt_any
    uv run python bench/booking_any.py --database-url … --bookings 60 --rounds 6

Issue 13 asks that an "any practitioner" booking be no slower than a named one. This seeds the
large clinic (20 practitioners, all candidates), then books distinct free slots over the JSON API
with the Django test client (no server), alternating rounds: named (the pool's practitioner), then
"any practitioner" (the first candidate free then). Each round prints, per booking, this process's
CPU (time.process_time), the PostgreSQL backend's CPU (/proc, as booking_cpu.py), the wall time,
and the statuses; then the medians over the rounds and the ratios any ÷ named (the target: ≤ 1.0).
(Statements per booking are counted by tests/api/test_booking_statements.py: 8 either way.)

"Any practitioner" takes the first candidate free then, who may be the practitioner of another
slot of the pool at an overlapping time, which would then answer 409 (and search for alternatives,
in the count): the named rounds book the pool's slots of the first half of the year, the "any"
rounds those of the second half, two hours apart or more (a session and its buffer take 75
minutes). PostgreSQL only. No timed assertions; ~30 s for the defaults.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def halves(pool: list[tuple[datetime, int]], gap: timedelta) -> tuple[list[int], list[int]]:
    """Indices of the pool's slots starting before its middle day, and of those starting a day or
    more after it that are `gap` or more apart from each other (booking_throughput.spaced)."""
    from bench.booking_throughput import spaced

    middle = sorted(start for start, _ in pool)[len(pool) // 2]
    first = [index for index, (start, _) in enumerate(pool) if start < middle]
    later = (index for index, (start, _) in enumerate(pool) if start >= middle + timedelta(days=1))
    return first, spaced(pool, later, gap)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--bookings", type=int, default=80, help="bookings per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each kind (alternating)")
    args = parser.parse_args()
    common.configure(args.database_url)
    from django.db import connection

    from bench.booking_cpu import _backend_cpu
    from bench.booking_throughput import in_process_booker

    if connection.vendor != "postgresql":
        print("PostgreSQL only (the backend's CPU is read from /proc)")
        return 2
    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    warm, n = 20, args.bookings
    named, anyone = halves(pool, timedelta(hours=2))
    if min(len(named), len(anyone)) < warm + args.rounds * n:
        print(f"the pool has {len(named)} and {len(anyone)} slots for the two kinds: ask for fewer bookings")
        return 2
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}", flush=True)
    named_slots, any_slots = iter(named), iter(anyone)
    for _ in range(warm):  # imports, prepared statements, the booking function: both paths
        book(next(named_slots))
        book(next(any_slots), anyone=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    figures: dict[str, list[tuple[float, float, float]]] = {"named": [], "any": []}
    for round_ in range(args.rounds):
        for kind in ("named", "any"):
            statuses = set()
            backend, python, wall = _backend_cpu(pid), time.process_time(), time.perf_counter()
            for _ in range(n):
                statuses.add(book(next(named_slots)) if kind == "named" else book(next(any_slots), anyone=True))
            wall = time.perf_counter() - wall
            backend, python = _backend_cpu(pid) - backend, time.process_time() - python
            per = (python * 1000 / n, backend * 1000 / n, wall * 1000 / n)
            figures[kind].append(per)
            print(
                f"round {round_ + 1} {kind:<5}: {n} bookings, statuses {sorted(statuses)}: Python {per[0]:.2f} ms, "
                f"backend {per[1]:.2f} ms, wall {per[2]:.2f} ms per booking; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    print()
    medians = {kind: [statistics.median(r[i] for r in rows) for i in range(3)] for kind, rows in figures.items()}
    print(f"{'median per booking (ms)':<26} {'Python':>8} {'backend':>8} {'CPU':>8} {'wall':>8}")
    for kind in ("named", "any"):
        python, backend, wall = medians[kind]
        print(f"{kind:<26} {python:8.2f} {backend:8.2f} {python + backend:8.2f} {wall:8.2f}")
    base, other = medians["named"], medians["any"]
    print(
        f"{'any / named':<26} {other[0] / base[0]:8.3f} {other[1] / base[1]:8.3f} "
        f"{(other[0] + other[1]) / (base[0] + base[1]):8.3f} {other[2] / base[2]:8.3f}"
    )
    ratio = other[2] / base[2]
    print(f"target: an 'any practitioner' booking no slower than a named one: wall {ratio:.3f}x", end=" ")
    print("(met)" if ratio <= 1.0 else "(NOT met)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
