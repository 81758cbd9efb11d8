"""Racing many real HTTP requests at pytest-django's live server.

pytest-django's `live_server` is Django's `LiveServerThread`: a `ThreadedWSGIServer`
(socketserver.ThreadingMixIn) that starts one thread per accepted connection, with no pool and
no cap, and each request thread opens its own database connection (the SQLite test database is
a file, so these are real, separate connections; on PostgreSQL they are separate sessions). The
one limit is the listen backlog (`WSGIServer.request_queue_size = 10`): fifty clients connecting
at once can overflow it and a dropped SYN is retried after a second. So every racer connects
*before* the barrier, the server accepts all of them and parks one thread per connection waiting
for a request line, and only then do all racers send their request together.

Fixtures:

- `racer`: `racer.race(n, prepare)` runs `prepare(i)` in n threads (it may make its own plain
  requests, e.g. to fetch a CSRF token, and returns the `Outgoing` request), connects, waits at a
  barrier, sends, and returns every `Reply` (or the exception a racer hit).
- `server_meter`: counts the Django requests in flight in the live server (request_started /
  request_finished signals, so no settings change and no middleware), and the peak.
- `server_errors`: ERROR records of `django.request` (a 500 logs its traceback there) and the
  warnings of `longtide.scheduling.booking` (the exclusion constraint catching an overlap the
  locks should have prevented).
- `race_day`: a real future local day for Tidewater (New York): today + 2 days; nothing is frozen
  because the server threads must see the same clock as the test.

A line per race (server peak in flight, wall time, database) is printed in the terminal summary.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import threading
import time as clock
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from conftest import Cast

TIDEWATER_ZONE = ZoneInfo("America/New_York")
BARRIER_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0
LISTEN_BACKLOG = 128
# How long a racing request waits in the server for the others (ServerMeter.gate).
GATE_TIMEOUT = 2.0

SUMMARY: list[str] = []


@dataclass(frozen=True)
class Outgoing:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    index: int
    status: int
    headers: dict[str, str]  # lower-cased names; Set-Cookie values joined with "\n"
    body: bytes
    sent_at: float
    done_at: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class Race:
    n: int
    replies: list[Reply]
    failures: list[tuple[int, str, BaseException, str]]
    released_at: float
    finished_at: float

    def failure_report(self) -> str:
        """The racers that failed, with the tracebacks of those that did not just see the barrier break."""
        causes = [f for f in self.failures if not isinstance(f[2], threading.BrokenBarrierError)]
        lines = [f"{len(self.failures)} of {self.n} racers failed ({len(causes)} first-hand):"]
        lines += [f"racer {index} at {stage}:\n{tb}" for index, stage, _, tb in causes[:3]]
        return "\n".join(lines)

    @property
    def seconds(self) -> float:
        return self.finished_at - self.released_at

    @property
    def send_spread(self) -> float:
        """Seconds between the first and the last racer sending its request."""
        sent = [r.sent_at for r in self.replies]
        return max(sent) - min(sent) if sent else 0.0


class Racer:
    def __init__(self, base_url: str, meter: ServerMeter | None = None) -> None:
        parts = urlsplit(base_url)
        assert parts.hostname and parts.port
        self.meter = meter
        self.base_url = base_url
        self.host = parts.hostname
        self.port = parts.port

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)

    @staticmethod
    def _exchange(conn: http.client.HTTPConnection, outgoing: Outgoing, index: int) -> Reply:
        headers = {"Connection": "close", **outgoing.headers}
        sent_at = clock.perf_counter()
        conn.request(outgoing.method, outgoing.path, body=outgoing.body or None, headers=headers)
        response = conn.getresponse()
        body = response.read()
        done_at = clock.perf_counter()
        names = {k.lower() for k in response.headers}
        reply_headers = {name: "\n".join(response.headers.get_all(name) or []) for name in names}
        return Reply(index, response.status, reply_headers, body, sent_at, done_at)

    @staticmethod
    def outgoing(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Outgoing:
        return Outgoing(method, path, body, headers or {})

    def fetch(self, outgoing: Outgoing, index: int = -1) -> Reply:
        """One plain request on its own connection."""
        conn = self._connection()
        try:
            return self._exchange(conn, outgoing, index)
        finally:
            conn.close()

    def race(self, n: int, prepare: Callable[[int], Outgoing]) -> Race:
        """Prepare n requests in n threads, connect them all, then send them all at once."""
        barrier = threading.Barrier(n + 1)  # the racers and this thread, which notes the release
        replies: list[Reply] = []
        failures: list[tuple[int, str, BaseException, str]] = []
        lock = threading.Lock()

        def run(index: int) -> None:
            conn: http.client.HTTPConnection | None = None
            stage = "prepare"
            try:
                outgoing = prepare(index)
                stage = "connect"
                conn = self._connection()
                conn.connect()
                stage = "barrier"
                barrier.wait(BARRIER_TIMEOUT)
                stage = "exchange"
                reply = self._exchange(conn, outgoing, index)
                with lock:
                    replies.append(reply)
            except BaseException as exc:  # reported by the test, never lost in a thread
                if stage != "exchange":  # once released, aborting would break the others' wake-up
                    barrier.abort()
                with lock:
                    failures.append((index, stage, exc, traceback.format_exc()))
            finally:
                if conn is not None:
                    conn.close()

        if self.meter is not None:
            self.meter.gate(n)
        threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(n)]
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):  # a racer failed: reported below
            barrier.wait(BARRIER_TIMEOUT)
        released_at = clock.perf_counter()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + BARRIER_TIMEOUT)
        stuck = [t.name for t in threads if t.is_alive()]
        assert not stuck, f"racers still waiting for an answer: {stuck}"
        finished_at = max((r.done_at for r in replies), default=released_at)
        replies.sort(key=lambda r: r.index)
        return Race(n, replies, failures, released_at, finished_at)


class ServerMeter:
    """Django requests in flight in the live server: now, at peak, and when each began and ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._gate_at: int | None = None
        self._local = threading.local()
        self.in_flight = 0
        self.peak = 0
        self.count = 0
        self.spans: list[tuple[float, float]] = []

    def gate(self, n: int) -> None:
        """Hold the next n POSTs at the door of Django (request_started) until all n are in, or until
        GATE_TIMEOUT after each arrived, then let them go together.

        The racers send at once, but on a loaded machine the server's threads are scheduled late;
        when bookings are fast, the first ones can finish before the last ones begin, and the race
        does not race. Held here, before any database work, they contend for real."""
        with self._lock:
            self._gate_at = self.count + n

    def reset(self) -> None:
        with self._lock:
            self.peak = self.in_flight
            self.count = 0
            self.spans = []

    def started(self, sender: object, environ: dict[str, Any] | None = None, **kwargs: object) -> None:
        if not environ or environ.get("REQUEST_METHOD") != "POST":
            return  # only the racing requests, not the GETs that fetch CSRF tokens
        self._local.began = clock.perf_counter()
        with self._arrived:
            self.in_flight += 1
            self.count += 1
            self.peak = max(self.peak, self.in_flight)
            gate_at = self._gate_at
            if gate_at is not None and self.count <= gate_at:
                self._arrived.notify_all()
                deadline = clock.perf_counter() + GATE_TIMEOUT
                while self.count < gate_at and (left := deadline - clock.perf_counter()) > 0:
                    self._arrived.wait(left)

    def finished(self, sender: object, **kwargs: object) -> None:
        began = getattr(self._local, "began", None)
        if began is None:
            return
        self._local.began = None
        with self._lock:
            self.in_flight -= 1
            self.spans.append((began, clock.perf_counter()))

    def started_before_first_finish(self) -> int:
        """How many requests had begun in Django before the first one was answered."""
        if not self.spans:
            return 0
        first_end = min(end for _, end in self.spans)
        return sum(1 for began, _ in self.spans if began < first_end)


