"""Shared benchmark plumbing: database setup, seeding, a gunicorn server, a keep-alive client, statistics."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTINGS = "bench.bench_settings"
SLUG = "large"


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgres://postgres@127.0.0.1:5432/longtide_bench (created if missing); "
        "default: a temporary SQLite file",
    )


def configure(database_url: str | None) -> str:
    """Point Django (and the servers started later) at the database, create it if needed, migrate."""
    data_dir = tempfile.mkdtemp(prefix="longtide-bench-")
    if database_url is None:
        database_url = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["LONGTIDE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    if database_url.startswith(("postgres://", "postgresql://")):
        _create_postgres_database(database_url)
    # Migrated by a process of its own, as a deployment does (`longtide migrate`, then the server):
    # rendering the migrations' historical models in this process modifies Django's Field classes
    # past CPython 3.13's limit of type versions per class, after which every attribute look-up
    # on a field misses the type cache, which a server process never suffers (~2-3 % of an
    # in-process booking's instructions; bench/README "Bookings: a pool bookable in any order").
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input", "--verbosity", "0"], check=True, env=dict(os.environ)
    )
    import django

    django.setup()
    return database_url


def _create_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(**overrides: Any) -> tuple[Any, str]:
    """Seed the large clinic (the generator's defaults unless overridden); return it and a summary line."""
    from datetime import timedelta

    from django.db import connection

    from longtide.sampledata.large_clinic import achieved_fill, first_seed_day, seed_large_clinic
    from longtide.scheduling.models import OCCUPYING, Appointment

    args: dict[str, Any] = {
        "slug": SLUG,
        "practitioners": 20,
        "rooms": 6,
        "days": 90,
        "fill": 0.6,
        "step": 15,
        "seed": 1,
    }
    history_years = overrides.pop("history_years", 0)
    args.update(overrides)
    first_day = first_seed_day()
    started = time.perf_counter()
    practice = seed_large_clinic(**args, first_day=first_day)
    history = ""
    if history_years:
        from longtide.sampledata.large_clinic import add_history

        added = add_history(practice, years=history_years, first_day=first_day, days=args["days"])
        history = f", +{added} past appointments ({history_years} years of history)"
    elapsed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Fresh tables have no planner statistics until autovacuum runs; a live database has them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    booked = Appointment.objects.filter(practice=practice, status__in=OCCUPYING).count()
    fill = achieved_fill(practice, first_day, first_day + timedelta(days=args["days"] - 1))
    summary = (
        f"{args['practitioners']} practitioners, {args['rooms']} rooms, {booked} appointments over "
        f"{args['days']} days, fill {fill:.2f}{history}; seeded in {elapsed:.1f} s"
    )
    return practice, summary


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (temporary file, WAL)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    description: str


@contextmanager
def gunicorn(*, workers: int = 1, worker_class: str = "sync", threads: int = 1) -> Iterator[Server]:
    """Run gunicorn on 127.0.0.1 with the bench settings and the same DATABASE_URL; stop it afterwards."""
    port = free_port()
    log = Path(os.environ["LONGTIDE_DATA_DIR"]) / f"gunicorn-{port}.log"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "longtide.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log),
        "--backlog",
        "256",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, process, log, f"gunicorn {worker_class}, {workers} worker(s) x {threads} thread(s)")
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {server.log}:\n{server.log.read_text()[-2000:]}")
        try:
            client = Client(server.port)
            status, _ = client.get(f"/bench/minimal/{SLUG}")
            client.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {server.log}")


class Client:
    """A persistent HTTP/1.1 connection (http.client reconnects when a sync worker closes it)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        return self._request("GET", path, None, {})

    def post_json(self, path: str, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        body = json.dumps(payload).encode()
        return self._request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})

    def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection between requests: reconnect once.
                self.connection.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def cpu_seconds(root_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the process tree under `root_pid` (the server)
    and by the PostgreSQL backends connected to this database (its connections), from /proc.

    Differences of these over a phase give CPU per request, which other load on the machine
    inflates far less than wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(entry)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / tick)
    tree = {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    backends = _database_backends()
    return {
        "server": sum(stats[pid][2] for pid in tree if pid in stats),
        "database": sum(stats[pid][2] for pid in backends if pid in stats),
    }


def _database_backends() -> set[int]:
    """The PostgreSQL backend processes connected to this run's database (other databases on the
    same server, e.g. other people's test runs, are not counted)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


def percentile(samples: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) by linear interpolation."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def timed(fn: Callable[[], object]) -> float:
    """Return the milliseconds one call takes."""
    started = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - started) / 1e6


def machine() -> str:
    import platform

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load} before the run"
    )
