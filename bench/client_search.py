"""Client search on 100,000 clients, next to a same-run floor (bare SQL).

    uv run python bench/client_search.py                                  # temporary SQLite file
    uv run python bench/client_search.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds one practice with `--clients` clients (100,000 by default; names from a small list, so a
search word matches many rows, as in a real clinic; a phone number each, one in ten without an email
address) and a second practice with as many, so that every query must also keep to its practice.
Then times what the client list does for each search — `find_page(...)` (web/staff/clients.py): the
first page of 50 and the count (capped at 1,000, as the list counts), read together in one statement
by `list_clients` — against a floor: the two queries (count, page) written by hand in SQL and sent
through a bare cursor, as the list read them until December 2026 (bench/README "Client search in one
statement" says why the floor keeps two). Runs are interleaved (floor, list, floor, list, …) so that
load from other processes hits both alike; the ratio is what to compare across machines and commits.
On PostgreSQL it also prints each query's plan, to show the prefix indexes in use. Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

if TYPE_CHECKING:
    from longtide.practice.models import Practice

FIRST = ["Cleo", "Dana", "Eli", "Ada", "Noor", "Iris", "Sam", "Rosa", "Tom", "Lea", "Ben", "Maya", "Jo", "Pia"]
LAST = ["Park", "Reyes", "Moss", "Kent", "Haddad", "Lund", "Ortiz", "Vance", "Ibe", "Chen", "Adeyemi", "Parker"]
# (label, search text, the floor's WHERE clause and its parameters after the practice id)
CASES = [
    (
        "name prefix 'par'",
        "par",
        "(lower(first_name) LIKE %s OR lower(last_name) LIKE %s OR lower(email) LIKE %s)",
        ["par%"] * 3,
    ),
    (
        "two words 'cleo pa'",
        "cleo pa",
        "(lower(first_name) LIKE %s OR lower(last_name) LIKE %s)"
        " AND (lower(first_name) LIKE %s OR lower(last_name) LIKE %s)",
        ["cleo%", "cleo%", "pa%", "pa%"],
    ),
    ("email prefix 'dana.reyes.1'", "dana.reyes.1@", "lower(email) LIKE %s", ["dana.reyes.1@%"]),
    ("phone digits '207555012'", "207 555 012", "phone_digits LIKE %s", ["207555012%"]),
    ("no search (first page)", "", "TRUE", []),
]


def seed(count: int) -> tuple[Practice, Practice]:
    from django.db import connection

    from longtide.clients.models import Client
    from longtide.practice.models import Practice

    rng = random.Random(7)
    practices = []
    for slug in ("search-a", "search-b"):
        Client.objects.filter(practice__slug=slug).delete()
        Practice.objects.filter(slug=slug).delete()
        practice = Practice.objects.create(slug=slug, name=f"Search bench {slug}")
        practices.append(practice)
        batch = []
        for n in range(count):
            first, last = ("Dana", "Reyes") if n == 1 else (rng.choice(FIRST), rng.choice(LAST))
            email = "" if n % 10 == 0 else f"{first}.{last}.{n}@example.invalid".lower()
            phone = f"({rng.choice(['207', '212', '718'])}) 555-{n % 10000:04d}"
            batch.append(Client(practice=practice, first_name=first, last_name=last, email=email, phone=phone))
            if len(batch) == 5000:
                Client.objects.bulk_create(batch)
                batch = []
        Client.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client" if connection.vendor == "postgresql" else "ANALYZE")
    return practices[0], practices[1]


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and this process's CPU milliseconds of one run."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep clients seeded by an earlier run")
    args = parser.parse_args()
    common.configure(args.database_url)

    from django.db import connection

    from longtide.practice.models import Practice
    from longtide.web.staff.clients import find_page

    started = time.perf_counter()
    earlier = Practice.objects.filter(slug="search-a").first()
    if args.reuse and earlier is not None and earlier.clients.count() == args.clients:
        practice = earlier
    else:
        practice, _ = seed(args.clients)
    print(f"seeded 2 x {args.clients} clients on {connection.vendor} in {time.perf_counter() - started:.1f} s")
    # floor: the two queries (count, page); 1-stmt: the list's own single statement through a bare
    # cursor (what is left of the ratio is Python); CPU: this process's, per run (steadier under load).
    print(
        f"{'search':32} {'floor ms':>9} {'list ms':>9} {'ratio':>6} {'1-stmt ms':>9} {'ratio':>6}"
        f" {'floor/list CPU ms':>17} {'matches':>8}"
    )
    for label, text, where, params in CASES:
        sql_count = (
            # The list shows current records only: not merged into another (ClientQuerySet.current).
            "SELECT count(*) FROM (SELECT 1 FROM clients_client "
            f"WHERE practice_id = %s AND merged_into_id IS NULL AND {where} LIMIT 1001) AS s"
        )
        sql_page = (
            "SELECT id, first_name, last_name, email, phone FROM clients_client "
            f"WHERE practice_id = %s AND merged_into_id IS NULL AND {where} ORDER BY last_name, first_name, id LIMIT 50"
        )
        sql_one = (
            "SELECT id, first_name, last_name, email, phone, ("
            + sql_count
            + f") FROM clients_client WHERE practice_id = %s AND merged_into_id IS NULL AND {where}"
            " ORDER BY last_name, first_name, id LIMIT 50"
        )
        values: list[Any] = [practice.pk, *params]

        def floor(sql_count: str = sql_count, sql_page: str = sql_page, values: list[Any] = values) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql_count, values)
                total = cursor.fetchone()[0]
                cursor.execute(sql_page, values)
                cursor.fetchall()
            return int(total)

        def one_statement(sql_one: str = sql_one, values: list[Any] = values) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql_one, values + values)
                rows = cursor.fetchall()
            return int(rows[0][5]) if rows else 0

        def listing(text: str = text) -> int:
            page, _ = find_page(practice, text, 1)  # what the list view does
            list(page.object_list)
            return int(page.paginator.count)

        assert min(floor(), 1000) == min(one_statement(), 1000) == listing(), label  # the same question
        for _ in range(3):
            floor(), one_statement(), listing()
        floors, ones, lists = [], [], []
        for _ in range(args.runs):
            floors.append(timed(floor))
            ones.append(timed(one_statement))
            lists.append(timed(listing))
        f, o, s = (median(t[0] for t in runs) for runs in (floors, ones, lists))
        f_cpu, s_cpu = (median(t[1] for t in runs) for runs in (floors, lists))
        print(
            f"{label:32} {f:9.2f} {s:9.2f} {s / f:6.2f} {o:9.2f} {s / o:6.2f}"
            f" {f'{f_cpu:.2f} / {s_cpu:.2f}':>17} {listing():8d}"
        )
        if connection.vendor == "postgresql" and text:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql_page, values)
                plan = " / ".join(row[0].strip() for row in cursor.fetchall() if "Index" in row[0] or "Scan" in row[0])
            print(f"    plan: {plan[:220]}")


if __name__ == "__main__":
    main()
