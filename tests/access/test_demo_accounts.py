"""`longtide demo` never takes over an existing account: it touches only the accounts it marked as
demo accounts, and a name collision with a real account stops it with nothing changed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from longtide.practice.models import Practice, StaffMembership
from longtide.sampledata.demo import DEMO_PASSWORD, DemoAccountsTaken, seed_demo
from longtide.sampledata.models import DemoAccount

ROOT = Path(__file__).resolve().parent.parent.parent


def _snapshot(user: User) -> tuple[str, str, bool, bool, bool]:
    user.refresh_from_db()
    return (user.password, user.email, user.is_superuser, user.is_staff, user.is_active)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["owner", "frontdesk", "maya", "jonah", "ines", "Maya"])
def test_a_real_account_with_a_demo_name_stops_the_demo_and_nothing_changes(username: str) -> None:
    real = get_user_model().objects.create_superuser(username, "real.person@clinic.test", "a-real-secret-1")
    before = _snapshot(real)
    with pytest.raises(DemoAccountsTaken) as refused:
        seed_demo()
    assert username in str(refused.value) and "nothing was changed" in str(refused.value)
    assert _snapshot(real) == before
    assert real.check_password("a-real-secret-1") and not real.check_password(DEMO_PASSWORD)
    assert not Practice.objects.filter(slug="demo").exists()
    assert not DemoAccount.objects.exists()
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_demo_accounts_are_marked_and_are_never_operators() -> None:
    seed_demo(sample_week=False)
    owner = get_user_model().objects.get(username="owner")
    assert DemoAccount.objects.filter(user=owner).exists()
    assert DemoAccount.objects.count() == 6  # owner, front desk, three practitioners, a student
    student = StaffMembership.objects.get(user__username="student")
    assert student.supervisor is not None and (student.role, student.supervisor.username) == ("student", "maya")
    assert not owner.is_superuser and not owner.is_staff
    assert owner.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_a_marked_demo_account_is_reused_and_loses_any_operator_flag() -> None:
    from longtide.sampledata.demo import remove_demo

    seed_demo(sample_week=False)
    owner = get_user_model().objects.get(username="owner")
    owner.is_superuser = True
    owner.save()
    remove_demo()
    seed_demo(sample_week=False)
    owner.refresh_from_db()
    assert not owner.is_superuser
    assert get_user_model().objects.filter(username="owner").count() == 1


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(LONGTIDE_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "longtide.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _row(database: Path, username: str) -> tuple[Any, ...]:
    with closing(sqlite3.connect(database)) as db:
        row: tuple[Any, ...] = db.execute(
            "SELECT password, email, is_superuser, is_staff, is_active FROM auth_user WHERE username = ?", [username]
        ).fetchone()
        return row


def _count(database: Path, sql: str) -> int:
    with closing(sqlite3.connect(database)) as db:
        return int(db.execute(sql).fetchone()[0])


def test_the_demo_command_refuses_to_take_over_a_real_account(tmp_path: Path) -> None:
    assert _run(["migrate"], tmp_path).returncode == 0
    created = _run(
        ["manage", "createsuperuser", "--noinput", "--username", "owner", "--email", "boss@clinic.test"],
        tmp_path,
        DJANGO_SUPERUSER_PASSWORD="a-real-secret-1",
    )
    assert created.returncode == 0, created.stderr
    database = tmp_path / "longtide.sqlite3"
    before = _row(database, "owner")

    for args in (["demo", "--no-serve"], ["demo", "--no-serve", "--reset"]):
        refused = _run(args, tmp_path)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "accounts named owner" in refused.stderr and "nothing was changed" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert "Demo logins" not in refused.stdout
        assert _row(database, "owner") == before
        assert _count(database, "SELECT count(*) FROM practice_practice") == 0
        assert _count(database, "SELECT count(*) FROM auth_user") == 1
