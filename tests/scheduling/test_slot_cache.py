"""The availability cache (scheduling/slot_cache.py) answers exactly what a search without it answers.

Every change that can alter an answer is made through the writer that makes it in the product (the
booking actions, saves, queryset updates, plain SQL) and the cached answer is compared with one
computed afresh (`slot_cache.bypassed`). Each test in `test_each_change_reaches_the_cache` also
checks that the change did alter the answer, so it fails if that writer's invalidation is removed
(a BusyVersion trigger, or a key part such as the slot step or the service's length).

The cache is used only outside transactions, so these tests run with committed data
(`transaction=True`). Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longtide.practice.models import Location, Practice, Practitioner, Room, Service
from longtide.scheduling import slot_cache
from longtide.scheduling.booking import (
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    move_appointment,
    release_hold,
)
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.models import Appointment, HoursException, Source, Status, TimeOff, WorkingHours
from longtide.scheduling.search import search_slots, service_and_places, service_with_practice

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2031, 3, 3, 11, 0, tzinfo=UTC)  # a Monday; 06:00 in New York
DAY = date(2031, 3, 3)
_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    slot_cache.clear()
    yield
    slot_cache.clear()


@dataclass
class World:
    practice: Practice
    location: Location
    rooms: list[Room]
    people: list[Practitioner]
    service: Service
    now: datetime

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.location.time_zone)

    def at(self, day: int, minutes: int) -> datetime:
        """Local 09:00 on DAY + day, plus `minutes`."""
        local = datetime.combine(DAY + timedelta(days=day), time(9), self.zone) + timedelta(minutes=minutes)
        return local.astimezone(UTC)


def _world(zone: str = "America/New_York") -> World:
    n = next(_names)
    practice = Practice.objects.create(
        name=f"Clinic {n}",
        slug=f"clinic-{n}",
        min_notice_hours=2,
        booking_horizon_days=3,
        slot_step_minutes=30,
        booking_hold_minutes=45,
        new_clients_first_visit=False,
    )
    location = Location.objects.create(practice=practice, name="Main", time_zone=zone)
    rooms = [Room.objects.create(location=location, name=f"R{i}", sort_order=i) for i in range(2)]
    service = Service.objects.create(
        practice=practice, name="Session", slug="s", duration_minutes=60, price="90.00", buffer_after_minutes=15
    )
    people = []
    for i, (start, end) in enumerate([(time(9), time(13)), (time(10), time(16))]):
        person = Practitioner.objects.create(practice=practice, display_name=f"P{i}", slug=f"p{i}", sort_order=i)
        service.practitioners.add(person)
        for weekday in range(7):
            WorkingHours.objects.create(
                practitioner=person, location=location, weekday=weekday, start_time=start, end_time=end
            )
        people.append(person)
    return World(practice, location, rooms, people, service, START)


def _answers(w: World, *, read_together: bool = False) -> list[list[tuple[datetime, datetime, int, int]]] | None:
    """What the searches a request makes answer now: any practitioner and a named one, one day and
    three, for clients and for staff. `read_together`: the service, candidates, rooms and numbers
    read in one statement first (service_and_places, as the availability endpoint does)."""
    service = service_with_practice(w.practice.slug, w.service.pk)
    if service is None:
        return None
    out = []
    for person, last, staff in [
        (None, DAY, False),
        (None, DAY + timedelta(days=2), False),
        (w.people[0].pk, DAY + timedelta(days=2), False),
        (w.people[1].pk, DAY, True),
        (None, DAY + timedelta(days=2), True),
    ]:
        fresh_places = None
        if read_together:
            read = service_and_places(w.practice.slug, w.service.pk, practitioner_id=person)
            assert read is not None
            service, fresh_places = read
        found = search_slots(
            practice=service.practice,
            service=service,
            practitioner_id=person,
            first_day=DAY,
            last_day=last,
            now=w.now,
            for_staff=staff,
            fresh_places=fresh_places,
        )
        out.append([(s.start, s.end, s.practitioner_id, s.room_id) for s in found.slots])
    return out


def _fresh(w: World) -> list[list[tuple[datetime, datetime, int, int]]] | None:
    with slot_cache.bypassed():
        return _answers(w)


def _check(w: World) -> list[list[tuple[datetime, datetime, int, int]]] | None:
    """The cached answers (filled, then as kept, reading the places separately or together with
    the service, alternately) equal the fresh ones."""
    assert not connection.in_atomic_block
    together = next(_alternate)
    cached = _answers(w, read_together=together)
    assert cached == _fresh(w)
    assert _answers(w, read_together=not together) == cached
    assert _answers(w, read_together=together) == cached
    return cached


_alternate = itertools.cycle([False, True])


# --- the changes -------------------------------------------------------------------------------


def _book(w: World, person: int | None, day: int, minutes: int, held: bool) -> None:
    n = next(_names)
    with contextlib.suppress(BookingError):
        book_appointment(
            practice=w.practice,
            service=Service.objects.get(pk=w.service.pk),
            practitioner=None,
            practitioner_id=None if person is None else w.people[person].pk,
            start=w.at(day, minutes),
            client=ClientDetails("Test", f"Client{n}", f"client{n}@example.test"),
            source=Source.ONLINE if held else Source.STAFF,
            now=w.now,
        )


def _nth(w: World, k: int, *statuses: str) -> Appointment | None:
    rows = list(Appointment.objects.filter(practice=w.practice, status__in=statuses).order_by("pk"))
    return rows[k % len(rows)] if rows else None


def _cancel(w: World, k: int) -> None:
    if (appointment := _nth(w, k, Status.BOOKED)) is not None:
        with contextlib.suppress(BookingError):
            cancel_appointment(appointment=appointment, by_client=False, reason="Test", decided_by="clinic", now=w.now)


def _move(w: World, k: int, day: int, minutes: int) -> None:
    if (appointment := _nth(w, k, Status.BOOKED)) is not None:
        with contextlib.suppress(BookingError):
            move_appointment(appointment=appointment, start=w.at(day, minutes), by_client=False, now=w.now)


def _release_or_confirm(w: World, k: int, confirm: bool) -> None:
    if (appointment := _nth(w, k, Status.HELD)) is not None:
        with contextlib.suppress(BookingError):
            (confirm_booking if confirm else release_hold)(appointment=appointment, now=w.now)


def _hours(w: World, person: int, change: int) -> None:
    rows = WorkingHours.objects.filter(practitioner=w.people[person]).order_by("pk")
    if change == 0:
        WorkingHours.objects.create(
            practitioner=w.people[person],
            location=w.location,
            weekday=DAY.weekday(),
            start_time=time(17),
            end_time=time(19),
        )
    elif change == 1 and (first := rows.first()) is not None:
        first.delete()
    elif change == 2:
        rows.filter(weekday__in=[DAY.weekday(), (DAY.weekday() + 1) % 7]).update(end_time=time(12))


def _exception(w: World, person: int, day: int, available: bool) -> None:
    HoursException.objects.create(
        practitioner=w.people[person],
        location=w.location,
        date=DAY + timedelta(days=day),
        available=available,
        start_time=time(18) if available else None,
        end_time=time(20) if available else None,
    )


def _time_off(w: World, person: int, day: int, minutes: int) -> None:
    start = w.at(day, minutes)
    TimeOff.objects.create(practitioner=w.people[person], start=start, end=start + timedelta(minutes=50))


def _service(w: World, duration: int, before: int) -> None:
    Service.objects.filter(pk=w.service.pk).update(duration_minutes=duration, buffer_before_minutes=before)


def _link(w: World, person: int) -> None:
    links = w.service.practitioners
    if links.filter(pk=w.people[person].pk).exists():
        links.remove(w.people[person])
    else:
        links.add(w.people[person])


def _policy(w: World, notice: int, horizon: int, step: int) -> None:
    Practice.objects.filter(pk=w.practice.pk).update(
        min_notice_hours=notice, booking_horizon_days=horizon, slot_step_minutes=step
    )
    w.practice.refresh_from_db()


def _advance(w: World, minutes: int) -> None:
    w.now += timedelta(minutes=minutes)


def _bulk(w: World, k: int) -> None:
    """A queryset update and a delete, past the actions (and any signal)."""
    if (appointment := _nth(w, k, Status.BOOKED, Status.HELD)) is not None:
        if k % 2:
            Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED_CLINIC)
        else:
            appointment.events.all().delete()
            Appointment.objects.filter(pk=appointment.pk).delete()


def _room(w: World, room: int) -> None:
    Room.objects.filter(pk=w.rooms[room].pk).update(active=not Room.objects.get(pk=w.rooms[room].pk).active)


def _zone(w: World) -> None:
    zone = "Europe/London" if w.location.time_zone != "Europe/London" else "America/New_York"
    Location.objects.filter(pk=w.location.pk).update(time_zone=zone)
    w.location.refresh_from_db()


person = st.integers(0, 1)
day = st.integers(0, 2)
minutes = st.sampled_from([0, 30, 60, 90, 120, 180, 240, 300])
changes = st.one_of(
    st.tuples(st.just(_book), st.none() | person, day, minutes, st.booleans()),
    st.tuples(st.just(_cancel), st.integers(0, 5)),
    st.tuples(st.just(_move), st.integers(0, 5), day, minutes),
    st.tuples(st.just(_release_or_confirm), st.integers(0, 5), st.booleans()),
    st.tuples(st.just(_hours), person, st.integers(0, 2)),
    st.tuples(st.just(_exception), person, day, st.booleans()),
    st.tuples(st.just(_time_off), person, day, minutes),
    st.tuples(st.just(_service), st.sampled_from([30, 60, 90]), st.sampled_from([0, 15])),
    st.tuples(st.just(_link), person),
    st.tuples(
        st.just(_policy), st.sampled_from([0, 2, 30]), st.sampled_from([1, 3, 10]), st.sampled_from([15, 30, 45])
    ),
    st.tuples(st.just(_advance), st.sampled_from([20, 45, 60, 180, 600])),
    st.tuples(st.just(_bulk), st.integers(0, 5)),
    st.tuples(st.just(_room), st.integers(0, 1)),
    st.tuples(st.just(_zone)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(steps=st.lists(changes, min_size=1, max_size=8))
def test_cached_answers_equal_fresh_ones_after_any_changes(steps: list[tuple[Any, ...]]) -> None:
    w = _world()  # a practice of its own per example: the database is not rolled back between them
    _check(w)
    for change, *args in steps:
        change(w, *args)
        _check(w)


# --- each writer, one at a time: the answer changes, and the cache follows ---------------------


def _booked(w: World, held: bool = False) -> None:
    _book(w, 0, 0, 180, held)  # P0 at 12:00 local on DAY


def _hours_saved(w: World) -> None:
    for hours in WorkingHours.objects.filter(practitioner=w.people[0], weekday=DAY.weekday()):
        hours.start_time = time(11)
        hours.save()


def _exceptions_deleted(w: World) -> None:
    HoursException.objects.filter(practitioner__practice=w.practice).delete()


def _time_off_deleted(w: World) -> None:
    TimeOff.objects.filter(practitioner__practice=w.practice).delete()


def _inactive(w: World) -> None:
    Practitioner.objects.filter(pk=w.people[0].pk).update(active=False)


def _plain_sql(w: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Appointment._meta.db_table} SET status = %s WHERE practice_id = %s",
            [str(Status.CANCELLED_CLINIC), w.practice.pk],
        )


CHANGES: dict[str, tuple[Callable[[World], None] | None, Callable[[World], None]]] = {
    # name: (what to do first, uncached, then the change)
    "booking": (None, lambda w: _booked(w)),
    "online booking (a hold)": (None, lambda w: _booked(w, held=True)),
    "cancellation": (_booked, lambda w: _cancel(w, 0)),
    "move": (_booked, lambda w: _move(w, 0, 0, 60)),
    "hold released": (lambda w: _booked(w, held=True), lambda w: _release_or_confirm(w, 0, False)),
    "hold lapses": (lambda w: _booked(w, held=True), lambda w: _advance(w, 50)),
    "queryset update of an appointment": (_booked, lambda w: _bulk(w, 1)),
    "appointment deleted": (_booked, lambda w: _bulk(w, 0)),
    "working hours added": (None, lambda w: _hours(w, 0, 0)),
    "working hours deleted": (None, lambda w: _hours(w, 0, 1)),
    "working hours updated (queryset)": (None, lambda w: _hours(w, 0, 2)),
    "working hours saved": (None, _hours_saved),
    "day off": (None, lambda w: _exception(w, 0, 0, False)),
    "extra hours": (None, lambda w: _exception(w, 0, 0, True)),
    "exception deleted": (lambda w: _exception(w, 0, 0, False), _exceptions_deleted),
    "time off": (None, lambda w: _time_off(w, 0, 0, 120)),
    "time off deleted": (lambda w: _time_off(w, 0, 0, 120), _time_off_deleted),
    "service length": (None, lambda w: _service(w, 90, 0)),
    "service buffer": (_booked, lambda w: _service(w, 60, 45)),
    "practitioner stops offering the service": (None, lambda w: _link(w, 0)),
    "practitioner inactive": (None, _inactive),
    "room inactive": (None, lambda w: _room(w, 0)),
    "notice": (None, lambda w: _policy(w, 5, 3, 30)),
    "horizon": (None, lambda w: _policy(w, 2, 1, 30)),
    "slot step": (None, lambda w: _policy(w, 2, 3, 15)),
    "time passes (notice)": (None, lambda w: _advance(w, 200)),
    "time zone": (None, _zone),
    "plain SQL": (_booked, _plain_sql),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_each_change_reaches_the_cache(name: str) -> None:
    first, change = CHANGES[name]
    w = _world()
    if first is not None:
        first(w)
    before = _check(w)
    change(w)
    after = _check(w)
    assert after != before, "the change must alter the answer, or this test shows nothing"


def test_a_search_inside_a_transaction_neither_reads_nor_fills_the_cache() -> None:
    from django.db import transaction

    w = _world()
    before = _check(w)
    with transaction.atomic():
        _booked(w)
        inside = _answers(w)
        transaction.set_rollback(True)
    assert inside != before
    assert _check(w) == before


def test_the_endpoint_answers_a_hit_in_one_statement_and_follows_a_change() -> None:
    """The availability endpoint reads the service, candidates, rooms and numbers in one statement
    (service_and_places): on a hit that is all it reads; a booking changes its next answer."""
    import json

    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    w = _world()
    url = (
        f"/api/v1/p/{w.practice.slug}/availability"
        f"?service={w.service.pk}&start={DAY}&end={DAY}&practitioner={w.people[0].pk}"
    )
    http = HttpClient()
    with time_machine.travel(w.now, tick=False):
        first = http.get(url)
        with CaptureQueriesContext(connection) as hit:
            again = http.get(url)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert [q["sql"][:40] for q in hit.captured_queries] == [hit.captured_queries[0]["sql"][:40]]
        # (logged as "QUERY = '...' - PARAMS = (...)" on PostgreSQL, where it runs prepared)
        assert "WITH sv AS" in hit.captured_queries[0]["sql"][:20]
        slots = json.loads(first.content)["slots"]
        assert slots, "the practitioner is free that day, or this test shows nothing"
        _booked(w)  # P0 at 12:00 local
        after = json.loads(http.get(url).content)["slots"]
    assert after != slots
    with slot_cache.bypassed():
        assert after == [
            {
                "start": s.start.astimezone(w.zone).isoformat(),
                "end": s.end.astimezone(w.zone).isoformat(),
                "practitioner": s.practitioner_id,
                "room": s.room_id,
            }
            for s in search_slots(
                practice=w.practice,
                service=w.service,
                practitioner_id=w.people[0].pk,
                first_day=DAY,
                last_day=DAY,
                now=w.now,
            ).slots
        ]


def test_the_endpoint_searches_only_the_style_asked_for() -> None:
    """`style` narrows the candidates read with the service (service_and_places), cached or not."""
    import json

    from django.test import Client as HttpClient

    w = _world()
    Practitioner.objects.filter(pk=w.people[0].pk).update(style="biodynamic")
    Practitioner.objects.filter(pk=w.people[1].pk).update(style="integrative")
    http = HttpClient()
    base = f"/api/v1/p/{w.practice.slug}/availability?service={w.service.pk}&start={DAY}&end={DAY}"
    with time_machine.travel(w.now, tick=False):
        for style, person in [("biodynamic", w.people[0]), ("integrative", w.people[1])]:
            for _ in range(2):  # filled, then kept
                slots = json.loads(http.get(f"{base}&style={style}").content)["slots"]
                assert slots and {s["practitioner"] for s in slots} == {person.pk}
        assert json.loads(http.get(f"{base}&style=biomechanical").content)["slots"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only")
def test_the_endpoint_statement_is_prepared_once_and_again_after_a_rollback() -> None:
    """On PostgreSQL the endpoint's statement runs prepared (search._prepared_rows): parsed and
    planned once per connection; a rollback makes psycopg forget it, and the next request prepares
    it again and answers the same."""
    from django.db import transaction
    from django.test import Client as HttpClient

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH sv AS%%'")
            return int(cursor.fetchone()[0])

    w = _world()
    url = f"/api/v1/p/{w.practice.slug}/availability?service={w.service.pk}&start={DAY}&end={DAY}&practitioner=any"
    http = HttpClient()
    with time_machine.travel(w.now, tick=False):
        answers = [http.get(url).content for _ in range(3)]
        assert prepared() == 1
        with transaction.atomic():
            assert prepared() == 1
            transaction.set_rollback(True)
        assert prepared() == 0
        answers.append(http.get(url).content)
        assert prepared() == 1
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert b'"slots": [{' in answers[0]
