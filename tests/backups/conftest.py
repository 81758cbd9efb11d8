"""Backup tests run the documented commands in subprocesses against this test run's own database
(a file on SQLite, test_<name> on PostgreSQL), restore into fresh databases, and read both sides
with the plain drivers to compare them row by row."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Db:
    """A database to compare: its DATABASE_URL and how to read it."""

    url: str

    @property
    def sqlite_path(self) -> str | None:
        return self.url.removeprefix("sqlite:///") if self.url.startswith("sqlite:") else None

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, each as a tuple of comparable values, in a stable order."""
        if path := self.sqlite_path:
            with closing(sqlite3.connect(path)) as db:
                names = [
                    r[0]
                    for r in db.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                return {n: _sorted(db.execute(f'SELECT * FROM "{n}"').fetchall()) for n in sorted(names)}
        import psycopg

        with psycopg.connect(self.url) as conn, conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
            names = [r[0] for r in cur.fetchall()]
            out: dict[str, list[tuple[Any, ...]]] = {}
            for name in names:
                cur.execute(psycopg.sql.SQL("SELECT * FROM {}").format(psycopg.sql.Identifier(name)))
                out[name] = _sorted(cur.fetchall())
            return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _sorted(rows: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)


def source_url() -> str:
    """This test run's database as a DATABASE_URL, for the subprocesses."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run(args: list[str], *, database_url: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `uv run longtide ARGS` as the README shows, with its own database and data folder."""
    environment = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "LONGTIDE_BACKUP_KEY")}
    environment.update(DATABASE_URL=database_url, LONGTIDE_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        ["uv", "run", "--frozen", "longtide", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Any]:
    """A factory of new, empty databases of this run's kind: SQLite files, or PostgreSQL databases
    named after DATABASE_URL's (lt_signin_restore_…), dropped at the end."""
    from django.db import connection

    made: list[str] = []

    def make() -> str:
        if connection.vendor == "sqlite":
            folder = tmp_path / f"restored-{len(made)}"
            folder.mkdir()
            made.append(str(folder))
            return f"sqlite:///{folder / 'longtide.sqlite3'}"
        import psycopg

        base = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") or "longtide"
        name = f"{base}_restore_{secrets.token_hex(4)}"
        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
        made.append(name)
        return source_url().rsplit("/", 1)[0] + "/" + name

    yield make
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            for name in made:
                admin.execute(
                    psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
                )


def _admin_url() -> str:
    return source_url().rsplit("/", 1)[0] + "/postgres"
