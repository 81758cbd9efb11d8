"""An "any practitioner" booking against a named one: CPU and wall time per booking, in-process.

    uv run python bench/booking_any.py --database-url postgres://postgres@127.0.0.1:5432/lt_any
    uv run python bench/booking_any.py --database-url … --bookings 11 --rounds 30 --slots halves

Issue 13 asks that an "any practitioner" booking be no slower than a named one. This seeds the
large clinic (20 practitioners, all candidates), then books free slots over the JSON API with the
Django test client (no server), in small blocks alternating between named (the pool's
practitioner) and "any practitioner" (the first candidate free then): on a shared machine whose
speed drifts by tens of per cent within a minute, rounds of 55 bookings gave ratios from 1.08 to
1.28 for one tree. (Statements per booking are counted by tests/api/test_booking_statements.py:
8 either way.)

Which slots each kind books (--slots):

- `same` (the default): both kinds book the same slots, on the same rows. After each booking its
  appointment is deleted (not timed), so the next booking, of either kind, finds the clinic as it
  was; each booking has a client of its own (a new e-mail). A block of named bookings and a block of
  "any" bookings of the same slots sit side by side, their order alternating. Printed: per booking,
  this process's CPU (time.process_time), the PostgreSQL backend's CPU (/proc, as booking_cpu.py;
  10 ms ticks, so only their sum means anything) and the wall time; the ratios any ÷ named of
  those sums; the medians, over the slots, of each slot's "any" wall and CPU time over its named
  one; and the median of the blocks' wall ratios (the target: ≤ 1.0).
- `halves` (stop 26's and 27's figures): the bookings stay. "Any practitioner" takes the first
  candidate free then, who may be the practitioner of another slot of the pool at an overlapping
  time, which would then answer 409: so the named blocks book the pool's slots of the first half
  of the year, the "any" blocks those of the second half, two hours apart or more (a session and
  its buffer take 75 minutes). The two kinds read different rows, which is why `same` was written.

PostgreSQL only. No timed assertions; ~1 minute for the defaults.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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


Figures = dict[str, list[list[tuple[float, float, float]]]]  # kind -> blocks -> bookings: Python, backend, wall (s)


def _timed(pid: int, book: Callable[..., int], index: int, **kwargs: Any) -> tuple[int, tuple[float, float, float]]:
    """Book (book(index, **kwargs)); its status and (Python CPU, backend `pid`'s CPU, wall) in s."""
    from bench.booking_cpu import _backend_cpu

    backend, python, wall = _backend_cpu(pid), time.process_time(), time.perf_counter()
    status = book(index, **kwargs)
    wall = time.perf_counter() - wall
    return status, (time.process_time() - python, _backend_cpu(pid) - backend, wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--bookings", type=int, default=11, help="bookings per block")
    parser.add_argument("--rounds", type=int, default=30, help="blocks of each kind (alternating)")
    parser.add_argument("--slots", choices=("same", "halves"), default="same", help="which slots each kind books")
    args = parser.parse_args()
    common.configure(args.database_url)
    from django.db import connection

    from bench.booking_throughput import book_each_once, in_process_booker, undoer

    if connection.vendor != "postgresql":
        print("PostgreSQL only (the backend's CPU is read from /proc)")
        return 2
    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    warm, n = 20, args.bookings
    if args.slots == "halves":
        named, anyone = halves(pool, timedelta(hours=2))
    else:
        named = anyone = list(range(len(pool)))
    if min(len(named), len(anyone)) < warm + args.rounds * n:
        print(f"the pool has {len(named)} and {len(anyone)} slots for the two kinds: ask for fewer bookings")
        return 2
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    undo = undoer()
    figures: Figures = {"named": [], "any": []}
    statuses: dict[str, set[int]] = {"named": set(), "any": set()}
    same_practitioner = 0
    loads = [os.getloadavg()[0]]
    if args.slots == "halves":
        named_slots, any_slots = iter(named), iter(anyone)
        for _ in range(warm):  # imports, prepared statements, the booking function: both paths
            book(next(named_slots))
            book(next(any_slots), anyone=True)
        # The kinds alternate block by block, so that a slow stretch of a shared machine falls on
        # both alike (each pair of blocks is ~0.1 s apart).
        for round_ in range(args.rounds):
            for kind in ("named", "any") if round_ % 2 == 0 else ("any", "named"):
                slots, anyone_ = (named_slots, False) if kind == "named" else (any_slots, True)
                block = []
                for _ in range(n):
                    index = next(slots)
                    status, timed = _timed(pid, book, index, anyone=anyone_)
                    statuses[kind].add(status)
                    block.append(timed)
                figures[kind].append(block)
            if round_ % 10 == 9:
                loads.append(os.getloadavg()[0])
    else:
        for index in range(warm):
            book(index, tag="wn")
            undo()
            book(index, anyone=True, tag="wa")
            undo()
        book_each_once(book, range(warm, warm + args.rounds * n))
        for round_ in range(args.rounds):
            same = range(warm + round_ * n, warm + (round_ + 1) * n)
            for kind in ("named", "any") if round_ % 2 == 0 else ("any", "named"):
                block = []
                for index in same:
                    anyone_ = kind == "any"
                    status, timed = _timed(pid, book, index, anyone=anyone_, tag=kind[0])
                    statuses[kind].add(status)
                    block.append(timed)
                    booked = undo()
                    same_practitioner += anyone_ and booked == [pool[index][1]]
                figures[kind].append(block)
            if round_ % 10 == 9:
                loads.append(os.getloadavg()[0])
    total = args.rounds * n
    print(
        f"slots: {args.slots}; {args.rounds} blocks of {n} bookings of each kind, alternating; statuses: named "
        f"{sorted(statuses['named'])}, any {sorted(statuses['any'])}; load {min(loads):.1f}-{max(loads):.1f}"
    )
    if args.slots == "same":
        print(f"'any practitioner' booked the slot's own (named) practitioner in {same_practitioner} of {total} slots")
    print()
    print(f"{'per booking (ms)':<28} {'Python':>8} {'backend':>8} {'CPU':>8} {'wall':>8} {'wall, median block':>19}")
    per: dict[str, list[float]] = {}
    for kind in ("named", "any"):
        python, backend, wall = (sum(b[i] for block in figures[kind] for b in block) * 1000 / total for i in range(3))
        median = statistics.median(sum(b[2] for b in block) for block in figures[kind]) * 1000 / n
        per[kind] = [python, backend, python + backend, wall, median]
        print(f"{kind:<28} {python:8.2f} {backend:8.2f} {python + backend:8.2f} {wall:8.2f} {median:19.2f}")
    ratios = [other / base for other, base in zip(per["any"], per["named"], strict=True)]
    print(f"{'any / named':<28} {ratios[0]:8.3f} {ratios[1]:8.3f} {ratios[2]:8.3f} {ratios[3]:8.3f} {ratios[4]:19.3f}")
    if args.slots == "same":
        # The same slot, booked by each kind, a block apart.
        bookings = {kind: [b for block in figures[kind] for b in block] for kind in figures}
        for name, i in (("wall", 2), ("Python CPU", 0)):
            each = [a[i] / b[i] for a, b in zip(bookings["any"], bookings["named"], strict=True) if b[i] > 0]
            q = statistics.quantiles(each, n=4)
            print(
                f"any / named, {name}, median over the {len(each)} slots: {statistics.median(each):.3f} "
                f"(quartiles {q[0]:.3f}-{q[2]:.3f})"
            )
    # Each "any" block against the named block next to it (same stretch of machine time).
    pairs = [
        sum(b[2] for b in a) / sum(b[2] for b in b_) for a, b_ in zip(figures["any"], figures["named"], strict=True)
    ]
    paired = statistics.median(pairs)
    quartiles = statistics.quantiles(pairs, n=4)
    print(
        f"any / named, wall, median of the {len(pairs)} paired blocks: {paired:.3f} "
        f"(quartiles {quartiles[0]:.3f}-{quartiles[2]:.3f})"
    )
    print(f"target: an 'any practitioner' booking no slower than a named one: wall {paired:.3f}x", end=" ")
    print("(met)" if paired <= 1.0 else "(NOT met)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
