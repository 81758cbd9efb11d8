"""A booking's first statement, named against "any practitioner", for the same free slots.

    uv run python bench/booking_first_statement.py --database-url postgres://postgres@127.0.0.1:5432/lt_first
    uv run python bench/booking_first_statement.py --database-url … --slots 40 --rounds 30

The API reads everything a booking needs before its write in one statement
(search.service_and_places with `at`: the service, rooms, rate-limit counts, a reserved id and the
search's inputs for the candidates who may be free then). booking_any.py times whole bookings,
named and "any" on different slots of the pool (an "any" booking takes whoever is free first, so
the two kinds cannot share slots); this times the statement alone on the same slots: for each of
`--slots` free slots of the large clinic (booking_throughput's pool), the statement as a named
booking of the slot's practitioner and as an "any practitioner" booking sends it, captured, then
run `--rounds` times each as the prepared statement the API runs, the kinds interleaved, with the
driver's fetch of the rows (not their conversion to the engine's inputs). Prints the medians and
the ratio any ÷ named. PostgreSQL only (prepared statements). No timed assertions; ~30 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--slots", type=int, default=40, help="free slots, each read named and 'any'")
    parser.add_argument("--rounds", type=int, default=30, help="runs of each captured statement")
    args = parser.parse_args()
    common.configure(args.database_url)
    from django.db import connection
    from django.utils import timezone

    from bench.booking_throughput import _pool
    from longtide import prepared
    from longtide.scheduling import search
    from longtide.scheduling.booking_limits import limits_for

    if connection.vendor != "postgresql":
        print("PostgreSQL only (the statement runs prepared there)")
        return 2
    practice, summary = common.seed(days=365)
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}", flush=True)
    pool = _pool(practice)
    slots = random.Random(1).sample(pool, min(args.slots, len(pool)))
    service_id = practice.services.get().pk
    # The keys the API reads for a booking from one address and email (api/bookings._service_and_places).
    limits = [each.limit for each in limits_for(practice.pk, 0, 0, email="a@example.invalid", address="127.0.0.1")]
    now = timezone.now()
    captured: dict[str, tuple[str, list[Any]]] = {}

    def grab(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured["last"] = (sql, list(params))
        return execute(sql, params, many, context)

    statements: list[tuple[str, tuple[str, list[Any]]]] = []
    for start, practitioner_id in slots:
        for kind, named in (("named", practitioner_id), ("any", None)):
            with connection.execute_wrapper(grab):
                # Twice: the first may read the practice's setup (setup_cache) after it.
                for _ in range(2):
                    search.service_and_places(
                        practice.slug,
                        service_id,
                        practitioner_id=named,
                        limits=limits,
                        now=now,
                        reserve_id=True,
                        versions=False,
                        at=start,
                    )
            statements.append((kind, captured["last"]))
    times: dict[str, list[float]] = {"named": [], "any": []}
    for _ in range(args.rounds):
        for kind, (sql, params) in statements:
            began = time.perf_counter()
            prepared.rows(sql, params)
            times[kind].append(time.perf_counter() - began)
    medians = {kind: statistics.median(values) * 1e6 for kind, values in times.items()}
    print(f"{len(slots)} slots, {args.rounds} runs of each statement, interleaved")
    for kind in ("named", "any"):
        print(f"{kind:<6} median {medians[kind]:7.0f} us")
    print(
        f"any / named: {medians['any'] / medians['named']:.3f} (difference {medians['any'] - medians['named']:.0f} us)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
