"""Availability search on the large clinic, each path next to its floor measured in the same run.

    uv run python bench/availability.py                      # a temporary SQLite file
    uv run python bench/availability.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic (seed_large_clinic's defaults), starts gunicorn (1 sync worker) on the same
database, and times three searches, interleaved round by round, after a warm-up:

  a) one practitioner, 1 day     b) one practitioner, 30 days     c) any practitioner, 30 days

Each through the action (candidate_practitioners + find_slots) with the bare SQL fetch of the
same rows as its floor, and through GET /api/v1/p/large/availability with a minimal Django JSON
view on the same server as its floor. Also the engine alone (free_slots on the inputs find_slots
built) and the queries per search. Ratios only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


@dataclass
class Case:
    name: str
    practitioner: Any | None  # None: any practitioner
    first_day: date
    last_day: date
    action: Callable[[], Any] = field(init=False)
    sql: Callable[[], Any] = field(init=False)
    engine: Callable[[], Any] = field(init=False)
    url: str = field(init=False)
    queries: int = 0
    http_queries: int = 0
    slots: int = 0
    rows: int = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement (after warm-up)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the large clinic a previous run seeded (seeded the same day), e.g. with its history",
    )
    parser.add_argument(
        "--history-years",
        type=float,
        default=0,
        help="also copy the seeded bookings back this many years (seed-large's --history-years): "
        "~90 gives the 20-practitioner clinic about a million appointments",
    )
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the slowest action")
    parser.add_argument(
        "--profile-http",
        action="store_true",
        help="only print cProfiles of the endpoint in-process (test client), for cases a) and c), and exit",
    )
    args = parser.parse_args()

    common.configure(args.database_url)
    from longtide.practice.models import Practice
    from longtide.scheduling.models import Appointment

    earlier = Practice.objects.filter(slug=common.SLUG).first() if args.reuse else None
    if earlier is not None:
        practice = earlier
        summary = f"reused: {Appointment.objects.filter(practice=practice).count()} appointments in all"
    else:
        practice, summary = common.seed(history_years=args.history_years)
    print(f"database: {common.describe_database()}; {common.machine()}")
    print(f"large clinic: {summary}")

    from django.utils import timezone

    from longtide.sampledata.large_clinic import first_seed_day

    service = practice.services.get()
    person = practice.practitioners.order_by("sort_order").first()
    assert person is not None, "the large clinic has practitioners"
    start = first_seed_day() + timedelta(days=1)  # clear of the 12-hour minimum notice
    day = _freest_day(practice, service, person, start)
    cases = [
        Case("a) 1 practitioner, 1 day", person, day, day),
        Case("b) 1 practitioner, 30 days", person, start, start + timedelta(days=29)),
        Case("c) any practitioner, 30 days", None, start, start + timedelta(days=29)),
    ]
    for case in cases:
        _prepare(case, practice, service)

    if args.profile_http:
        for case in (cases[0], cases[-1]):
            _profile_http(case)
        return 0

    with common.gunicorn(workers=1, worker_class="sync") as server:
        client = common.Client(server.port)
        for case in cases:
            status, body = client.get(case.url)
            assert status == 200, (status, body[:300])
            served = len(json.loads(body)["slots"])
            # The server's clock moved on a little; a slot may have crossed the notice line.
            assert abs(served - case.slots) <= 2, (case.name, served, case.slots)
        minimal = f"/bench/minimal/{common.SLUG}"
        measures: dict[str, Callable[[], Any]] = {"minimal view": lambda: client.get(minimal)}
        for case in cases:
            measures[f"{case.name}|action"] = case.action
            measures[f"{case.name}|sql"] = case.sql
            measures[f"{case.name}|engine"] = case.engine

            def get(url: str = case.url) -> object:
                return client.get(url)

            measures[f"{case.name}|http"] = get
        times = _measure(measures, runs=args.runs, warmup=args.warmup)
        client.close()
        print(
            f"server: {server.description}, keep-alive client (http.client); "
            f"{args.runs} runs after {args.warmup} warm-up, interleaved"
        )
        print(f"now: {timezone.now():%Y-%m-%d %H:%M} UTC; searches from {start} (practitioner {person.pk}, day {day})")

    _report(cases, times)
    if args.profile:
        _profile(cases[-1])
    return 0


def _freest_day(practice: Any, service: Any, person: Any, start: date) -> date:
    """Return the day in the two weeks from `start` with the most free slots for the practitioner."""
    from django.utils import timezone

    from longtide.scheduling.search import find_slots

    found = find_slots(
        practice=practice,
        service=service,
        practitioner_ids=[person.pk],
        first_day=start,
        last_day=start + timedelta(days=13),
        now=timezone.now(),
    )
    zone = practice.locations.get().zone
    days = sorted(slot.start.astimezone(zone).date() for slot in found.slots)
    return max(days, key=days.count) if days else start


def _prepare(case: Case, practice: Any, service: Any) -> None:
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from longtide.scheduling import availability
    from longtide.scheduling.search import candidate_practitioners, find_slots, suitable_rooms

    def action() -> Any:
        ids = candidate_practitioners(service, practitioner=case.practitioner)
        return find_slots(
            practice=practice,
            service=service,
            practitioner_ids=ids,
            first_day=case.first_day,
            last_day=case.last_day,
            now=timezone.now(),
            any_practitioner=case.practitioner is None,
        )

    case.action = action
    with CaptureQueriesContext(connection) as queries:
        found = action()
    case.queries = len(queries)
    case.slots = len(found.slots)

    # The engine alone: capture the inputs find_slots hands it, then replay them.
    captured: list[dict[str, Any]] = []
    original = availability.free_slots

    def spy(**kwargs: Any) -> Any:
        captured.append(kwargs)
        return original(**kwargs)

    availability.free_slots = spy  # the module search.py calls it through
    try:
        action()
    finally:
        availability.free_slots = original
    case.engine = lambda: [original(**kwargs) for kwargs in captured]

    ids = candidate_practitioners(service, practitioner=case.practitioner)
    room_ids = [room_id for room_id, _, _ in suitable_rooms(service)]
    case.sql = _bare_sql(ids, room_ids, case.first_day, case.last_day)
    case.rows = sum(len(rows) for rows in case.sql())

    who = "any" if case.practitioner is None else str(case.practitioner.pk)
    case.url = (
        f"/api/v1/p/{practice.slug}/availability?service={service.pk}"
        f"&start={case.first_day}&end={case.last_day}&practitioner={who}"
    )
    with CaptureQueriesContext(connection) as queries:
        response = TestClient().get(case.url)
    assert response.status_code == 200, response.content[:300]
    case.http_queries = len(queries)


def _bare_sql(ids: list[int], room_ids: list[int], first_day: date, last_day: date) -> Callable[[], list[list[Any]]]:
    """Return a function fetching the rows find_slots reads, with the driver's own cursor and no ORM."""
    from datetime import UTC, datetime, time

    from django.db import connection

    from longtide.scheduling.models import MAX_BLOCK, OCCUPYING
    from longtide.scheduling.search import MARGIN

    ops = connection.ops
    range_start = ops.adapt_datetimefield_value(datetime.combine(first_day, time.min, UTC) - MARGIN)
    range_end = ops.adapt_datetimefield_value(datetime.combine(last_day + timedelta(days=1), time.min, UTC) + MARGIN)
    lower_bound = ops.adapt_datetimefield_value(datetime.combine(first_day, time.min, UTC) - MARGIN - MAX_BLOCK)
    people = ", ".join(["%s"] * len(ids))
    rooms = ", ".join(["%s"] * len(room_ids))
    states = ", ".join(["%s"] * len(OCCUPYING))
    statements = [
        (
            "SELECT practitioner_id, location_id, weekday, start_time, end_time FROM scheduling_workinghours "
            f"WHERE practitioner_id IN ({people})",
            [*ids],
        ),
        (
            "SELECT practitioner_id, location_id, date, available, start_time, end_time "
            f"FROM scheduling_hoursexception WHERE practitioner_id IN ({people}) AND date >= %s AND date <= %s",
            [*ids, ops.adapt_datefield_value(first_day - MARGIN), ops.adapt_datefield_value(last_day + MARGIN)],
        ),
        (
            'SELECT practitioner_id, start, "end" FROM scheduling_timeoff '
            f'WHERE practitioner_id IN ({people}) AND start < %s AND "end" > %s',
            [*ids, range_end, range_start],
        ),
        (
            # The same rows as the action's: the practitioners' appointments, then the others in the
            # rooms, each branch a range scan bounded below (no appointment holds MAX_BLOCK or more;
            # without that bound both scan every earlier row, which at 1M appointments is most of them).
            "SELECT practitioner_id, room_id, blocked_start, blocked_end FROM scheduling_appointment "
            f"WHERE practitioner_id IN ({people}) AND status IN ({states}) "
            "AND blocked_start < %s AND blocked_start > %s AND blocked_end > %s "
            "UNION ALL SELECT practitioner_id, room_id, blocked_start, blocked_end FROM scheduling_appointment "
            f"WHERE room_id IN ({rooms}) AND practitioner_id NOT IN ({people}) AND status IN ({states}) "
            "AND blocked_start < %s AND blocked_start > %s AND blocked_end > %s",
            [
                *ids,
                *(str(s) for s in OCCUPYING),
                range_end,
                lower_bound,
                range_start,
                *room_ids,
                *ids,
                *(str(s) for s in OCCUPYING),
                range_end,
                lower_bound,
                range_start,
            ],
        ),
    ]
    if connection.vendor == "sqlite":
        statements = [(sql.replace("%s", "?"), params) for sql, params in statements]
    connection.ensure_connection()

    def fetch() -> list[list[Any]]:
        cursor = connection.connection.cursor()  # the driver's cursor, not Django's wrapper
        try:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
            return results
        finally:
            cursor.close()

    return fetch


