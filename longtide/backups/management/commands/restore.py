"""`longtide restore SRC`: bring a backup back into an empty database."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from longtide.backups.archive import restore_backup
from longtide.backups.database import BackupError
from longtide.backups.keys import load_key


class Command(BaseCommand):
    help = "Restore a backup made by `longtide backup` into an empty database and uploads folder."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("source", help="the backup file")
        parser.add_argument("--key-file", help="the key file it was encrypted with (or LONGTIDE_BACKUP_KEY_FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(source=Path(options["source"]), key=load_key(options["key_file"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"Restored the backup of {restored.created_at}: {restored.tables} tables, {restored.rows} rows "
            f"(every table's row count matches the backup) and {restored.media_files} uploaded files."
        )
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close()
        if pending:
            self.stdout.write(
                f"This Longtide has {len(pending)} migrations the backup predates: run `longtide migrate` next."
            )
