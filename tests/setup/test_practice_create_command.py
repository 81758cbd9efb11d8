"""`uv run longtide practice create`, run exactly as the README documents it, in a subprocess against a
fresh SQLite data folder."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

ROOT = Path(__file__).resolve().parents[2]
UV = shutil.which("uv")

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not on PATH (the README's commands need it)")


def longtide(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(LONGTIDE_DATA_DIR=str(data_dir), PUBLIC_BASE_URL="https://clinic.example.test", UV_FROZEN="1")
    return subprocess.run(
        [str(UV), "run", "longtide", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("practice-create")
    result = longtide(["migrate"], data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


COUNTS = (
    "SELECT (SELECT count(*) FROM practice_practice), (SELECT count(*) FROM auth_user), "
    "(SELECT count(*) FROM practice_invitation)"
)


def rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(data_dir / "longtide.sqlite3")) as db:
        return db.execute(sql).fetchall()


def test_it_creates_an_empty_practice_and_prints_the_owners_one_time_link(migrated: Path) -> None:
    result = longtide(
        ["practice", "create", "--slug", "harbour", "--name", "Harbour Clinic", "--owner", "Hana@Example.org"], migrated
    )
    assert result.returncode == 0, result.stderr
    assert "Created the practice 'Harbour Clinic' at slug 'harbour'" in result.stdout
    link = re.search(r"https://clinic\.example\.test/welcome/([A-Za-z0-9_-]{40,})/", result.stdout)
    assert link, result.stdout
    assert rows(migrated, "SELECT name FROM practice_practice WHERE slug = 'harbour'") == [("Harbour Clinic",)]
    assert rows(
        migrated,
        "SELECT count(*) FROM practice_location p JOIN practice_practice q ON q.id = p.practice_id "
        "WHERE q.slug = 'harbour'",
    ) == [(0,)]
    owner = rows(
        migrated,
        "SELECT u.username, u.password, m.role FROM auth_user u JOIN practice_staffmembership m ON m.user_id = u.id "
        "JOIN practice_practice p ON p.id = m.practice_id WHERE p.slug = 'harbour'",
    )
    assert len(owner) == 1 and owner[0][0] == "hana@example.org" and owner[0][2] == "owner"
    assert str(owner[0][1]).startswith("!")  # no usable password until the link is used
    # The token itself is nowhere in the database: only its hash.
    token = link.group(1)
    assert token not in str(rows(migrated, "SELECT * FROM practice_invitation"))


def test_it_attaches_an_existing_login_with_that_email_as_owner(migrated: Path) -> None:
    first = longtide(
        ["practice", "create", "--slug", "north", "--name", "North", "--owner", "sam@example.org"], migrated
    )
    assert first.returncode == 0, first.stderr
    second = longtide(
        ["practice", "create", "--slug", "south", "--name", "South", "--owner", "SAM@example.org"], migrated
    )
    assert second.returncode == 0, second.stderr
    assert "an existing login" in second.stdout
    assert rows(migrated, "SELECT count(*) FROM auth_user WHERE username = 'sam@example.org'") == [(1,)]
    roles = rows(
        migrated,
        "SELECT p.slug, m.role FROM practice_staffmembership m JOIN auth_user u ON u.id = m.user_id "
        "JOIN practice_practice p ON p.id = m.practice_id WHERE u.username = 'sam@example.org' ORDER BY p.slug",
    )
    assert roles == [("north", "owner"), ("south", "owner")]


def test_an_existing_login_with_a_password_is_made_owner_without_a_link(migrated: Path) -> None:
    first = longtide(["practice", "create", "--slug", "east", "--name", "East", "--owner", "eve@example.org"], migrated)
    assert first.returncode == 0 and "/welcome/" in first.stdout, first.stderr
    with closing(sqlite3.connect(migrated / "longtide.sqlite3")) as db, db:
        db.execute("UPDATE auth_user SET password = ? WHERE username = 'eve@example.org'", (make_password("pw-eve-1"),))
    before = rows(migrated, COUNTS)
    result = longtide(
        ["practice", "create", "--slug", "west", "--name", "West", "--owner", "eve@example.org"], migrated
    )
    assert result.returncode == 0, result.stderr
    assert "That login already has a password: no link was issued" in result.stdout
    assert "https://clinic.example.test/staff/login/" in result.stdout
    assert "/welcome/" not in result.stdout
    assert rows(migrated, COUNTS)[0][2] == before[0][2]  # no invitation row
    assert rows(migrated, "SELECT password FROM auth_user WHERE username = 'eve@example.org'")[0][0] != ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "taken", "--name", "Again", "--owner", "new@example.org"], "already taken"),
        (["--slug", "Not A Slug", "--name", "X", "--owner", "x@example.org"], "is not a valid slug"),
        (["--slug", "UPPER", "--name", "X", "--owner", "x@example.org"], "is not a valid slug"),
        (["--slug", "fine-slug", "--name", "X", "--owner", "not-an-email"], "is not a usable email address"),
        (["--slug", "fine-slug", "--name", "   ", "--owner", "x@example.org"], "Give the practice a name"),
        (["--slug", "admin", "--name", "X", "--owner", "x@example.org"], "is reserved"),
    ],
)
def test_it_refuses_bad_arguments_with_a_clear_message_exit_code_2_and_changes_nothing(
    migrated: Path, args: list[str], message: str
) -> None:
    if not rows(migrated, "SELECT 1 FROM practice_practice WHERE slug = 'taken'"):
        assert (
            longtide(
                ["practice", "create", "--slug", "taken", "--name", "Taken", "--owner", "t@example.org"], migrated
            ).returncode
            == 0
        )
    before = rows(
        migrated,
        COUNTS,
    )
    result = longtide(["practice", "create", *args], migrated)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Nothing was changed." in result.stderr
    assert "Traceback" not in result.stderr
    after = rows(
        migrated,
        COUNTS,
    )
    assert after == before


def test_it_asks_for_a_migration_on_a_fresh_database(tmp_path: Path) -> None:
    result = longtide(["practice", "create", "--slug", "x", "--name", "X", "--owner", "x@example.org"], tmp_path)
    assert result.returncode == 2
    assert "longtide migrate" in result.stderr
