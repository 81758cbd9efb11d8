"""`longtide worker`: send the outbox's messages and plan reminders and check-ins, until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from longtide.notifications import worker


class Command(BaseCommand):
    help = "Send queued messages (email, SMS) and plan reminders; runs until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due, then exit")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between looks when idle")
        parser.add_argument("--batch", type=int, default=50, help="messages per look")
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
