"""Concurrent bookings through the JSON API, against a minimal view under the same load, then an overlap audit.

    uv run python bench/booking_throughput.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench
    uv run python bench/booking_throughput.py --server sync:4 --server gthread:2x8 --clients 24 --duration 10
    uv run python bench/booking_throughput.py --server gthread:4x2 --emails queued-only --duration 6 --rounds 3

For each server configuration (`sync:N` = N sync workers, `gthread:NxT` = N workers of T threads):
seed the large clinic afresh (a year of bookings, so the booking horizon holds enough free
time), pick a set of free slots that can all be booked together in any order (distinct
practitioner times; fewer pooled slots overlapping each than rooms free for it), shuffle them,
and start gunicorn on the same database. Then, with the same number of keep-alive client
threads and for the same time each:

  1. baseline: GET a minimal one-query Django JSON view (bench/bench_urls.py) -> requests/s;
  2. bookings: POST /api/v1/p/large/bookings, each thread taking the next distinct slot -> bookings/s.

With `--rounds N` the two phases alternate N times on the same server (baseline, bookings,
baseline, bookings, …): each pair is a ratio taken within the same half-minute, so a machine whose
speed drifts over minutes (as these shared ones do) moves both sides of each ratio alike; the
median of the pairs is reported as well.

Reported: bookings/s and its ratio to the baseline, p50/p99 latency, 409s (a slot lost to a
concurrent booking: rooms are shared), other failures, and overlapping appointments found
afterwards by an SQL self-join (must be 0). No timed assertions.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

# The django-appointment scheduler measured on these 2-core machines (from the issue).
REFERENCE_BOOKINGS_PER_S = 58.0
TARGET_FACTOR = 3.0
# Slots of the pool booked while warming the workers (not counted).
WARM_BOOKINGS = 96


@dataclass
class Load:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    sample_errors: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds over the phase: server, database
    ran_out: bool = False  # the pool of slots ran out before the phase's time was up

    def cpu_ms(self, part: str) -> float:
        """CPU milliseconds per successful request of the server or the database."""
        return self.cpu.get(part, 0.0) * 1000 / self.requests if self.requests else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Result:
    server: str
    baseline: Load
    bookings: Load
    # With --rounds N > 1: every (baseline, bookings) pair, in order; baseline/bookings are the first.
    rounds: list[tuple[Load, Load]]
    pool: int
    overlaps: dict[str, int]
    created_in_db: int
    waits: dict[str, float]
    drain_s: float | None = None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.set_defaults(
        database_url=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longtide_bench")
    )
    parser.add_argument(
        "--server", action="append", help="sync:N or gthread:NxT (repeatable); default sync:4 and gthread:2x4"
    )
    parser.add_argument("--clients", type=int, default=24, help="concurrent keep-alive client threads")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate the baseline and booking phases this many times on the same server "
        "(a ratio per pair, and their median); fewer when the pool of free slots runs out: "
        "raise --days for more",
    )
    parser.add_argument("--days", type=int, default=365, help="days of generated bookings (and booking horizon)")
    parser.add_argument(
        "--history-years",
        type=int,
        default=0,
        help="also copy the seeded bookings back this many years (seed-large's --history-years): "
        "with --days 730, 83 gives ~1M past appointments (issue 13's scaling case)",
    )
    parser.add_argument(
        "--emails",
        action="append",
        choices=["worker", "queued-only"],
        help="worker (production: a `longtide worker` process sends the outbox alongside, on the same machine) "
        "or queued-only (messages are written to the outbox with each booking, nobody sends them); "
        "repeatable (default: both)",
    )
    parser.add_argument(
        "--visitors",
        type=int,
        default=0,
        metavar="N",
        help="bookings come from N visitors' addresses (X-Forwarded-For through one trusted proxy, "
        "PROXY_HOPS=1), as on a deployment behind a reverse proxy; by default every booking comes "
        "from 127.0.0.1, so all of them count against the one per-address limit row",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead: book N slots one at a time in-process (Django test client, no server) and print a "
        "cProfile (cumulative and own time) and the statements per booking",
    )
    args = parser.parse_args()
    servers = args.server or ["sync:4", "gthread:4x2"]
    email_modes = args.emails or ["worker", "queued-only"]

    common.configure(args.database_url)
    if args.visitors:
        os.environ["PROXY_HOPS"] = "1"  # the servers started below trust one proxy's X-Forwarded-For
        _visitors[:] = [f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in range(1, args.visitors + 1)]
    print(f"database: {common.describe_database()}; {common.machine()}")
    if args.profile:
        _profile(args.profile, days=args.days)
        return 0
    results = []
    for spec in servers:
        for emails in email_modes:
            practice, summary = common.seed(days=args.days, history_years=args.history_years)
            # Every request of the bench comes from this machine: lift the per-address booking limit
            # (scheduling/booking_limits.py), which would otherwise answer 429 after the first few.
            type(practice).objects.filter(pk=practice.pk).update(
                online_bookings_per_ip_per_hour=10**9, online_bookings_per_email_per_day=10**9
            )
            pool = _pool(practice)
            print(f"large clinic: {summary}; {len(pool)} distinct free slots to book")
            with _email_mode(emails) as drain:
                result = _run(spec, practice, pool, clients=args.clients, duration=args.duration, rounds=args.rounds)
                result.server += f", emails {emails}"
                result.drain_s = drain()
            results.append(result)
    _report(results, clients=args.clients, duration=args.duration)
    return 0


def _pool(practice: Any) -> list[tuple[datetime, int]]:
    """Return free (start, practitioner) slots that can all be booked together, shuffled."""
    from django.utils import timezone

    from longtide.sampledata.large_clinic import first_seed_day
    from longtide.scheduling.models import OCCUPYING, Appointment
    from longtide.scheduling.search import candidate_practitioners, find_slots, suitable_rooms

    service = practice.services.get()
    # Leave the first day alone: the run takes a while and the 12-hour notice moves with the clock.
    first_day = first_seed_day() + timedelta(days=1)
    found = find_slots(
        practice=practice,
        service=service,
        practitioner_ids=candidate_practitioners(service),
        first_day=first_day,
        last_day=first_day + timedelta(days=practice.booking_horizon_days),
        now=timezone.now(),
    )
    before, after = service.buffer_before, service.buffer_after
    rooms = [room_id for room_id, _, _ in suitable_rooms(service)]
    held: dict[tuple[str, int], tuple[list[datetime], list[datetime]]] = {}

    def free(key: tuple[str, int], start: datetime, end: datetime) -> bool:
        starts, ends = held.setdefault(key, ([], []))
        i = bisect_left(starts, end)
        return i == 0 or ends[i - 1] <= start

    def take(key: tuple[str, int], start: datetime, end: datetime) -> None:
        starts, ends = held[key]
        i = bisect_left(starts, start)
        starts.insert(i, start)
        ends.insert(i, end)

    for room_id, start, end in (
        Appointment.objects.filter(practice=practice, status__in=OCCUPYING)
        .order_by("blocked_start")
        .values_list("room_id", "blocked_start", "blocked_end")
    ):
        held.setdefault(("room", room_id), ([], []))
        take(("room", room_id), start, end)
    # A slot joins the pool only if it stays bookable whatever rooms the other pooled bookings take:
    # the booking takes whichever suitable room is free at the time, so a pooled booking that
    # overlaps it may take any room. With F rooms free for the slot's whole (buffered) time among
    # the existing appointments and k pooled slots overlapping it, k < F leaves it a room in any
    # order of booking. (Giving each pooled slot a room of its own was not enough: the booking
    # chose another, and later slots of the pool answered 409, each costing a search for
    # alternatives that the bookings/s figure never counted.)
    pooled: dict[Any, list[_Pooled]] = {}  # by the day of its start
    pool = []
    for slot in found.slots:
        start, end = slot.start - before, slot.end + after
        if not free(("person", slot.practitioner_id), start, end):
            continue
        rooms_free = sum(1 for r in rooms if free(("room", r), start, end))
        near = [
            other
            for day in (start.date() - timedelta(days=1), start.date(), start.date() + timedelta(days=1))
            for other in pooled.get(day, [])
            if other.start < end and start < other.end
        ]
        if len(near) >= rooms_free or any(other.overlapping + 1 >= other.rooms_free for other in near):
            continue
        for other in near:
            other.overlapping += 1
        pooled.setdefault(start.date(), []).append(_Pooled(start, end, rooms_free, len(near)))
        take(("person", slot.practitioner_id), start, end)
        pool.append((slot.start, slot.practitioner_id))
    random.Random(1).shuffle(pool)
    return pool


@dataclass
class _Pooled:
    """A slot of the pool, as _pool weighs the next: its blocked time, the rooms free for all of it
    among the existing appointments, and how many other pooled slots overlap it."""

    start: datetime
    end: datetime
    rooms_free: int
    overlapping: int


def _profile(n: int, *, days: int) -> None:
    """Book n distinct free slots one after another in-process; print where the time goes."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practice, summary = common.seed(days=days)
    booker, pool = in_process_booker(practice)
    size = len(pool)
    print(f"large clinic: {summary}; {size} distinct free slots to book")
    statuses: Counter[int] = Counter()

    def book(index: int) -> None:
        statuses[booker(index)] += 1

    for i in range(5):
        book(i)
    with CaptureQueriesContext(connection) as queries:
        book(5)
    print(
        f"statements for one named booking over HTTP (BEGIN/COMMIT included where the driver sends them): "
        f"{len(queries)}"
    )
    for q in queries.captured_queries:
        print(f"    {float(q['time']) * 1000:6.2f} ms  {q['sql'][:130]}")
    n = min(n, size - 6)
    profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for the database is not counted
    started = time.perf_counter()
    profiler.enable()
    for i in range(6, 6 + n):
        book(i)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{n} bookings in-process: {elapsed * 1000 / n:.1f} ms each (under cProfile); statuses {dict(statuses)}")
    print("profile of this process's CPU time (waiting for the database excluded)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def _parse(spec: str) -> dict[str, Any]:
    kind, _, size = spec.partition(":")
    if kind == "sync":
        return {"worker_class": "sync", "workers": int(size or 4), "threads": 1}
    if kind == "gthread":
        workers, _, threads = (size or "2x8").partition("x")
        return {"worker_class": "gthread", "workers": int(workers), "threads": int(threads or 8)}
    raise SystemExit(f"--server must be sync:N or gthread:NxT, not {spec!r}")


@contextmanager
def _email_mode(mode: str) -> Iterator[Callable[[], float | None]]:
    """Run an outbox worker process alongside, or none.

    Every booking writes its confirmation to the outbox in its own transaction either way. Yields a
    function that, after the load, waits for the worker to send every message due by then (not the
    reminders queued for later) and returns how long that took (None without a worker): the worker
    shares the two cores with everything else.
    """
    if mode == "queued-only":
        yield lambda: None
        return
    from longtide.notifications.models import Message, State

    log = Path(os.environ["LONGTIDE_DATA_DIR"]) / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "django", "outbox_worker", "--poll", "0.05"],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def drain() -> float | None:
        # Only what is due when the load ends: the messages waiting to be sent now, and those a worker
        # is sending. Reminders queued for later (send_after in the future) are not waited for.
        from django.db.models import Q
        from django.utils import timezone

        due = Q(status=State.PENDING, send_after__lte=timezone.now()) | Q(status=State.SENDING)
        started = time.monotonic()
        while Message.objects.filter(due).exists() and time.monotonic() - started < 300:
            time.sleep(0.2)
        return time.monotonic() - started

    try:
        yield drain
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def spaced(pool: list[tuple[datetime, int]], indices: Iterable[int], gap: timedelta) -> list[int]:
    """Those of the pool's `indices` whose starts are `gap` or more from every one kept before them:
    slots an "any practitioner" booking can take in turn without taking the practitioner of another
    (the first candidate free then may be another slot's practitioner, who would then answer 409)."""
    kept: list[int] = []
    for index in indices:
        if all(abs(pool[index][0] - pool[other][0]) >= gap for other in kept):
            kept.append(index)
    return kept