def _measure(measures: dict[str, Callable[[], Any]], *, runs: int, warmup: int) -> dict[str, list[float]]:
    for _ in range(warmup):
        for fn in measures.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, fn in measures.items():
            times[name].append(common.timed(fn))
    return times


def _report(cases: list[Case], times: dict[str, list[float]]) -> None:
    med = {name: common.median(samples) for name, samples in times.items()}
    p90 = {name: common.percentile(samples, 90) for name, samples in times.items()}
    minimal = med["minimal view"]
    header = f"{'case':<30} {'path':<22} {'median ms':>10} {'p90 ms':>8} {'floor':<14} {'floor ms':>9} {'ratio':>7}"
    print()
    print(header)
    print("-" * len(header))
    print(f"{'(floor) minimal view':<30} {'GET one-query JSON':<22} {minimal:>10.2f} {p90['minimal view']:>8.2f}")
    for case in cases:
        sql = med[f"{case.name}|sql"]
        rows = [
            ("action (find_slots)", "action", "bare SQL", sql),
            ("engine (free_slots)", "engine", "", None),
            ("bare SQL fetch", "sql", "", None),
            ("HTTP endpoint", "http", "minimal view", minimal),
        ]
        for label, key, floor_name, floor in rows:
            name = f"{case.name}|{key}"
            ratio = f"{med[name] / floor:>6.2f}x" if floor else ""
            floor_text = f"{floor:>9.2f}" if floor else ""
            print(
                f"{case.name:<30} {label:<22} {med[name]:>10.2f} {p90[name]:>8.2f} "
                f"{floor_name:<14} {floor_text:>9} {ratio:>7}"
            )
    print()
    print("where the time goes (medians, ms)")
    header = (
        f"{'case':<30} {'slots':>6} {'rows':>6} {'queries':>7} {'http q':>6} {'SQL':>7} {'glue':>7} "
        f"{'engine':>7} {'action':>7} {'HTTP-action':>11}"
    )
    print(header)
    print("-" * len(header))
    for case in cases:
        sql, engine = med[f"{case.name}|sql"], med[f"{case.name}|engine"]
        action, http = med[f"{case.name}|action"], med[f"{case.name}|http"]
        print(
            f"{case.name:<30} {case.slots:>6} {case.rows:>6} {case.queries:>7} {case.http_queries:>6} {sql:>7.2f} "
            f"{action - sql - engine:>7.2f} {engine:>7.2f} {action:>7.2f} {http - action:>11.2f}"
        )
    print("  glue = action - SQL - engine: the ORM, building intervals and schedules; HTTP-action: routing,")
    print("  validation, the endpoint's own queries, JSON and the round trip.")
    print()
    whole = cases[-1]
    action_ratio = med[f"{whole.name}|action"] / med[f"{whole.name}|sql"]
    print(
        f"target: whole-clinic 30-day search within 5x of its bare SQL fetch: {action_ratio:.2f}x "
        f"{'(met)' if action_ratio <= 5 else '(NOT met)'}"
    )
    # Issue 13: one practitioner / 1 day within 1.5x of the minimal JSON view, the whole clinic / 30
    # days within 3x; the issue sets no target for one practitioner / 30 days (shown against 3x).
    limits = {cases[0].name: 1.5, cases[-1].name: 3.0}
    for case in cases:
        http_ratio = med[f"{case.name}|http"] / minimal
        limit = limits.get(case.name, 3.0)
        print(
            f"target: HTTP endpoint within {limit:g}x of the minimal view, {case.name}: {http_ratio:.2f}x "
            f"{'(met)' if http_ratio <= limit else '(NOT met)'}"
        )


