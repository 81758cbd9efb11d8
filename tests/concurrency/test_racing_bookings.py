"""Never a double booking, under any concurrency: many real HTTP requests race for one time.

Each test starts pytest-django's live server (a thread per connection, a database connection per
thread) on whichever database DATABASE_URL names, connects every racer first, releases them
together at a barrier, and then checks the answers and the database: exactly one booking holds
the practitioner's (or the room's) time, every other racer got a friendly 409 with fresh
alternatives, and nobody got a 5xx. See conftest.py for the harness and how concurrency is
measured.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import pytest

from conftest import Cast
from longtide.notifications.models import Message
from longtide.practice.models import Practitioner
from longtide.scheduling.models import OCCUPYING, Appointment, WorkingHours
from longtide.web.times import parse_slot, slot_value
from tests.concurrency.conftest import Outgoing, Race, RaceDay, Racer, Reply, ServerErrors, ServerMeter

pytestmark = pytest.mark.usefixtures("transactional_db")

RACERS = 50
API = "/api/v1/p/tidewater/bookings"
DETAILS = "/p/tidewater/book/cst-60/details/"
JSON = {"Content-Type": "application/json"}


def confirmations() -> list[int]:
    """The appointments with a message in the outbox, one entry per message (so a duplicate shows).

    Online bookings are held until their address's owner confirms them, so their message is the
    request to confirm (booking.request)."""
    about = Message.objects.filter(purpose__in=["booking.request", "booking.confirmation"]).values_list(
        "about", flat=True
    )
    return [int(value.removeprefix("appointment:")) for value in about]


def api_request(
    racer: Racer, cast: Cast, start: datetime, email: str, practitioner: int | str, **headers: str
) -> Outgoing:
    body = {
        "service": cast.session.pk,
        "practitioner": practitioner,
        "start": start.isoformat(),
        "client": {"first_name": "Racer", "last_name": email.split("@")[0], "email": email},
    }
    return racer.outgoing("POST", API, json.dumps(body).encode(), {**JSON, **headers})


def blocked(cast: Cast, start: datetime) -> tuple[datetime, datetime]:
    """The time a session at `start` holds its practitioner and room (session plus buffers)."""
    session = cast.session
    return start - session.buffer_before, start + timedelta(minutes=session.duration_minutes) + session.buffer_after


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def occupying(**filters: Any) -> list[Appointment]:
    return list(Appointment.objects.filter(status__in=OCCUPYING, **filters).order_by("start"))


def holding(cast: Cast, start: datetime, **filters: Any) -> list[Appointment]:
    """The occupying appointments whose blocked time overlaps that of a session at `start`."""
    return list(Appointment.objects.occupying().overlapping(*blocked(cast, start)).filter(**filters))


def assert_healthy(race: Race, server_errors: ServerErrors) -> None:
    """No racer lost to a transport error, no 5xx, nothing logged as a server error."""
    assert not race.failures, race.failure_report()
    assert len(race.replies) == race.n
    five_hundreds = [(r.index, r.status, r.text[:500]) for r in race.replies if r.status >= 500]
    assert not five_hundreds, f"5xx answers: {five_hundreds}\n\nserver log:\n{server_errors.report()}"
    assert not server_errors.requests.records, server_errors.report()
    # The exclusion constraint is the last guard on PostgreSQL; the ordered locks should mean it
    # never has to act. If it does, the locks let two contenders in at once.
    assert not server_errors.booking.records, server_errors.report()


def assert_raced(race: Race, meter: ServerMeter, n: int = RACERS) -> None:
    """The requests really were in Django at the same time (a race that doesn't race proves nothing)."""
    assert meter.count == n
    assert meter.peak >= n // 2, f"only {meter.peak} of {n} requests were ever in flight together"


def assert_slot_taken_json(reply: Reply, cast: Cast, taken: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    data = reply.json()
    assert data["code"] == "slot_taken", data
    assert "that time was just taken" in data["detail"]
    alternatives: list[dict[str, Any]] = data["alternatives"]
    assert alternatives, f"a refusal without alternatives: {data}"
    for alternative in alternatives:
        start = datetime.fromisoformat(alternative["start"])
        assert not overlaps(blocked(cast, start), taken), f"alternative {alternative} overlaps the taken time"
    return alternatives


# ---------------------------------------------------------------------------------------------


def test_fifty_api_requests_for_one_slot_make_exactly_one_booking(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    start = race_day.at(10)
    race = racer.race(RACERS, lambda i: api_request(racer, cast, start, f"api-racer-{i}@example.test", cast.ana.pk))
    summarize(race, server_meter)

    assert_healthy(race, server_errors)
    assert Counter(r.status for r in race.replies) == {201: 1, 409: RACERS - 1}
    [winner] = [r for r in race.replies if r.status == 201]
    won = winner.json()
    assert datetime.fromisoformat(won["start"]) == start
    assert won["client"]["email"] == f"api-racer-{winner.index}@example.test"
    # Held until the owner of the address confirms from the email; the link is never in the answer.
    assert won["status"] == "held" and "manage_url" not in won

    [held] = holding(cast, start, practitioner=cast.ana)
    assert occupying() == [held]
    assert held.pk == won["id"]
    assert (held.start, held.blocked_end) == (start, start + timedelta(minutes=75))
    taken = (held.blocked_start, held.blocked_end)
    for loser in race.replies:
        if loser.status == 409:
            assert_slot_taken_json(loser, cast, taken)
    assert confirmations() == [held.pk]
    assert_raced(race, server_meter)


def test_fifty_form_posts_for_one_slot_make_exactly_one_booking(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    start = race_day.at(10)
    slot = slot_value(start, cast.ana.pk)

    def prepare(i: int) -> Outgoing:
        # Each racer is its own browser: it loads the details page for its CSRF cookie and token.
        page = racer.fetch(racer.outgoing("GET", f"{DETAILS}?{urlencode({'slot': slot})}"))
        assert page.status == 200, page.text[:500]
        cookie = SimpleCookie()
        cookie.load(page.headers["set-cookie"])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the details page"
        request_key = re.search(r'name="request_key" value="([^"]+)"', page.text)
        assert request_key, "no request key on the details page"
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "request_key": request_key.group(1),
            "slot": slot,
            "first_name": "Racer",
            "last_name": f"Number {i}",
            "email": f"form-racer-{i}@example.test",
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie['csrftoken'].value}",
            "Origin": racer.base_url,
        }
        return racer.outgoing("POST", DETAILS, urlencode(form).encode(), headers)

    race = racer.race(RACERS, prepare)
    summarize(race, server_meter)

    assert_healthy(race, server_errors)
    assert Counter(r.status for r in race.replies) == {302: 1, 409: RACERS - 1}, [
        (r.status, r.text[:300]) for r in race.replies if r.status not in (302, 409)
    ]
    [winner] = [r for r in race.replies if r.status == 302]
    location = winner.headers["location"]
    assert re.fullmatch(r"/p/tidewater/booking-request/[\w-]+/", location), location
    # The request page shows what it holds to the browser that sent it (its cookie), and only that.
    sent = SimpleCookie()
    sent.load(winner.headers["set-cookie"])
    theirs = {"Cookie": f"booking_requests={sent['booking_requests'].value}"}
    requested = racer.fetch(racer.outgoing("GET", location, b"", theirs))
    assert requested.status == 200
    assert "Check your email to confirm" in html.unescape(requested.text)
    assert f"form-racer-{winner.index}@example.test" in requested.text
    assert f"form-racer-{winner.index}@example.test" not in racer.fetch(racer.outgoing("GET", location)).text

    [held] = holding(cast, start, practitioner=cast.ana)
    assert occupying() == [held]
    assert held.start == start
    assert held.client.email == f"form-racer-{winner.index}@example.test"
    taken = (held.blocked_start, held.blocked_end)
    for loser in race.replies:
        if loser.status != 409:
            continue
        page = html.unescape(loser.text)
        assert "that time was just taken" in page
        offered = [parse_slot(v) for v in re.findall(r'<input type="radio" name="slot" value="([^"]+)"', page)]
        assert offered, "a refusal without other times"
        for choice in offered:
            assert choice is not None
            assert not overlaps(blocked(cast, choice[0]), taken), f"offered {choice} overlaps the taken time"
    assert confirmations() == [held.pk]
    assert_raced(race, server_meter)


def test_two_practitioners_racing_for_the_only_room_make_exactly_one_booking(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    bea = Practitioner.objects.create(
        practice=cast.tidewater, display_name="Bea Okafor", slug="bea-okafor", style="biomechanical", sort_order=1
    )
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=bea, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    cast.session.practitioners.add(bea)
    cast.session.rooms.set([cast.willow])
    start = race_day.at(10)
    # Ana, Bea and "anyone free" in turn: every request needs the one room, Willow.
    choices: list[int | str] = [cast.ana.pk, bea.pk, "any"]

    race = racer.race(RACERS, lambda i: api_request(racer, cast, start, f"room-racer-{i}@example.test", choices[i % 3]))
    summarize(race, server_meter)

    assert_healthy(race, server_errors)
    assert Counter(r.status for r in race.replies) == {201: 1, 409: RACERS - 1}
    [winner] = [r for r in race.replies if r.status == 201]
    [held] = holding(cast, start, room=cast.willow)
    assert held.pk == winner.json()["id"]
    assert held.start == start
    assert occupying() == [held]  # neither practitioner, in no room, holds any other time
    taken = (held.blocked_start, held.blocked_end)
    for loser in race.replies:
        if loser.status == 409:
            for alternative in assert_slot_taken_json(loser, cast, taken):
                assert alternative["room"] == cast.willow.pk
    assert len(confirmations()) == 1
    assert_raced(race, server_meter)


def test_overlapping_different_times_never_double_book_the_practitioner(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    # Sixteen starts, 10:00 to 13:45 every 15 minutes, each 60 minutes plus a 15-minute buffer:
    # neighbours overlap, starts 75 minutes apart don't, so several (not all) can win.
    starts = [race_day.at(10) + timedelta(minutes=15 * k) for k in range(16)]
    wanted = {i: starts[i % len(starts)] for i in range(RACERS)}

    race = racer.race(
        RACERS, lambda i: api_request(racer, cast, wanted[i], f"mixed-racer-{i}@example.test", cast.ana.pk)
    )
    summarize(race, server_meter)

    assert_healthy(race, server_errors)
    statuses = Counter(r.status for r in race.replies)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    won_ids = {r.json()["id"] for r in race.replies if r.status == 201}
    held = occupying(practitioner=cast.ana)
    assert {a.pk for a in held} == won_ids
    for a, b in itertools.combinations(held, 2):
        assert not overlaps((a.blocked_start, a.blocked_end), (b.blocked_start, b.blocked_end)), (a, b)
        assert a.room_id != b.room_id or not overlaps(
            (a.blocked_start, a.blocked_end), (b.blocked_start, b.blocked_end)
        )
    # Every refusal was deserved: the time it asked for overlaps a booking that won.
    for reply in race.replies:
        if reply.status == 409:
            asked = blocked(cast, wanted[reply.index])
            assert any(overlaps(asked, (a.blocked_start, a.blocked_end)) for a in held), reply.index
            assert reply.json()["code"] == "slot_taken"
    assert sorted(confirmations()) == sorted(a.pk for a in held)
    assert_raced(race, server_meter)


def test_one_idempotency_key_from_twenty_threads_makes_one_booking(
    cast: Cast,
    racer: Racer,
    race_day: RaceDay,
    server_meter: ServerMeter,
    server_errors: ServerErrors,
    summarize: Callable[[Race, ServerMeter], None],
) -> None:
    # A replay that arrives after the booking committed is answered at once, so one round can be
    # over before most requests are in Django together; three rounds (three keys, three times)
    # make sure the same-key requests really did meet.
    twenty = 20
    peaks = []
    for round_, hour in enumerate([10, 12, 14], start=1):
        start, key, email = race_day.at(hour), f"race-key-{round_}", f"retrying-{round_}@example.test"
        same = api_request(racer, cast, start, email, cast.ana.pk, **{"Idempotency-Key": key})
        server_meter.reset()

        def again(i: int, same: Outgoing = same) -> Outgoing:
            return same

        race = racer.race(twenty, again)
        summarize(race, server_meter)

        assert not race.failures, race.failure_report()
        assert not [r for r in race.replies if r.status >= 500], server_errors.report()
        assert not server_errors.requests.records, server_errors.report()
        statuses = Counter(r.status for r in race.replies)
        assert statuses == {201: 1, 200: twenty - 1}, {
            "round": round_,
            "statuses": statuses,
            "bodies": sorted({r.text[:200] for r in race.replies if r.status not in (200, 201)}),
        }
        [held] = Appointment.objects.filter(idempotency_key=key)
        assert {r.json()["id"] for r in race.replies} == {held.pk}
        assert held.start == start
        assert holding(cast, start) == [held]
        assert server_meter.count == twenty
        peaks.append(server_meter.peak)
    assert len(occupying()) == 3
    assert sorted(confirmations()) == sorted(a.pk for a in occupying())
    assert max(peaks) >= twenty // 2, f"same-key requests in flight together, per round: {peaks}"
