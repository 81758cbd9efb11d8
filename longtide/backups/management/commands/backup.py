"""`longtide backup DEST`, `longtide backup --check` and `longtide backup --new-key FILE`."""

from __future__ import annotations

import math
import os
from argparse import ArgumentParser
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Min
from django.utils import timezone

from longtide.backups.archive import write_backup
from longtide.backups.database import BackupError
from longtide.backups.keys import load_key, write_new_key
from longtide.backups.models import BackupRun
from longtide.practice.models import Practice

DEFAULT_MAX_AGE_HOURS = 24
MAX_AGE_LIMIT_HOURS = 10 * 366 * 24


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{round(delta.total_seconds() / 60)} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


class Command(BaseCommand):
    help = "Back up the database and uploaded files, check the newest backup's age, or make a key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("dest", nargs="?", help="a folder (a dated file is made in it) or a new file's path")
        parser.add_argument("--key-file", help="encrypt with the key in this file (or LONGTIDE_BACKUP_KEY_FILE)")
        parser.add_argument("--check", action="store_true", help="exit 1 if the newest backup is too old")
        parser.add_argument(
            "--max-age", type=float, metavar="HOURS", help="for --check: the limit (default: the practices' setting)"
        )
        parser.add_argument("--new-key", metavar="FILE", help="write a new random backup key to FILE and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["new_key"]:
                write_new_key(Path(options["new_key"]))
                self.stdout.write(
                    f"Wrote a new backup key to {options['new_key']} (readable by you only). Keep a copy away "
                    "from the backups: without it they cannot be restored."
                )
                return
            if options["check"]:
                self.check_age(options["max_age"])
                return
            if not options["dest"]:
                raise CommandError("Give a destination: longtide backup DEST (a folder or a new file).", returncode=2)
            self.back_up(options["dest"], options["key_file"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not ready ({str(exc).strip()}): run `longtide migrate` first.", returncode=2
            ) from exc

    def back_up(self, dest: str, key_file: str | None) -> None:
        key = load_key(key_file)
        BackupRun.objects.exists()  # a database without Longtide's tables fails here, before any file is written
        written = write_backup(dest=dest, key=key, now=timezone.now())
        BackupRun.objects.create(
            finished_at=timezone.now(),
            path=str(written.path.resolve()),
            size=written.size,
            sha256=written.sha256,
            engine=written.engine,
            encrypted=written.encrypted,
        )
        self.stdout.write(
            f"Backed up {written.tables} tables ({written.rows} rows) and {written.media_files} uploaded files "
            f"to {written.path} ({_size(written.size)}, {'encrypted' if written.encrypted else 'NOT encrypted'}).\n"
            f"SHA-256 {written.sha256}"
        )

    def check_age(self, max_age: float | None) -> None:
        if max_age is None and (configured := os.environ.get("LONGTIDE_BACKUP_MAX_AGE_HOURS")):
            try:
                max_age = float(configured)
            except ValueError as exc:
                raise CommandError(
                    f"LONGTIDE_BACKUP_MAX_AGE_HOURS must be a number of hours, not {configured!r}.", returncode=2
                ) from exc
        if max_age is None:
            max_age = Practice.objects.aggregate(hours=Min("backup_max_age_hours"))["hours"] or DEFAULT_MAX_AGE_HOURS
        # nan and inf pass every comparison's test or none; past ten years timedelta overflows.
        if not math.isfinite(max_age) or not 0 < max_age <= MAX_AGE_LIMIT_HOURS:
            raise CommandError(
                f"The age limit must be more than 0 and at most {MAX_AGE_LIMIT_HOURS} hours (ten years), "
                f"not {max_age}.",
                returncode=2,
            )
        limit = timedelta(hours=max_age)
        newest = BackupRun.objects.order_by("-finished_at").first()
        if newest is None:
            self.stderr.write("BACKUP CHECK FAILED: no backup has been recorded. Run `longtide backup DEST`.")
            raise SystemExit(1)
        age = timezone.now() - newest.finished_at
        where = f"{newest.path} ({_size(newest.size)})"
        if age > limit:
            self.stderr.write(
                f"BACKUP CHECK FAILED: the newest backup is {_hours(age)} old, "
                f"over the limit of {_hours(limit)}: {where}"
            )
            raise SystemExit(1)
        self.stdout.write(f"Backup check OK: the newest backup is {_hours(age)} old (limit {_hours(limit)}): {where}")