def in_process_booker(practice: Any) -> tuple[Callable[..., int], list[tuple[datetime, int]]]:
    """For the in-process benches: lift the practice's booking limits, pick the pool of free slots
    (as _pool) and return a function booking the pool's slot `index` over the JSON API with the
    Django test client (its status code; `anyone=True`: the slot's time with "any practitioner";
    the client's e-mail is tag.index@example.invalid, a new client per `tag`), and the pool:
    (start, practitioner id) per slot."""
    from django.test import Client

    type(practice).objects.filter(pk=practice.pk).update(
        online_bookings_per_ip_per_hour=10**9, online_bookings_per_email_per_day=10**9
    )
    pool = _pool(practice)
    service_id = practice.services.get().pk
    zone = practice.locations.get().zone
    client = Client()

    def book(index: int, *, anyone: bool = False, tag: str = "c") -> int:
        start, practitioner = pool[index]
        payload = {
            "service": service_id,
            "practitioner": "any" if anyone else practitioner,
            "start": start.astimezone(zone).isoformat(),
            "client": {"first_name": "Load", "last_name": f"Tester {index}", "email": f"{tag}.{index}@example.invalid"},
        }
        return client.post(f"/api/v1/p/{practice.slug}/bookings", payload, content_type="application/json").status_code

    return book, pool


