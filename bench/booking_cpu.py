"""CPU per named booking over the JSON API, in-process: this process's and its PostgreSQL backend's.

    uv run python bench/booking_cpu.py --database-url postgres://postgres@127.0.0.1:5432/lt_book_bench
    uv run python bench/booking_cpu.py --database-url … --profile   # plus a cProfile of one more round

Seeds the large clinic afresh, then books distinct free slots one at a time with the Django test
client (no server), in rounds, and prints for each round the Python CPU (time.process_time) and the
CPU of the connection's PostgreSQL backend (/proc/<pid>/stat; a local server only) per booking.
Steadier than wall-clock ratios on a shared machine; no timed assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--bookings", type=int, default=150, help="bookings per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the rounds, book one more round under cProfile (CPU time) and print the top costs",
    )
    parser.add_argument("--top", type=int, default=40, help="rows of each profile table (with --profile)")
    parser.add_argument("--profile-out", default=None, help="also write the profile there (pstats format)")
    args = parser.parse_args()
    common.configure(args.database_url)
    from django.db import connection

    from bench.booking_throughput import in_process_booker

    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    pool_size = len(pool)
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}")
    warm = 10
    for index in range(warm):
        book(index)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    n = min(args.bookings, (pool_size - warm) // max(1, args.rounds + args.profile))
    for round_ in range(args.rounds):
        backend, python = _backend_cpu(pid), time.process_time()
        statuses = [book(i) for i in range(warm + round_ * n, warm + (round_ + 1) * n)]
        backend, python = _backend_cpu(pid) - backend, time.process_time() - python
        print(
            f"round {round_ + 1}: {n} bookings, statuses {sorted(set(statuses))}: Python {python * 1000 / n:.2f} ms, "
            f"PostgreSQL backend {backend * 1000 / n:.2f} ms per booking; load {os.getloadavg()[0]:.1f}"
        )
    if args.profile:
        import cProfile
        import pstats

        first = warm + args.rounds * n
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for the database is not counted
        python = time.process_time()
        profiler.enable()
        statuses = [book(i) for i in range(first, first + n)]
        profiler.disable()
        python = time.process_time() - python
        print(
            f"profiled round: {n} bookings, statuses {sorted(set(statuses))}: Python {python * 1000 / n:.2f} ms "
            f"per booking under cProfile; load {os.getloadavg()[0]:.1f}"
        )
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
