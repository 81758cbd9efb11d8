"""The named test cast (architecture.md): Tidewater with ana (practitioner), ben (front desk),
olga (owner) and client cleo; the outsider practice Harbour with practitioner dov."""

from __future__ import annotations

import os
import random
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.management.color import Style
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http import HttpResponseBase

    from longtide.clients.models import Client
    from longtide.practice.models import Location, Practice, Practitioner, Room, Service

if TYPE_CHECKING:
    # What the test client's get/post return (django-stubs' name; it has no runtime class).
    from django.test.client import _MonkeyPatchedWSGIResponse

    ClientResponse = _MonkeyPatchedWSGIResponse
else:
    from django.http import HttpResponseBase

    ClientResponse = HttpResponseBase

Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)

# Property tests explore the same examples on every run (a seed drawn from each test's name), so the
# one CI run at the end cannot meet a rare counterexample nobody has seen; and they have no deadline,
# as no test here may assert on timing (a loaded 2-core CI machine exceeds Hypothesis' 200 ms).
# A test's own @settings still decides everything else (max_examples).
hypothesis_settings.register_profile("longtide", derandomize=True, deadline=None)
hypothesis_settings.load_profile("longtide")


# Tables whose triggers refuse DELETE and TRUNCATE (audit migration 0002, notes migrations 0002, 0005, 0007).
GUARDED_TABLES = (
    "audit_auditevent",
    "notes_sessionnote",
    "notes_noteaddendum",
    "notes_notecosignature",
    "notes_notechecklist",
)