def undoer() -> Callable[[], list[int]]:
    """For the in-process benches that book the same slots again: a function deleting every
    appointment made since this call (uncounted work between bookings, so that the next one finds
    the clinic as it was) and returning their practitioners, in the order they were made."""
    from longtide.scheduling.models import Appointment

    mark = Appointment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def undo() -> list[int]:
        made = Appointment.objects.filter(pk__gt=mark)
        booked = list(made.order_by("pk").values_list("practitioner_id", flat=True))
        made.delete()
        return booked

    return undo


def book_each_once(book: Callable[..., int], indices: Iterable[int], *, tag: str = "w") -> None:
    """For the in-process benches that measure the same slots again: book each slot once and delete
    it again, uncounted. What a process keeps per weekly time and per day (the setup's
    search._covering answers, availability._calendar) is then kept before the measuring, for both
    kinds alike, as in a server that has run a while; else the first kind or phase on a slot would
    pay for what the later ones reuse."""
    undo = undoer()
    for index in indices:
        book(index, tag=tag)
        undo()


def _run(
    spec: str, practice: Any, pool: list[tuple[datetime, int]], *, clients: int, duration: float, rounds: int = 1
) -> Result:
    from longtide.scheduling.models import Appointment

    service_id = practice.services.get().pk
    zone = practice.locations.get().zone
    with common.gunicorn(**_parse(spec)) as server:
        minimal = f"/bench/minimal/{practice.slug}"
        bookings = f"/api/v1/p/{practice.slug}/bookings"
        # Warm every worker on both paths, so that each phase measures the steady state: the
        # minimal view, and real bookings (of slots set apart for it, not counted; each keep-alive
        # connection stays with one worker, so every worker books some) — a worker's first
        # bookings pay one-off costs (imports, compiled patterns, prepared statements) that the
        # minimal view's warm-up does not reach.
        warm, pool = pool[:WARM_BOOKINGS], pool[WARM_BOOKINGS:]
        warming = itertools.count()

        def warm_up(client: common.Client, n: int) -> tuple[int, bytes] | None:
            if n % 2 == 0:
                return client.get(minimal)
            index = next(warming)
            return _book(client, bookings, service_id, zone, warm, index, "Warm") if index < len(warm) else None

        _load(server.port, clients=clients, duration=2.0, request=warm_up)
        before = Appointment.objects.filter(practice=practice).count()
        counter = itertools.count()

        def book(client: common.Client, n: int) -> tuple[int, bytes] | None:
            index = next(counter)
            return _book(client, bookings, service_id, zone, pool, index, "Load") if index < len(pool) else None

        pairs: list[tuple[Load, Load]] = []
        waits: dict[str, float] = {}
        for _round in range(max(1, rounds)):
            # The backends are sampled in both phases (the booking phase's are reported): the
            # sampler's queries and its thread cost the machine the same in each.
            with _sampling_backends():
                before_cpu = common.cpu_seconds(server.process.pid)
                baseline = _load(server.port, clients=clients, duration=duration, request=lambda c, n: c.get(minimal))
                baseline.cpu = _minus(common.cpu_seconds(server.process.pid), before_cpu)
            with _sampling_backends() as sampled:
                before_cpu = common.cpu_seconds(server.process.pid)
                booked = _load(server.port, clients=clients, duration=duration, request=book)
                booked.cpu = _minus(common.cpu_seconds(server.process.pid), before_cpu)
            pairs.append((baseline, booked))
            if not waits:
                waits = sampled
            if sum(sum(b.statuses.values()) for _, b in pairs) >= len(pool):
                break  # every slot of the pool tried: a further round would book nothing (_report says so)
        description = server.description
    created = Appointment.objects.filter(practice=practice).count() - before
    first_baseline, first_booked = pairs[0]
    return Result(description, first_baseline, first_booked, pairs, len(pool), _overlaps(practice), created, waits)


