"""`longtide seed-large`: generate a large clinic for benchmarks into the configured database."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from longtide.sampledata.large_clinic import achieved_fill, add_history, first_seed_day, seed_large_clinic
from longtide.scheduling.models import OCCUPYING, Appointment


class Command(BaseCommand):
    help = (
        "Generate a large clinic (its own practice at --slug) with bookings filling about --fill of "
        "working time from tomorrow on. Re-running with the same flags on the same day gives the same rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="large")
        parser.add_argument("--practitioners", type=int, default=20)
        parser.add_argument("--rooms", type=int, default=6)
        parser.add_argument("--days", type=int, default=90, help="days of bookings, from tomorrow")
        parser.add_argument("--fill", type=float, default=0.6, help="held time ÷ working time, 0..1")
        parser.add_argument("--step", type=int, default=15, help="the practice's slot grid, minutes")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--history-years",
            type=float,
            default=0,
            help="also copy the bookings back in time (set-based: one INSERT … SELECT) for this many years of "
            "past visits; e.g. --days 90 --history-years 10 for ~120k rows, --practitioners 200 for ~1M",
        )
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor == "sqlite":
            Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        first_day = first_seed_day()
        practice = seed_large_clinic(
            slug=options["slug"],
            practitioners=options["practitioners"],
            rooms=options["rooms"],
            days=options["days"],
            fill=options["fill"],
            step=options["step"],
            seed=options["seed"],
            first_day=first_day,
        )
        history = ""
        if options["history_years"]:
            history_started = time.perf_counter()
            added = add_history(practice, years=options["history_years"], first_day=first_day, days=options["days"])
            history = f"; history: {added} past appointments in {time.perf_counter() - history_started:.1f} s"
        elapsed = time.perf_counter() - started
        last_day = first_day + timedelta(days=options["days"] - 1)
        booked = Appointment.objects.filter(practice=practice, status__in=OCCUPYING).count()
        cancelled = Appointment.objects.filter(practice=practice).exclude(status__in=OCCUPYING).count()
        fill = achieved_fill(practice, first_day, last_day)
        self.stdout.write(
            f"seeded '{practice.slug}' on {connection.vendor}: {practice.practitioners.count()} practitioners, "
            f"{options['rooms']} rooms, {booked} appointments (+{cancelled} cancelled) "
            f"{first_day}..{last_day}, fill {fill:.2f} (target {options['fill']:.2f}), {elapsed:.1f} s{history}"
        )
