"""`longtide worker`: send the outbox's messages and plan reminders and check-ins, until stopped."""

from __future__ import annotations

import math
import signal
import threading
from argparse import ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from longtide.notifications import worker

MAX_POLL = 3600.0
MAX_BATCH = 10_000


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_POLL:  # NaN too
        raise ArgumentTypeError(f"give a number of seconds from 0 to {MAX_POLL:g}, not {text!r}")
    return value


def _batch(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BATCH:
        raise ArgumentTypeError(f"give a whole number of messages from 1 to {MAX_BATCH}, not {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Send queued messages (email, SMS) and plan reminders; runs until stopped. `longtide worker` runs "
        "in production mode and refuses an unsafe configuration (longtide.E001-E004); "
        "`longtide worker --development` (the demo's worker) prints messages instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due, then exit")
        parser.add_argument(
            "--poll", type=_seconds, default=2.0, help=f"seconds between looks when idle (0 to {MAX_POLL:g})"
        )
        parser.add_argument("--batch", type=_batch, default=50, help=f"messages per look (1 to {MAX_BATCH})")
        parser.add_argument("--exit-with-parent", type=int, metavar="PID", help="stop when process PID is gone")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        if not options["once"]:
            mailer = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "smtp").rsplit(".", 2)[-2]
            sms = getattr(settings, "SMS", {}).get("BACKEND", "off")
            self.stdout.write(f"Longtide worker: sending the outbox (email: {mailer}, SMS: {sms}). Ctrl+C stops.")
            self.stdout.flush()
        report = worker.run(
            stop=stop,
            once=options["once"],
            poll_seconds=options["poll"],
            batch=options["batch"],
            parent=options["exit_with_parent"],
        )
        if options["once"] and options["verbosity"] > 0:
            self.stdout.write(
                f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, withdrawn {report.withdrawn}"
            )