# --visitors: the addresses the bookings come from, in turn (empty: the connection's own).
_visitors: list[str] = []


def _book(
    client: common.Client, url: str, service_id: int, zone: Any, pool: list[tuple[datetime, int]], index: int, who: str
) -> tuple[int, bytes]:
    start, practitioner = pool[index]
    headers = {"X-Forwarded-For": _visitors[index % len(_visitors)]} if _visitors else {}
    return client.post_json(
        url,
        {
            "service": service_id,
            "practitioner": practitioner,
            "start": start.astimezone(zone).isoformat(),
            "client": {
                "first_name": who,
                "last_name": f"Tester {index}",
                "email": f"{who.lower()}.tester.{index}@example.invalid",
            },
        },
        headers,
    )


def _minus(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    # A backend that went away during the phase takes its CPU with it: both ends are taken while
    # the server's persistent connections are open, so this undercounts only closed connections.
    return {key: max(0.0, after[key] - before.get(key, 0.0)) for key in after}


@contextmanager
def _sampling_backends() -> Iterator[dict[str, float]]:
    """Sample what the server's PostgreSQL backends are doing every 20 ms; yield the mean counts (filled at exit)."""
    from django.db import connection

    waits: dict[str, float] = {}
    if connection.vendor != "postgresql":
        yield waits
        return
    import psycopg

    stop = threading.Event()
    samples: list[Counter[str]] = []

    def sample() -> None:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
                ).fetchall()
                samples.append(
                    Counter(
                        "waiting on a booking lock"
                        if event == "advisory"
                        else "running a statement"
                        if kind is None
                        else f"waiting ({kind})"
                        for kind, event in rows
                    )
                )
                time.sleep(0.02)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        yield waits
    finally:
        stop.set()
        thread.join()
        for counter in samples:
            for key, n in counter.items():
                waits[key] = waits.get(key, 0) + n / len(samples)