def _profile(case: Case) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        case.action()
    profiler.disable()
    print(f"\ncProfile of 20 x {case.name} (action)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def _profile_http(case: Case, runs: int = 50) -> None:
    import cProfile
    import pstats

    from django.test import Client as TestClient

    client = TestClient()
    minimal = f"/bench/minimal/{common.SLUG}"
    for _ in range(5):
        client.get(case.url)
        client.get(minimal)
    # CPU time of this process (waiting for the database excluded), which other load inflates less
    # than wall time: per request, in rounds that alternate the two paths, the median over the
    # rounds; plus (PostgreSQL on this machine) the CPU of this connection's backend, which parses,
    # plans and runs the statements, summed over all rounds (/proc counts it in 10 ms ticks).
    backend = _backend_cpu_reader()
    rounds, per_round = 12, runs
    cpu: dict[str, list[float]] = {"minimal view": [], case.name: []}
    db = {"minimal view": 0.0, case.name: 0.0}
    paths = [("minimal view", minimal), (case.name, case.url)]
    for round_no in range(rounds):
        for name, url in paths if round_no % 2 == 0 else paths[::-1]:
            started, db_started = time.process_time(), backend()
            for _ in range(per_round):
                client.get(url)
            cpu[name].append((time.process_time() - started) / per_round * 1000)
            db[name] += backend() - db_started
    med = {name: common.median(values) for name, values in cpu.items()}
    per_db = {name: seconds / (rounds * per_round) * 1000 for name, seconds in db.items()}
    print(
        f"\nCPU per request in-process (test client; median of {rounds} alternating rounds of {per_round}): "
        f"minimal view {med['minimal view']:.2f} ms, {case.name} {med[case.name]:.2f} ms, "
        f"ratio {med[case.name] / med['minimal view']:.2f}"
    )
    if any(per_db.values()):
        both = {name: med[name] + per_db[name] for name in med}
        print(
            f"  + its PostgreSQL backend's CPU (mean): minimal view {per_db['minimal view']:.2f} ms, "
            f"{case.name} {per_db[case.name]:.2f} ms; together {both['minimal view']:.2f} vs "
            f"{both[case.name]:.2f} ms, ratio {both[case.name] / both['minimal view']:.2f}"
        )
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(runs):
        client.get(case.url)
    profiler.disable()
    print(f"cProfile of {runs} x {case.name} (the endpoint in-process, Django test client, CPU time)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def _backend_cpu_reader() -> Callable[[], float]:
    """A clock of the CPU seconds this process's PostgreSQL backend has used (/proc, on this
    machine only), or one that reads 0 (SQLite, a remote server, no /proc)."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), inet_server_addr()")
        pid, address = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")
    if address not in (None, "127.0.0.1", "::1") or not stat.exists():
        return lambda: 0.0
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return read


if __name__ == "__main__":
    raise SystemExit(main())
