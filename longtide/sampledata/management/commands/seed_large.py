"""`longtide seed-large`: generate a large clinic for benchmarks into the configured database."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import ProtectedError

from longtide.sampledata.large_clinic import (
    NotGenerated,
    achieved_fill,
    add_history,
    first_seed_day,
    seed_large_clinic,
)
from longtide.scheduling.models import OCCUPYING, Appointment

MAX_HISTORY_YEARS = 100


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
        years = options["history_years"]
        if not (math.isfinite(years) and 0 <= years <= MAX_HISTORY_YEARS):
            raise CommandError(f"--history-years must be from 0 to {MAX_HISTORY_YEARS}.", returncode=2)
        started = time.perf_counter()
        first_day = first_seed_day()
        try:
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
        except ValueError as exc:  # the options' limits
            raise CommandError(f"{exc}; nothing was changed.", returncode=2) from exc
        except NotGenerated as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except ProtectedError as exc:
            raise CommandError(
                f"The clinic at slug {options['slug']!r} holds records that may not be deleted with it "
                f"({exc.args[0]}): it was not re-seeded, and nothing was changed. Give another --slug.",
                returncode=2,
            ) from exc
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
