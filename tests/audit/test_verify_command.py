"""`uv run longtide audit verify` as an operator runs it: a subprocess against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from conftest import Cast
from longtide.audit.models import Action
from longtide.audit.trail import Actor, record

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def longtide(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "longtide.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_audit_verify_exits_zero_on_a_sound_trail_and_one_on_a_deleted_row(cast: Cast) -> None:
    events = []
    for n in range(3):
        with transaction.atomic():
            events.append(
                record(
                    action=Action.VIEW,
                    object_type="chart",
                    object_id=n,
                    practice_id=cast.tidewater.pk,
                    by=Actor.system(),
                )
            )
    sound = longtide("audit", "verify")
    assert sound.returncode == 0, sound.stderr
    assert "audit trail OK: 3 rows in 1 chain(s)" in sound.stdout

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_event_no_delete'")
            (definition,) = cursor.fetchone()
            cursor.execute("DROP TRIGGER audit_event_no_delete")
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
            cursor.execute(definition)
    broken = longtide("audit", "verify")
    assert broken.returncode == 1
    assert f"BROKEN chain {cast.tidewater.pk}, row 2 (id {events[2].pk}): row missing" in broken.stderr
