"""`longtide demo` and `longtide seed-large` replace only the sample practices they made, run as the
operator runs them (subprocesses, a fresh data folder, SQLite): a real practice at the slug `demo`
(or at a seed-large --slug) is left alone, with a message and a non-zero exit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder `longtide migrate` made, once for the module: each test copies it (a migrate
    took ~25 s of CI time per test; `migrate` itself is walked by tests/test_cli.py)."""
    folder = tmp_path_factory.mktemp("migrated")
    done = run(["migrate"], folder)
    assert done.returncode == 0, done.stderr
    return folder


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`longtide ARGS` on SQLite in `data_dir`, whatever database this test run uses (as tests/test_cli.py)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(LONGTIDE_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "longtide.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


# A real practice at slug `demo` (as `practice create --slug demo` made one before the slug was
# reserved): a real owner, and a client record.
REAL_PRACTICE = """
from django.contrib.auth import get_user_model
from longtide.clients.models import Client
from longtide.practice.models import Practice, Role, StaffMembership
practice = Practice.objects.create(slug={slug!r}, name="Real Clinic")
owner = get_user_model().objects.create_user("boss@real.example", "boss@real.example", "pw-real-clinic-1")
StaffMembership.objects.create(practice=practice, user=owner, role=Role.OWNER)
Client.objects.create(practice=practice, first_name="Real", last_name="Person", email="real@example.test")
"""

COUNT = """
from longtide.clients.models import Client
from longtide.practice.models import Practice
p = Practice.objects.get(slug={slug!r})
print("kept", p.name, Client.objects.filter(practice=p, last_name="Person").count())
"""


def test_practice_create_refuses_the_sample_datas_slugs(tmp_path: Path, migrated: Path) -> None:
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    for slug in ("demo", "large"):
        done = run(["practice", "create", "--slug", slug, "--name", "Mine", "--owner", "me@example.org"], tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"'{slug}' is reserved" in done.stderr and "Traceback" not in done.stderr


def test_demo_leaves_a_real_practice_at_its_slug_alone(tmp_path: Path, migrated: Path) -> None:
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    made = run(["manage", "shell", "-c", REAL_PRACTICE.format(slug="demo")], tmp_path)
    assert made.returncode == 0, made.stderr
    for args in (["demo", "--no-serve", "--reset"], ["demo", "--no-serve"]):
        refused = run(args, tmp_path)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "Traceback" not in refused.stderr
        assert "a practice at slug 'demo' that the demo did not create" in refused.stderr
        assert "boss@real.example" in refused.stderr and "nothing was changed" in refused.stderr
        # No demo logins are offered for a demo that is not there.
        assert "Demo logins" not in refused.stdout and "longtide-demo" not in refused.stdout
        kept = run(["manage", "shell", "-c", COUNT.format(slug="demo")], tmp_path)
        assert "kept Real Clinic 1" in kept.stdout.splitlines(), kept.stdout + kept.stderr


def test_demo_reset_still_replaces_the_demo_with_staff_invited_into_it(tmp_path: Path) -> None:
    assert run(["demo", "--no-serve"], tmp_path).returncode == 0
    invite = """
from django.contrib.auth import get_user_model
from longtide.practice.models import Practice, Role, StaffMembership
user = get_user_model().objects.create_user("colleague@example.org", "colleague@example.org", "pw-colleague-1")
StaffMembership.objects.create(practice=Practice.objects.get(slug="demo"), user=user, role=Role.FRONT_DESK)
"""
    assert run(["manage", "shell", "-c", invite], tmp_path).returncode == 0
    again = run(["demo", "--no-serve"], tmp_path)
    assert again.returncode == 0 and "Demo logins" in again.stdout, again.stderr
    reset = run(["demo", "--no-serve", "--reset"], tmp_path)
    assert reset.returncode == 0, reset.stderr


SMALL = ["--practitioners", "2", "--rooms", "1", "--days", "3"]


def test_seed_large_leaves_a_real_practice_at_its_slug_alone(tmp_path: Path, migrated: Path) -> None:
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    made = run(["manage", "shell", "-c", REAL_PRACTICE.format(slug="stillwater")], tmp_path)
    assert made.returncode == 0, made.stderr
    refused = run(["seed-large", "--slug", "stillwater", *SMALL], tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert "'stillwater' (Real Clinic) was not made by seed-large" in refused.stderr
    kept = run(["manage", "shell", "-c", COUNT.format(slug="stillwater")], tmp_path)
    assert "kept Real Clinic 1" in kept.stdout.splitlines(), kept.stdout + kept.stderr
    # Its own clinic it re-seeds, as before.
    for _ in range(2):
        seeded = run(["seed-large", "--slug", "bench-a", *SMALL], tmp_path)
        assert seeded.returncode == 0 and "seeded 'bench-a'" in seeded.stdout, seeded.stderr


def test_seed_large_explains_bad_options_without_a_traceback(tmp_path: Path, migrated: Path) -> None:
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    for options, message in [
        (["--slug", "Not_A_Slug"], "is not a valid slug"),
        (["--slug", "admin"], "'admin' is reserved"),
        (["--slug", "demo"], "'demo' is reserved"),
        (["--days", "0"], "must be at least 1"),
        (["--rooms", "0"], "must be at least 1"),
        (["--step", "0"], "step from 5 to 60"),
        (["--fill", "5"], "fill must be between 0 and 1"),
        (["--fill", "nan"], "fill must be between 0 and 1"),
        (["--history-years", "nan"], "--history-years must be from 0"),
    ]:
        done = run(["seed-large", *SMALL, *options], tmp_path)
        assert done.returncode == 2, (options, done.stdout + done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, (options, done.stderr)
