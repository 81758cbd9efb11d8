"""The worker loop behind `longtide worker`: plan due messages, deliver them, wait, repeat.

One process type for all background work, so operators run one command. Several workers may run
at once, on one machine or many: claims are compare-and-set (delivery.py), planners are
idempotent (dedupe keys). SIGTERM or SIGINT lets the message in hand finish, then stops.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from longtide.notifications.delivery import Report, deliver_due, worker_name
from longtide.notifications.subjects import run_planners

log = logging.getLogger(__name__)


def run(
    *,
    stop: threading.Event,
    once: bool = False,
    poll_seconds: float = 2.0,
    plan_every_seconds: float = 60.0,
    batch: int = 50,
    worker: str | None = None,
    parent: int | None = None,
) -> Report:
    """Run until `stop` is set (or, with `once`, until nothing is due, or when process `parent` is
    gone: the demo's worker stops with the demo); return what was done."""
    worker = worker or worker_name()
    total = Report()
    next_plan = 0.0
    try:
        while not stop.is_set():
            if parent is not None and os.getppid() != parent:
                break
            close_old_connections()
            try:
                if time.monotonic() >= next_plan:
                    run_planners(timezone.now())
                    next_plan = time.monotonic() + plan_every_seconds
                report = deliver_due(worker=worker, limit=batch)
            except DatabaseError as error:
                # The database restarting or a lock timeout: wait and carry on, never die of it.
                log.error("worker: database error (%s); trying again shortly", type(error).__name__)
                connections.close_all()
                if once:
                    raise
                stop.wait(poll_seconds)
                continue
            total.add(report)
            if report.claimed == 0:
                if once:
                    break
                stop.wait(poll_seconds)
    finally:
        connections.close_all()
    return total
