"""The README's first command, run as a user would: in a subprocess, against a fresh data folder."""

import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import free_port
from longtide.cli import DEMO_WORKERS

ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], data_dir: Path, *, program: tuple[str, ...] = ("-m", "longtide.cli"), **env: str
) -> subprocess.CompletedProcess[str]:
    # The README's command uses SQLite unless DATABASE_URL is set: run it that way whatever
    # database this test run itself uses.
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(LONGTIDE_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, *program, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_prepares_a_fresh_database_twice_and_resets(tmp_path: Path) -> None:
    first = run(["demo", "--no-serve"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Public site:  http://127.0.0.1:8000/p/demo/" in first.stdout
    assert "Staff login:  http://127.0.0.1:8000/staff/login/" in first.stdout
    assert "owner" in first.stdout and "frontdesk" in first.stdout and "longtide-demo" in first.stdout
    assert "Two-factor sign-in is off for these logins" in first.stdout
    assert "http://127.0.0.1:8000/staff/demo/settings/sign-in/" in first.stdout
    assert (tmp_path / "longtide.sqlite3").exists()
    again = run(["demo", "--no-serve", "--port", "8123"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "http://127.0.0.1:8123/p/demo/" in again.stdout
    reset = run(["demo", "--no-serve", "--reset"], tmp_path)
    assert reset.returncode == 0, reset.stderr


def wait_for(url: str, process: subprocess.Popen[str], seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"the server did not come up at {url}")
            time.sleep(0.3)


def book_at_once(port: int, requests: list[dict[str, object]]) -> list[int | str]:
    """POST every booking on its own connection, all released at the same moment; return each status
    (or the name of the connection error)."""
    start = threading.Barrier(len(requests))

    def one(payload: dict[str, object]) -> int | str:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            start.wait()
            connection.request(
                "POST", "/api/v1/p/demo/bookings", json.dumps(payload), {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            return response.status
        except OSError as error:
            return type(error).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


def test_demo_serves_the_clinic_with_the_production_server(tmp_path: Path) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment["LONGTIDE_DATA_DIR"] = str(tmp_path)
    environment.pop("DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "longtide.cli", "demo", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        body = wait_for(f"{base}/p/demo/", server)
        assert "Stillwater Craniosacral Clinic" in body
        # gunicorn forks its workers one by one, with a short random pause between them, so the
        # first may answer before the next exists: wait (bounded) for all of them.
        deadline = time.monotonic() + 30
        while True:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children}
            workers = [pid for pid, command in commands.items() if b"worker" in command]
            if len(children) - len(workers) >= DEMO_WORKERS or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(workers) == 1, "the demo runs one worker beside its server"
        assert len(children) - len(workers) == DEMO_WORKERS >= 2, "gunicorn's worker processes serve the demo"

        # The clinic's own error page, not Django's debug page.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/p/demo/no-such-page/", timeout=10)
        assert missing.value.code == 404
        with missing.value:  # closes its connection
            page = missing.value.read().decode()
        assert "We couldn't find that page" in page and "Traceback" not in page and "URLconf" not in page

        # 50 visitors book at the same moment, ten to each of five times: every request is
        # answered (held, or taken), none is dropped, and each time is held for one of them.
        services = json.loads(wait_for(f"{base}/api/v1/p/demo/services", server))
        first_visit = next(service for service in services if service["first_visit"])
        today = datetime.datetime.now(datetime.UTC).date()
        slots = json.loads(
            wait_for(
                f"{base}/api/v1/p/demo/availability?service={first_visit['id']}"
                f"&start={today + datetime.timedelta(days=2)}&end={today + datetime.timedelta(days=30)}",
                server,
            )
        )["slots"]
        chosen = [slots[i] for i in range(0, len(slots), max(1, len(slots) // 5))][:5]
        assert len(chosen) == 5
        payloads: list[dict[str, object]] = [
            {
                "service": first_visit["id"],
                "practitioner": chosen[i % 5]["practitioner"],
                "start": chosen[i % 5]["start"],
                "client": {"first_name": "Load", "last_name": f"Test {i}", "email": f"load{i}@example.test"},
            }
            for i in range(50)
        ]
        statuses = book_at_once(port, payloads)
        assert all(isinstance(status, int) for status in statuses), statuses
        assert sorted(statuses) == [201] * 5 + [409] * 45, statuses
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "A worker runs beside the server" in output
    assert "development server" not in output and "runserver" not in output
    assert "Traceback" not in output
    # The worker stops with the demo.
    deadline = time.monotonic() + 30
    while Path(f"/proc/{workers[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{workers[0]}").exists() or b"Z" in Path(f"/proc/{workers[0]}/stat").read_bytes()


def test_manage_py_checks_migrations_on_a_bare_clone(tmp_path: Path) -> None:
    """CI's `manage.py makemigrations --check` opens the database: a data folder that does not
    exist yet is made, as `longtide`'s own commands make it."""
    data_dir = tmp_path / "not" / "yet"
    result = run(["makemigrations", "--check", "--dry-run"], data_dir, program=("manage.py",))
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert data_dir.is_dir()


def test_production_refuses_an_unsafe_configuration(tmp_path: Path) -> None:
    result = run(["serve"], tmp_path, EMAIL_URL="", SECRET_KEY="", DEBUG="1")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "longtide.E001" in output and "SECRET_KEY" in output
    assert "longtide.E002" in output and "DEBUG" in output
    assert "longtide.E003" in output and "EMAIL_URL" in output


def test_demo_explains_a_database_it_cannot_open(tmp_path: Path) -> None:
    result = run(
        ["demo", "--no-serve"], tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/longtide_missing_db"
    )
    assert result.returncode == 2
    assert "cannot open the database 'longtide_missing_db'" in result.stderr
    assert "createdb" in result.stderr


# A visit of the demo 30 hours from now, whatever the day and hour of the run: the sample week's own
# visits have no reminder due on some (a Saturday at noon UTC: the clinic's Sunday is closed, and
# the 48-hour reminders of Monday's visits fall due later). Moved by hand, as if booked that way a
# week ago: its 48-hour reminder is due now. One whose practitioner and room are free then, of a
# client with no safety flag (a held visit's reminder is withdrawn).
DUE_VISIT = """
from datetime import timedelta
from django.db.models import Q
from django.utils import timezone
from longtide.scheduling.models import Appointment, Status
now = timezone.now()
start = (now + timedelta(hours=30)).replace(minute=0, second=0, microsecond=0)
for a in Appointment.objects.filter(
    practice__slug="demo", status=Status.BOOKED, start__gt=now + timedelta(days=2), client__intake_flags__isnull=True
).order_by("start"):
    shift = start - a.start
    blocked = (a.blocked_start + shift, a.blocked_end + shift)
    others = Appointment.objects.occupying().overlapping(*blocked).exclude(pk=a.pk)
    if not others.filter(Q(practitioner_id=a.practitioner_id) | Q(room_id=a.room_id)).exists():
        Appointment.objects.filter(pk=a.pk).update(
            start=a.start + shift, end=a.end + shift, blocked_start=blocked[0], blocked_end=blocked[1]
        )
        print("due", a.pk)
        break
"""


def test_the_worker_sends_the_demos_due_reminders_once(tmp_path: Path) -> None:
    assert run(["demo", "--no-serve"], tmp_path).returncode == 0
    moved = run(["manage", "shell", "-c", DUE_VISIT], tmp_path)
    assert moved.returncode == 0 and "due " in moved.stdout, moved.stdout + moved.stderr
    # The demo's own worker runs with --development (printing what it sends); a bare `worker` is
    # production mode and refuses the demo's development settings (tests/test_cli_worker_production.py).
    first = run(["worker", "--once", "--development"], tmp_path)
    assert first.returncode == 0, first.stderr
    # The sample week was booked "a week ago": the reminders due in the next two days go now,
    # printed (the demo's console email), and a second run finds nothing left to send.
    assert "Subject: Reminder: your appointment at Stillwater Craniosacral Clinic" in first.stdout
    # Withdrawn: a reminder for a visit held by an open EMERGENCY flag (the demo's Rosa, when the sample
    # week gives her a visit in the next two days) is withdrawn at send time, by design.
    assert re.search(r"sent [1-9]\d*, retrying 0, failed 0, withdrawn \d+", first.stdout), first.stdout[-300:]
    # Printed as a person reads it: the plain text decoded, each manage link whole on its own line
    # (no quoted-printable soft breaks), the HTML version only named; and no log lines at all.
    # A visit already inside the cancellation window (the demo's Cleo, booked two hours ahead) says
    # "Your booking: <link>" instead of offering to change it online: still one whole link a line.
    assert "Content-Transfer-Encoding" not in first.stdout and "=\n" not in first.stdout
    links = re.findall(
        r"^(?:Your booking: )?http://127\.0\.0\.1:8000/p/demo/manage/[A-Za-z0-9_-]{43}/$", first.stdout, re.M
    )
    assert len(links) == first.stdout.count("Subject: Reminder") > 0
    assert "[also as text/html" in first.stdout
    assert first.stderr == ""
    again = run(["worker", "--once", "--development"], tmp_path)
    assert "sent 0, retrying 0, failed 0, withdrawn 0" in again.stdout
