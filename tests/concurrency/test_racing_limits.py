"""The per-address booking limit holds under concurrency: many requests from one address, each for a
different free time, make exactly as many bookings as the practice allows; the rest get 429.

The count is taken inside each booking's transaction (an atomic upsert; on PostgreSQL the counter
row stays locked until the booking commits), so requests racing on several connections cannot all
slip under the limit together. See conftest.py for the harness.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conftest import Cast
from longtide.scheduling.models import Appointment
from tests.concurrency.conftest import Outgoing, Race, RaceDay, Racer, ServerErrors, ServerMeter

pytestmark = pytest.mark.usefixtures("transactional_db")

RACERS = 16
ALLOWED = 3


def test_racing_bookings_from_one_address_stop_exactly_at_the_limit(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    cast.tidewater.online_bookings_per_ip_per_hour = ALLOWED
    cast.tidewater.save()
    # Sixteen free times on sixteen days: every request could be booked, were it not for the limit.
    starts = [race_day.at(10) + timedelta(days=k) for k in range(RACERS)]

    def prepare(i: int) -> Outgoing:
        body = {
            "service": cast.session.pk,
            "practitioner": cast.ana.pk,
            "start": starts[i].isoformat(),
            "client": {"first_name": "Racer", "last_name": str(i), "email": f"limit-racer-{i}@example.test"},
        }
        return racer.outgoing(
            "POST", "/api/v1/p/tidewater/bookings", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )

    # On a stopped clock: the limit counts per clock hour, and a race straddling an hour's end would
    # be counted in two windows (the live server is a thread of this process: it sees the same clock).
    with time_machine.travel(datetime.now(UTC), tick=False):
        race = racer.race(RACERS, prepare)
    summarize(race, server_meter)

    assert not race.failures, race.failure_report()
    assert not [r for r in race.replies if r.status >= 500], server_errors.report()
    statuses = Counter(r.status for r in race.replies)
    assert statuses == {201: ALLOWED, 429: RACERS - ALLOWED}, statuses
    assert Appointment.objects.count() == ALLOWED
    for reply in race.replies:
        if reply.status == 429:
            assert reply.json()["code"] == "rate_limited" and int(reply.headers["retry-after"]) > 0
