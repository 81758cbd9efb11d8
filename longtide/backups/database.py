"""Taking a consistent copy of the database while the clinic keeps working, and putting one back.

SQLite: the online backup API copies every page in one step under a read transaction, so the copy
is the database as of one instant; in WAL mode writers carry on meanwhile. PostgreSQL: a
REPEATABLE READ transaction exports its snapshot; the row counts and `pg_dump --snapshot` both read
that same instant, so the counts written into the manifest describe exactly what the dump holds.
The PostgreSQL password goes to the client tools through the environment, never their arguments.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    engine: str  # "sqlite" or "postgresql"
    name: str
    params: dict[str, Any]

    @classmethod
    def current(cls) -> Target:
        db = settings.DATABASES["default"]
        engine = db["ENGINE"].rsplit(".", 1)[-1]
        if engine == "sqlite3":
            return cls("sqlite", str(db["NAME"]), dict(db))
        if engine == "postgresql":
            return cls("postgresql", str(db["NAME"]), dict(db))
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")

    def describe(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite file {self.name}"
        return f"PostgreSQL database {self.name!r} on {self.params.get('HOST') or 'localhost'}"

    def pg_environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
            if value := self.params.get(key):
                env[variable] = str(value)
        env["PGDATABASE"] = self.name
        if sslmode := (self.params.get("OPTIONS") or {}).get("sslmode"):
            env["PGSSLMODE"] = str(sslmode)
        return env

    def pg_connect(self) -> Any:
        import psycopg

        params = self.params
        return psycopg.connect(
            dbname=self.name,
            host=params.get("HOST") or None,
            port=params.get("PORT") or None,
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
            autocommit=True,
        )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of your server's version or newer "
            "(Debian: apt-get install postgresql-client)."
        )
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {name: db.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0] for name in sorted(names)}  # noqa: S608


def _pg_counts(cursor: Any) -> dict[str, int]:
    from psycopg import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = cursor.fetchone()[0]
    return counts


def snapshot(target: Target, directory: Path) -> tuple[Path, dict[str, int]]:
    """Write a consistent copy of the database into `directory`; return the file and its row counts."""
    if target.engine == "sqlite":
        source_path = Path(target.name)
        if not source_path.exists():
            raise BackupError(f"There is no database at {source_path} to back up.")
        out = directory / SQLITE_FILE
        source = sqlite3.connect(source_path, timeout=60)
        try:
            source.execute("PRAGMA busy_timeout = 60000")
            with closing(sqlite3.connect(out)) as copy:
                source.backup(copy)  # one step: the copy is one instant of the database
                if (check := copy.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                    raise BackupError(f"The copied database fails SQLite's check: {check}")
        finally:
            source.close()
        return out, sqlite_counts(out)
    out = directory / PG_FILE
    pg_dump = _tool("pg_dump")
    with target.pg_connect() as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        result = subprocess.run(  # noqa: S603
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                "--file",
                str(out),
            ],
            env=target.pg_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        cursor.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return out, counts


def existing_tables(target: Target) -> list[str]:
    """The tables already in the target database (an empty list for a new, empty database)."""
    if target.engine == "sqlite" and not Path(target.name).exists():
        return []
    try:
        with connection.cursor() as cursor:
            return sorted(connection.introspection.table_names(cursor))
    finally:
        connection.close()


def restore(target: Target, engine: str, database_file: Path) -> dict[str, int]:
    """Load a snapshot into the (empty) target database; return the row counts it then holds."""
    if engine != target.engine:
        raise BackupError(
            f"This backup holds a {engine} database, but DATABASE_URL points at {target.describe()}. "
            "Restore into the same kind of database it came from."
        )
    if target.engine == "sqlite":
        path = Path(target.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database_file)) as source, closing(sqlite3.connect(path)) as restored:
            source.backup(restored)
            restored.execute("PRAGMA journal_mode = WAL")
        return sqlite_counts(path)
    result = subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            target.name,
            str(database_file),
        ],
        env=target.pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, and changed nothing: {result.stderr.strip()}")
    with target.pg_connect() as conn, conn.cursor() as cursor:
        return _pg_counts(cursor)
