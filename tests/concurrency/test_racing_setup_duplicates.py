"""Two simultaneous posts of the same settings form add one row: a location, room, practitioner or
service of the same name, an identical dated exception or stretch of time off. The duplicate check
and the insert run under one lock (the practice's row for names, the practitioner's row for their
exceptions and time off), so the second post waits for the first and then finds its row.

Real threads with their own database connections (a file for SQLite, sessions on PostgreSQL). To
make the race happen every time, both posts meet just before inserting (a barrier in the model's
save, with a timeout): without the lock both have passed the check by then and both insert; with
it the second waits for the first's lock, the first goes on alone after the timeout, and the
second, let in after the first committed, finds the duplicate."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.models import Location, Practitioner, Room, Service
from longtide.scheduling.models import HoursException, TimeOff

pytestmark = pytest.mark.django_db(transaction=True)

# How long the first post waits before inserting for the second to reach the same point.
MEET = 1.5


def _meet_before_inserting(monkeypatch: pytest.MonkeyPatch, model: type[models.Model]) -> None:
    door = threading.Barrier(2)
    original = model.save

    def save(self: models.Model, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                door.wait(MEET)
        original(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", save)


def _race(cast: Cast, path: str, data: dict[str, Any]) -> list[int]:
    """POST `data` to `path` from two threads at once, each signed in as the owner on its own."""
    browsers = []
    for _ in range(2):
        browser = HttpClient(raise_request_exception=False)
        browser.force_login(cast.olga_user)
        browsers.append(browser)
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            start.wait(30)
            answers[i] = browsers[i].post(path, data).status_code
        except Exception as error:  # reported by the test, never lost in a thread
            answers[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(a, int) for a in answers), answers
    return sorted(answers)


def _future_day() -> str:
    return (timezone.now() + timedelta(days=200)).date().isoformat()


CASES: dict[str, tuple[type[models.Model], Callable[[Cast], tuple[str, dict[str, Any]]], Callable[[Cast], int]]] = {
    "location": (
        Location,
        lambda cast: (
            "/staff/tidewater/settings/locations/new/",
            {"name": "Uptown", "time_zone": "America/New_York", "country": "US"},
        ),
        lambda cast: Location.objects.filter(practice=cast.tidewater, name="Uptown").count(),
    ),
    "room": (
        Room,
        lambda cast: (
            f"/staff/tidewater/settings/locations/{cast.location.pk}/rooms/new/",
            {"name": "Oak", "active": "on"},
        ),
        lambda cast: Room.objects.filter(location=cast.location, name="Oak").count(),
    ),
    "practitioner": (
        Practitioner,
        lambda cast: (
            "/staff/tidewater/settings/practitioners/new/",
            {"display_name": "Zed Quinn", "style": "biodynamic", "active": "on"},
        ),
        lambda cast: Practitioner.objects.filter(practice=cast.tidewater, display_name="Zed Quinn").count(),
    ),
    "service": (
        Service,
        lambda cast: (
            "/staff/tidewater/settings/services/new/",
            {
                "name": "Long session",
                "description": "",
                "duration_minutes": "90",
                "price": "130.00",
                "buffer_before_minutes": "0",
                "buffer_after_minutes": "15",
                "active": "on",
            },
        ),
        lambda cast: Service.objects.filter(practice=cast.tidewater, name="Long session").count(),
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_two_simultaneous_posts_of_the_same_name_add_one(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    model, request, count = CASES[kind]
    _meet_before_inserting(monkeypatch, model)
    path, data = request(cast)
    # One is saved (a redirect), the other is refused on its name field (422), never a 500.
    assert _race(cast, path, data) == [302, 422]
    assert count(cast) == 1


def test_two_simultaneous_posts_of_the_same_time_off_add_it_once(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    _meet_before_inserting(monkeypatch, TimeOff)
    day = _future_day()
    data = {"action": "time_off", "start_day": day, "end_day": day, "reason": "x"}
    # The second is answered as the first was (a double submit).
    assert _race(cast, f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/", data) == [302, 302]
    assert TimeOff.objects.filter(practitioner=cast.ana).count() == 1


@pytest.mark.parametrize(
    "change",
    [{"kind": "day_off"}, {"kind": "extra", "start": "18:00", "end": "19:00"}],
    ids=["day-off", "extra"],
)
def test_two_simultaneous_posts_of_the_same_exception_add_it_once(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, change: dict[str, str]
) -> None:
    _meet_before_inserting(monkeypatch, HoursException)
    data = {"action": "exception", "day": _future_day(), "location": cast.location.pk, **change}
    assert _race(cast, f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/", data) == [302, 302]
    assert HoursException.objects.filter(practitioner=cast.ana).count() == 1