def _flush_past_the_audit_guards() -> None:
    """Let the test runner's flush (live-server and browser tests) empty the append-only tables.

    The triggers of audit migration 0002 and notes migration 0002 refuse DELETE and TRUNCATE, as
    they should everywhere else; between tests the runner acts as the database owner would: it sets
    them aside for the flush and puts them back in the same transaction."""
    from django.core.management import sql
    from django.core.management.commands import flush

    original = sql.sql_flush  # the function flush.py imported

    def sql_flush(style: Style, connection: BaseDatabaseWrapper, *args: Any, **kwargs: Any) -> list[str]:
        statements = original(style, connection, *args, **kwargs)
        tables = [t for t in GUARDED_TABLES if t in connection.introspection.table_names()]
        if not tables:
            return statements
        if connection.vendor == "postgresql":
            return [
                *(f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in tables),
                *statements,
                *(f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in tables),
            ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
        return [*(f"DROP TRIGGER {name}" for name, _ in triggers), *statements, *(sql for _, sql in triggers)]

    # flush.py imports sql_flush into its namespace and calls it from there; django-stubs' flush.pyi
    # does not declare the imported name.
    flush.sql_flush = sql_flush  # type: ignore[attr-defined]


_flush_past_the_audit_guards()


@dataclass
class Cast:
    tidewater: Practice
    harbour: Practice
    location: Location
    willow: Room
    cedar: Room
    session: Service
    first_visit: Service
    ana: Practitioner
    ana_user: User
    ben_user: User
    olga_user: User
    cleo: Client
    dov: Practitioner
    dov_user: User
    harbour_location: Location
    harbour_room: Room
    harbour_session: Service


def make_cast() -> Cast:
    from django.contrib.auth import get_user_model

    from longtide.clients.models import Client
    from longtide.practice.models import Location, Practice, Practitioner, Role, Room, Service, StaffMembership
    from longtide.scheduling.models import WorkingHours

    User = get_user_model()
    tidewater = Practice.objects.create(
        name="Tidewater Craniosacral",
        slug="tidewater",
        min_notice_hours=12,
        booking_horizon_days=90,
        slot_step_minutes=15,
        cancellation_window_hours=24,
        new_clients_first_visit=False,
    )
    location = Location.objects.create(practice=tidewater, name="Harbourside", time_zone="America/New_York")
    willow = Room.objects.create(location=location, name="Willow", sort_order=0)
    cedar = Room.objects.create(location=location, name="Cedar", sort_order=1)
    ana_user = User.objects.create_user("ana", "ana@tidewater.test", "pw-ana-123", is_staff=True)
    ben_user = User.objects.create_user("ben", "ben@tidewater.test", "pw-ben-123", is_staff=True)
    olga_user = User.objects.create_user("olga", "olga@tidewater.test", "pw-olga-123", is_staff=True)
    ana = Practitioner.objects.create(
        practice=tidewater,
        user=ana_user,
        display_name="Ana Silva",
        slug="ana-silva",
        style="biodynamic",
        credentials="RCST",
        bio="Ana listens.",
        training="Biodynamic foundation.",
    )
    StaffMembership.objects.create(practice=tidewater, user=ana_user, role=Role.PRACTITIONER)
    StaffMembership.objects.create(practice=tidewater, user=ben_user, role=Role.FRONT_DESK)
    StaffMembership.objects.create(practice=tidewater, user=olga_user, role=Role.OWNER)
    session = Service.objects.create(
        practice=tidewater,
        name="CST session",
        slug="cst-60",
        duration_minutes=60,
        price="100.00",
        buffer_after_minutes=15,
    )
    first_visit = Service.objects.create(
        practice=tidewater,
        name="First visit",
        slug="first-visit",
        duration_minutes=90,
        price="140.00",
        is_first_visit=True,
    )
    for service in (session, first_visit):
        service.practitioners.add(ana)
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=ana, location=location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    cleo = Client.objects.create(practice=tidewater, first_name="Cleo", last_name="Park", email="cleo@example.test")

    harbour = Practice.objects.create(name="Harbour Bodywork", slug="harbour")
    harbour_location = Location.objects.create(practice=harbour, name="Pier", time_zone="Europe/London")
    harbour_room = Room.objects.create(location=harbour_location, name="Blue")
    dov_user = User.objects.create_user("dov", "dov@harbour.test", "pw-dov-123", is_staff=True)
    dov = Practitioner.objects.create(
        practice=harbour, user=dov_user, display_name="Dov Amir", slug="dov-amir", style="biomechanical"
    )
    StaffMembership.objects.create(practice=harbour, user=dov_user, role=Role.PRACTITIONER)
    harbour_session = Service.objects.create(
        practice=harbour, name="Harbour session", slug="harbour-60", duration_minutes=60, price="80.00"
    )
    harbour_session.practitioners.add(dov)
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=dov, location=harbour_location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    return Cast(
        tidewater=tidewater,
        harbour=harbour,
        location=location,
        willow=willow,
        cedar=cedar,
        session=session,
        first_visit=first_visit,
        ana=ana,
        ana_user=ana_user,
        ben_user=ben_user,
        olga_user=olga_user,
        cleo=cleo,
        dov=dov,
        dov_user=dov_user,
        harbour_location=harbour_location,
        harbour_room=harbour_room,
        harbour_session=harbour_session,
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


# LONGTIDE_TEST_DAYS_AHEAD (_days_ahead; the browser tests' pages follow it too).
DAYS_AHEAD = int(os.environ.get("LONGTIDE_TEST_DAYS_AHEAD", "0") or 0)


@pytest.fixture(autouse=True, scope="session")
def _days_ahead() -> Iterator[None]:
    """LONGTIDE_TEST_DAYS_AHEAD=N runs the tests as if today were N days on (the clock moved with
    time-machine, still ticking), to find tests that pass only on some weekdays (a booking at a
    fixed hour "in N days" falling on a day nobody works). This process's Python clock only: the
    database's own now() does not move, nor does a subprocess's clock, so the tests that run the
    outbox worker or the CLI in a subprocess fail under a shift (at +2 days on 4 December 2026:
    the worker-kill tests, `backup --check`'s age; a thread-timing test once, under load). Those
    are this tool's limits, not dates the tests depend on. The browser tests' pages get a clock
    moved the same way (tests/browser/conftest.py, Playwright's clock)."""
    days = DAYS_AHEAD
    if not days:
        yield
        return
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timedelta(days=days), tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    # PBKDF2 at full strength costs ~0.3 s per user; tests need no such protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def streamed(response: HttpResponseBase) -> bytes:
    """The whole body of a streaming (file) response, read to the end (which closes the file)."""
    from django.http import StreamingHttpResponse

    assert isinstance(response, StreamingHttpResponse), type(response)
    return response.getvalue()


# Random keys and tokens in pages: CSRF tokens, manage/questions/intake links (urlsafe base64),
# hex names. 16 or more such characters in a row; no word a page shows is that long.
_RANDOM_KEY = re.compile(r"[A-Za-z0-9_-]{16,}")


def without_random_keys(text: str) -> str:
    """The text with every random key and token cut out, for asserting that a short word is absent:
    a random key may hold any few letters ("PM", "hal", "gad")."""
    return _RANDOM_KEY.sub("", text)


def free_port() -> int:
    """A loopback TCP port free now, for a server a test starts in a subprocess: drawn below the
    kernel's range of ephemeral ports. A port the kernel hands out for a bind to port 0 is taken
    from that range, so the same number can be given to an outgoing connection (to PostgreSQL, say)
    before the subprocess binds it: the server then fails to start (seen once with two suites at once)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    floor = max(1024, low - 12000)
    for port in random.sample(range(floor, low), min(200, low - floor)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {floor}-{low - 1}")