def _load(port: int, *, clients: int, duration: float, request: Any) -> Load:
    """Run `clients` threads, each with its own keep-alive connection, for `duration` seconds."""
    load = Load()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + duration
    finished: list[float] = []

    def worker() -> None:
        client = common.Client(port)
        n = 0
        mine: list[tuple[float, int, bytes]] = []
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                answer = request(client, n)
                if answer is None:
                    load.ran_out = True
                    break
                mine.append(((time.perf_counter() - t0) * 1000, answer[0], answer[1]))
                n += 1
        finally:
            client.close()
            with lock:
                finished.append(time.perf_counter())
                for latency, status, body in mine:
                    load.latencies.append(latency)
                    load.statuses[status] += 1
                    if status not in (200, 201, 409) and len(load.sample_errors) < 3:
                        load.sample_errors.append(f"{status}: {body[:200]!r}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = max(finished) - started
    load.requests = load.statuses[200] + load.statuses[201]
    return load


def _overlaps(practice: Any) -> dict[str, int]:
    """Count occupying appointments whose blocked range overlaps an earlier one's (by start) of the
    same practitioner, and of the same room: 0 exactly when no two overlap.

    One ordered pass per column (the latest end among the earlier appointments, a window function),
    not a self-join: at ~1M appointments (--history-years) the join compared every pair of a room's
    ~180k rows and did not finish."""
    from django.db import connection

    from longtide.scheduling.models import OCCUPYING

    states = ", ".join(["%s"] * len(OCCUPYING))
    counts = {}
    with connection.cursor() as cursor:
        for column in ("practitioner_id", "room_id"):
            cursor.execute(
                "SELECT count(*) FROM (SELECT blocked_start, max(blocked_end) OVER ("
                f"PARTITION BY {column} ORDER BY blocked_start, id "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end "
                f"FROM scheduling_appointment WHERE practice_id = %s AND status IN ({states})) AS ordered "
                "WHERE latest_end > blocked_start",
                [practice.pk, *OCCUPYING],
            )
            counts[column.removesuffix("_id")] = cursor.fetchone()[0]
    return counts


def _taken(r: Result) -> int:
    """Slots of the pool taken (booked or lost to a concurrent booking) over every booking phase."""
    return sum(b.statuses[201] + b.statuses[409] for _, b in r.rounds)


def _report(results: list[Result], *, clients: int, duration: float) -> None:
    print()
    print(f"{clients} keep-alive client threads, {duration:.0f} s per phase, same server for both phases")
    header = (
        f"{'server':<38} {'minimal req/s':>13} {'bookings/s':>10} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'201':>5} {'409':>5} {'other':>5} {'overlaps':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for k, (base, b) in enumerate(r.rounds):
            other = sum(n for status, n in b.statuses.items() if status not in (201, 409))
            overlaps = r.overlaps["practitioner"] + r.overlaps["room"]
            name = f"{r.server} [{k + 1}/{len(r.rounds)}]" if len(r.rounds) > 1 else r.server
            name += " (pool ran out)" if b.ran_out else ""
            print(
                f"{name:<38} {base.rate:>13.1f} {b.rate:>10.1f} {b.rate / base.rate:>6.3f} "
                f"{common.percentile(b.latencies, 50):>7.1f} {common.percentile(b.latencies, 99):>7.1f} "
                f"{b.statuses[201]:>5} {b.statuses[409]:>5} {other:>5} {overlaps:>8}"
            )
        # A phase cut short by the end of the pool is a burst, not a steady state: it stays out of the median.
        ratios = sorted(b.rate / base.rate for base, b in r.rounds if not b.ran_out)
        if len(r.rounds) > 1 and ratios:
            print(
                f"{r.server}: median ratio of the {len(ratios)} same-server pairs {statistics.median(ratios):.3f} "
                f"(range {ratios[0]:.3f}-{ratios[-1]:.3f})"
                + ("" if len(ratios) == len(r.rounds) else ", full phases only")
            )
    print()
    for r in results:
        base = r.baseline
        print(
            f"{r.server}: minimal view p50 {common.percentile(base.latencies, 50):.1f} ms, "
            f"p99 {common.percentile(base.latencies, 99):.1f} ms; bookings: {r.created_in_db} new rows "
            f"(pool {r.pool}{', exhausted' if _taken(r) >= r.pool else ''}); "
            f"overlaps per practitioner {r.overlaps['practitioner']}, per room {r.overlaps['room']}"
        )
        for k, (base, b) in enumerate(r.rounds):
            if not (base.cpu and b.cpu):
                continue
            per_booking = b.cpu_ms("server") + b.cpu_ms("database")
            per_minimal = base.cpu_ms("server") + base.cpu_ms("database")
            label = f"round {k + 1}: " if len(r.rounds) > 1 else ""
            print(
                f"  {label}CPU per request (server + database): minimal view {base.cpu_ms('server'):.2f} + "
                f"{base.cpu_ms('database'):.2f} ms, booking {b.cpu_ms('server'):.2f} + {b.cpu_ms('database'):.2f} ms; "
                f"CPU ratio {per_minimal / per_booking:.3f} (what the requests/s ratio would be if CPU were all)"
            )
        if r.drain_s is not None:
            print(f"  outbox: the worker finished the backlog {r.drain_s:.1f} s after the booking phase ended")
        if r.waits:
            busy = ", ".join(f"{n:.1f} {what}" for what, n in sorted(r.waits.items(), key=lambda kv: -kv[1]))
            print(f"  PostgreSQL backends during the booking phase (mean of 20 ms samples): {busy}")
        for error in r.bookings.sample_errors + base.sample_errors:
            print(f"  e.g. {error}")
    best = max(b.rate for r in results for _, b in r.rounds)
    target = REFERENCE_BOOKINGS_PER_S * TARGET_FACTOR
    print()
    print(
        f"reference: django-appointment ~{REFERENCE_BOOKINGS_PER_S:.0f} bookings/s on these 2-core machines; "
        f"target >= {TARGET_FACTOR:.0f}x = {target:.0f}/s; best here {best:.1f}/s = "
        f"{best / REFERENCE_BOOKINGS_PER_S:.2f}x the reference ({'met' if best >= target else 'NOT met'})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