class Collecting(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self._formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [self._formatter.format(r) for r in self.records]


@dataclass
class ServerErrors:
    requests: Collecting
    booking: Collecting

    def report(self) -> str:
        return "\n\n".join(self.requests.lines() + self.booking.lines())


@pytest.fixture
def racer(live_server: Any, cast: Cast, race_day: RaceDay, server_meter: ServerMeter) -> Racer:
    # Room for every racer's connection in the accept queue (Django's test server asks for 10;
    # gunicorn asks for 2048). Calling listen() again on a listening socket only resizes the
    # queue. Without it, SYNs beyond the queue are dropped and retried a second later, or the
    # connection is reset: artefacts of the test server, not of the booking code.
    live_server.thread.httpd.socket.listen(LISTEN_BACKLOG)
    racer = Racer(live_server.url, server_meter)
    # Warm up (URLconf, the API, the availability engine, templates) with one request each, so
    # that the race measures bookings rather than first-use imports and compilation.
    day = race_day.day.isoformat()
    for path in [
        f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start={day}&end={day}",
        "/p/tidewater/book/cst-60/details/",
    ]:
        assert racer.fetch(Outgoing("GET", path)).status == 200, path
    return racer


@pytest.fixture
def server_meter() -> Iterator[ServerMeter]:
    meter = ServerMeter()
    request_started.connect(meter.started, dispatch_uid="race-meter-started")
    request_finished.connect(meter.finished, dispatch_uid="race-meter-finished")
    try:
        yield meter
    finally:
        request_started.disconnect(dispatch_uid="race-meter-started")
        request_finished.disconnect(dispatch_uid="race-meter-finished")


@pytest.fixture
def server_errors() -> Iterator[ServerErrors]:
    errors = ServerErrors(Collecting(logging.ERROR), Collecting(logging.WARNING))
    pairs = [(logging.getLogger("django.request"), errors.requests)]
    pairs.append((logging.getLogger("longtide.scheduling.booking"), errors.booking))
    for logger, handler in pairs:
        logger.addHandler(handler)
    try:
        yield errors
    finally:
        for logger, handler in pairs:
            logger.removeHandler(handler)


@dataclass(frozen=True)
class RaceDay:
    day: date
    zone: ZoneInfo

    def at(self, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.day, time(hour, minute), tzinfo=self.zone)


@pytest.fixture
def race_day() -> RaceDay:
    """Today + 2 days in New York: past the 12 h notice, inside the 90-day horizon, every weekday worked."""
    return RaceDay(datetime.now(TIDEWATER_ZONE).date() + timedelta(days=2), TIDEWATER_ZONE)


@pytest.fixture
def summarize(request: pytest.FixtureRequest) -> Callable[[Race, ServerMeter], None]:
    def note(race: Race, meter: ServerMeter) -> None:
        SUMMARY.append(
            f"{request.node.name} [{connection.vendor}]: {len(race.replies)} replies "
            f"{dict(sorted(Counter(r.status for r in race.replies).items()))}, "
            f"{meter.count} POSTs reached Django, peak {meter.peak} in flight, "
            f"{meter.started_before_first_finish()} begun before the first answer, "
            f"sends spread {race.send_spread * 1000:.0f} ms, all answered in {race.seconds:.2f} s"
        )

    return note


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARY:
        terminalreporter.section("racing bookings")
        for line in SUMMARY:
            terminalreporter.write_line(line)
