"""search_slots: the one search every path uses (candidates and rooms, then one search across all of
them). Statement counts, not times: a search across many candidates must not become one per
candidate. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Cast
from longtide.practice.models import Practitioner
from longtide.scheduling.models import Appointment, WorkingHours
from longtide.scheduling.search import Found, search_slots

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)


def _colleagues(cast: Cast, count: int, *, style: str = "") -> list[Practitioner]:
    team = []
    for order in range(1, count + 1):
        person = Practitioner.objects.create(
            practice=cast.tidewater, display_name=f"P{order}", slug=f"p{order}", sort_order=order, style=style
        )
        cast.session.practitioners.add(person)
        for weekday in range(7):
            WorkingHours.objects.create(
                practitioner=person, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(17)
            )
        team.append(person)
    return team


def _staff_booking(cast: Cast, person: Practitioner, start: datetime, email: str) -> Appointment:
    """A session booked by the staff for `person` at `start` (booked, not held), as of NOW."""
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=person,
        start=start,
        client=ClientDetails("C", "P", email),
        source=Source.STAFF,
        now=NOW,
    ).appointment


def _search(cast: Cast, **kw: Any) -> tuple[Found, int]:
    with CaptureQueriesContext(connection) as ctx:
        found = search_slots(practice=cast.tidewater, service=cast.session, first_day=DAY, last_day=DAY, now=NOW, **kw)
    return found, len(ctx.captured_queries)


def _read_ahead(cast: Cast, moment: datetime, now: datetime, local: Any, pid: int | None = None) -> tuple[Any, Found]:
    """A booking's read: the service, the places and the inputs for `moment` in one statement
    (service_and_places with `at`), then the search at `moment` on them; the inputs and the Found."""
    from longtide.scheduling.search import service_and_places

    read = service_and_places("tidewater", cast.session.pk, practitioner_id=pid, at=moment, now=now)
    assert read is not None
    service, places = read
    inputs = places.ahead.pop(moment)
    found = search_slots(
        practice=service.practice,
        service=service,
        first_day=moment.astimezone(local).date(),
        last_day=moment.astimezone(local).date(),
        now=now,
        any_practitioner=pid is None,
        places=places,
        at=moment,
        inputs=inputs,
    )
    return inputs, found


def test_any_practitioner_is_two_statements_whatever_the_number_of_candidates(cast: Cast) -> None:
    _, alone = _search(cast)
    team = _colleagues(cast, 6)
    found, many = _search(cast)
    _, named = _search(cast, practitioner_id=team[2].pk)
    assert alone == many == named == 2
    assert found.practitioner_ids == [cast.ana.pk, *(p.pk for p in team)]
    # One slot per start, the first free in display order (Ana, free all day).
    assert found.slots and {s.practitioner_id for s in found.slots} == {cast.ana.pk}
    assert len({s.start for s in found.slots}) == len(found.slots)


def test_a_second_search_reuses_the_candidates(cast: Cast) -> None:
    _colleagues(cast, 2)
    found, _ = _search(cast)
    with CaptureQueriesContext(connection) as ctx:
        again = search_slots(
            practice=cast.tidewater,
            service=cast.session,
            first_day=DAY,
            last_day=DAY,
            now=NOW,
            any_practitioner=False,
            places=found.places,
        )
    assert len(ctx.captured_queries) == 1
    assert {s.practitioner_id for s in again.slots} == set(found.practitioner_ids), "every practitioner's slots"


def test_candidates_are_active_practitioners_offering_the_service_of_the_style(cast: Cast) -> None:
    team = _colleagues(cast, 3, style="biomechanical")
    Practitioner.objects.filter(pk=team[0].pk).update(active=False)
    cast.session.practitioners.remove(team[1])
    found, _ = _search(cast)
    assert found.practitioner_ids == [cast.ana.pk, team[2].pk]
    styled, _ = _search(cast, style="biomechanical")
    assert styled.practitioner_ids == [team[2].pk]
    inactive, _ = _search(cast, practitioner_id=team[0].pk)
    assert (inactive.practitioner_ids, inactive.slots) == ([], [])
    # Moving an appointment keeps to its practitioner, offered or not.
    kept, _ = _search(cast, practitioner_id=team[1].pk, offered_only=False)
    assert kept.practitioner_ids == [team[1].pk] and kept.slots


def test_a_search_at_one_start_agrees_with_the_whole_day(cast: Cast) -> None:
    # A booking re-searches only its start, reading busy time only around it: at every start of
    # the day it must give what the day's search gives there (the same practitioner and room).
    from datetime import timedelta

    team = _colleagues(cast, 2)
    for n, (person, hour, minute) in enumerate(
        [(cast.ana, 15, 0), (team[0], 15, 0), (cast.ana, 17, 45), (team[1], 19, 30)]
    ):
        _staff_booking(cast, person, datetime(2026, 12, 2, hour, minute, tzinfo=UTC), f"c{n}@example.test")
    for any_practitioner in (True, False):
        day, _ = _search(cast, any_practitioner=any_practitioner)
        starts = sorted({s.start for s in day.slots})
        assert len(starts) > 10
        moment = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
        while moment < datetime(2026, 12, 3, 1, 0, tzinfo=UTC):
            at, _ = _search(cast, any_practitioner=any_practitioner, at=moment)
            expected = [(s.practitioner_id, s.room_id) for s in day.slots if s.start == moment]
            assert [(s.practitioner_id, s.room_id) for s in at.slots] == expected, moment
            moment += timedelta(minutes=15)


@pytest.mark.parametrize("zone", ["America/Santiago", "Pacific/Kiritimati", "Pacific/Chatham", "Australia/Lord_Howe"])
def test_a_day_searched_alone_agrees_with_it_searched_among_its_neighbours(cast: Cast, zone: str) -> None:
    # A search reads busy time only around its own days. Working all day, busy around every
    # midnight (appointments in both rooms, time off): the middle day's slots must be the same
    # whether it is searched alone or with the days on either side (which reads past its edges).
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from longtide.scheduling.models import TimeOff

    cast.location.time_zone = zone
    cast.location.save()
    tz = ZoneInfo(zone)
    colleague = _colleagues(cast, 1)[0]
    WorkingHours.objects.filter(practitioner__in=[cast.ana, colleague]).update(
        start_time=time(0), end_time=time(23, 45)
    )
    middle = date(2026, 12, 9)
    n = 0
    for day in (middle - timedelta(days=1), middle, middle + timedelta(days=1)):
        for person, hour, minute in ((cast.ana, 21, 45), (colleague, 22, 15), (cast.ana, 0, 15), (colleague, 2, 0)):
            n += 1
            _staff_booking(cast, person, datetime.combine(day, time(hour, minute), tz), f"c{n}@example.test")
        midnight = datetime.combine(day, time(0), tz)
        off = timedelta(minutes=20)
        TimeOff.objects.create(practitioner=colleague, start=midnight - off, end=midnight + off)
    for any_practitioner in (True, False):
        alone = search_slots(
            practice=cast.tidewater,
            service=cast.session,
            first_day=middle,
            last_day=middle,
            now=NOW,
            any_practitioner=any_practitioner,
        )
        wide = search_slots(
            practice=cast.tidewater,
            service=cast.session,
            first_day=middle - timedelta(days=1),
            last_day=middle + timedelta(days=1),
            now=NOW,
            any_practitioner=any_practitioner,
        )
        key = [(s.start, s.practitioner_id, s.room_id) for s in alone.slots]
        assert key == [
            (s.start, s.practitioner_id, s.room_id) for s in wide.slots if s.start.astimezone(tz).date() == middle
        ]
        assert len(key) > 20


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_inputs_read_ahead_with_the_places_agree_with_the_whole_day(cast: Cast, zone: str) -> None:
    # The API's first statement reads a booking's search inputs with the service and the places
    # (service_and_places with `at`), over a window worked out from the service's duration and
    # buffers: at every start the search on them must give what the day's search gives there.
    from datetime import timedelta

    from longtide.practice.models import Service
    from longtide.scheduling.models import HoursException, TimeOff

    type(cast.location).objects.filter(pk=cast.location.pk).update(time_zone=zone)
    Service.objects.filter(pk=cast.session.pk).update(buffer_before_minutes=20, buffer_after_minutes=25)
    cast.session.refresh_from_db()
    team = _colleagues(cast, 3)
    birch = type(cast.willow).objects.create(location=cast.location, name="Birch", sort_order=2)
    local = ZoneInfo(zone)
    for n, (person, hour, minute) in enumerate(
        [
            (cast.ana, 10, 0),
            (team[0], 10, 0),
            (team[1], 10, 0),  # in Birch, the one room left; moved to the Annex below
            (team[1], 12, 45),
            (team[1], 14, 30),
            (cast.ana, 15, 0),
            (team[2], 13, 30),  # in the third room, Birch: the other two are taken then
        ]
    ):
        _staff_booking(cast, person, datetime.combine(DAY, time(hour, minute), local), f"c{n}@example.test")
    # Two of them held: P1's at 10:00 still (busy time), Ana's at 15:00 lapsed (not).
    from longtide.scheduling.models import Status

    for person, hour, until in ((team[0], 10, timedelta(days=3)), (cast.ana, 15, -timedelta(days=3))):
        held = Appointment.objects.filter(practitioner=person, start=datetime.combine(DAY, time(hour), local))
        assert held.update(status=Status.HELD, hold_until=NOW + until) == 1
    TimeOff.objects.create(
        practitioner=team[1],
        start=datetime.combine(DAY, time(11, 5), local),
        end=datetime.combine(DAY, time(11, 40), local),
    )
    HoursException.objects.create(
        practitioner=team[0], location=cast.location, date=DAY, available=False, start_time=time(16), end_time=time(17)
    )
    # P2's 10:00 session moved to a room the service may not use: the suitable rooms' busy time
    # does not hold it, P2's own does. At 10:00 Ana and P1 are busy too, and P3 does not work
    # then: nobody is free (the read ahead leaves a busy candidate out by the suitable rooms'
    # appointments only, and brings the others' whole).
    annex = type(cast.willow).objects.create(location=cast.location, name="Annex", sort_order=4)
    moved = Appointment.objects.filter(practitioner=team[1], start=datetime.combine(DAY, time(10), local))
    assert moved.filter(room=birch).update(room=annex) == 1
    cast.session.rooms.set([cast.willow, cast.cedar, birch])
    # P3 no longer works that weekday, but the session booked before stays, and keeps its room:
    # the read ahead leaves P3 out (no hours near any start), not P3's booking in that room.
    WorkingHours.objects.filter(practitioner=team[2], weekday=DAY.weekday()).delete()
    early = NOW - timedelta(days=2)  # the day well inside the notice and horizon in every zone
    # The practice's setup read and kept in this process once (setup_cache), after every change.
    _read_ahead(cast, datetime.combine(DAY, time(8), local), early, local)
    for pid in (None, cast.ana.pk):
        day = search_slots(
            practice=cast.tidewater,
            service=cast.session,
            first_day=DAY,
            last_day=DAY,
            now=early,
            practitioner_id=pid,
            any_practitioner=pid is None,
        )
        assert len({s.start for s in day.slots}) > 5
        moment = datetime.combine(DAY, time(8), local)
        while moment < datetime.combine(DAY, time(18), local):
            with CaptureQueriesContext(connection) as ctx:
                _, at = _read_ahead(cast, moment, early, local, pid)
            assert len(ctx.captured_queries) == 1, "the search reads nothing more"
            expected = [(s.practitioner_id, s.room_id) for s in day.slots if s.start == moment]
            assert [(s.practitioner_id, s.room_id) for s in at.slots] == expected, (pid, moment)
            moment += timedelta(minutes=5)


def test_a_bookings_read_ahead_brings_only_the_candidates_with_hours_near_its_start(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With `at`, the candidates who have no working time near the start (no weekly hours then, no
    # extra hours those days) cannot be free then: only their number comes (Places.others), not
    # their rows, hours or bookings. Extra hours (an exception) bring a candidate; a day off alone
    # does not.
    from longtide.scheduling import setup_cache
    from longtide.scheduling.models import HoursException
    from longtide.scheduling.search import service_and_places

    team = _colleagues(cast, 5)
    weekday = DAY.weekday()
    WorkingHours.objects.filter(practitioner__in=team[1:4], weekday=weekday).delete()
    HoursException.objects.create(
        practitioner=team[1], location=cast.location, date=DAY, available=True, start_time=time(9), end_time=time(12)
    )
    HoursException.objects.create(practitioner=team[2], location=cast.location, date=DAY, available=False)
    WorkingHours.objects.create(
        practitioner=team[3], location=cast.location, weekday=weekday, start_time=time(14), end_time=time(17)
    )
    ten = datetime.combine(DAY, time(10), ZoneInfo("America/New_York"))
    # The first read in this process, the setup not yet kept (setup_cache): the same answer.
    monkeypatch.setattr(setup_cache, "_kept", {})
    for _ in range(2):
        read = service_and_places("tidewater", cast.session.pk, at=ten, now=NOW)
        assert read is not None
        places = read[1]
        # Only those with hours near 10:00, in their order; P2 by the exception's hours.
        assert places.practitioner_ids == [cast.ana.pk, team[0].pk, team[1].pk, team[4].pk]
        assert (places.others, places.candidates) == (2, 6)
    assert set(places.practitioner_rows) == set(places.practitioner_ids)
    # Named: the one candidate comes whatever their hours (nothing to leave out; the engine
    # judges), and a practitioner who does not offer the service comes as none at all.
    read = service_and_places("tidewater", cast.session.pk, practitioner_id=team[2].pk, at=ten, now=NOW)
    assert read is not None
    assert (read[1].practitioner_ids, read[1].others) == ([team[2].pk], 0)
    read = service_and_places("tidewater", cast.harbour_session.pk, at=ten, now=NOW)
    assert read is None
    elsewhere = Practitioner.objects.create(practice=cast.tidewater, display_name="Not offering", slug="no")
    read = service_and_places("tidewater", cast.session.pk, practitioner_id=elsewhere.pk, at=ten, now=NOW)
    assert read is not None
    assert (read[1].practitioner_ids, read[1].others) == ([], 0)


def _free_then_by_the_day_and_by_the_read_ahead(cast: Cast, places: Any, moment: datetime) -> list[int]:
    """Who the day's whole search finds free at `moment`, after checking that the engine, given
    only what the read ahead read for it (`places.ahead`), finds the same practitioners free then."""
    from longtide.scheduling.search import find_slots

    everyone = search_slots(
        practice=cast.tidewater, service=cast.session, first_day=DAY, last_day=DAY, now=NOW, any_practitioner=False
    )
    free_then = [s.practitioner_id for s in everyone.slots if s.start == moment]
    kept = find_slots(
        practice=cast.tidewater,
        service=cast.session,
        practitioner_ids=places.practitioner_ids,
        first_day=DAY,
        last_day=DAY,
        now=NOW,
        rooms=places.rooms,
        at=moment,
        inputs=places.ahead.pop(moment),
    )
    assert [s.practitioner_id for s in kept.slots] == free_then
    return free_then


def test_a_candidate_with_weekly_and_extra_hours_comes_once(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    # The statement's candidates (`wc`) are those whose weekly hours hold the session and those
    # with extra hours those days, put together without de-duplication (UNION ALL): one in both
    # lists is still one candidate, with one set of rows, judged as the day's search judges them.
    from longtide.scheduling import setup_cache
    from longtide.scheduling.models import HoursException
    from longtide.scheduling.search import service_and_places

    team = _colleagues(cast, 2)
    HoursException.objects.create(
        practitioner=team[0], location=cast.location, date=DAY, available=True, start_time=time(17), end_time=time(19)
    )
    HoursException.objects.create(
        practitioner=cast.ana, location=cast.location, date=DAY, available=True, start_time=time(7), end_time=time(8)
    )
    moment = datetime.combine(DAY, time(10), ZoneInfo("America/New_York"))
    monkeypatch.setattr(setup_cache, "_kept", {})
    for _ in range(2):  # the setup read, then kept
        read = service_and_places("tidewater", cast.session.pk, at=moment, now=NOW)
        assert read is not None
        places = read[1]
        assert places.practitioner_ids == [cast.ana.pk, team[0].pk, team[1].pk]
        assert (places.others, places.candidates) == (0, 3)
        inputs = places.ahead[moment]
        assert sorted(pid for pid, _ in inputs.extra) == sorted([cast.ana.pk, team[0].pk])
        assert [len(hours) for hours in inputs.extra.values()] == [1, 1]
    assert _free_then_by_the_day_and_by_the_read_ahead(cast, places, moment) == places.practitioner_ids


def test_an_any_practitioner_read_ahead_keeps_only_the_candidates_whose_hours_hold_the_session(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no practitioner named, a candidate comes only when one span of their weekly hours that
    # day (rows that overlap or touch merged, as the engine merges them) holds the whole session,
    # or when they have extra hours those days: hours that only overlap or touch the session
    # cannot make them free then. Whoever is left out must be someone the day's search finds busy
    # or off at that start, and each candidate kept must be judged as the day's search judges them
    # (their weekly rows come with the exception's extra hours, which may need them).
    from longtide.scheduling import setup_cache
    from longtide.scheduling.models import HoursException
    from longtide.scheduling.search import service_and_places

    team = _colleagues(cast, 6)
    weekday = DAY.weekday()
    WorkingHours.objects.filter(practitioner__in=team, weekday=weekday).delete()
    spans = {
        team[0]: [(time(9), time(12)), (time(12), time(17))],  # touching rows: one span, holds 11:30-12:30
        team[1]: [(time(9), time(12))],  # and extra hours 12-13 that day: together they hold it
        team[2]: [(time(9), time(12))],  # overlaps the session, does not hold it
        team[3]: [(time(12, 30), time(17))],  # touches its end
        team[4]: [(time(11, 30), time(12, 30))],  # exactly the session
        team[5]: [(time(9), time(12, 10)), (time(12, 20), time(17))],  # a gap within it
    }
    for person, rows in spans.items():
        for start, end in rows:
            WorkingHours.objects.create(
                practitioner=person, location=cast.location, weekday=weekday, start_time=start, end_time=end
            )
    HoursException.objects.create(
        practitioner=team[1], location=cast.location, date=DAY, available=True, start_time=time(12), end_time=time(13)
    )
    local = ZoneInfo("America/New_York")
    moment = datetime.combine(DAY, time(11, 30), local)
    monkeypatch.setattr(setup_cache, "_kept", {})
    for _ in range(2):  # the setup read, then kept
        read = service_and_places("tidewater", cast.session.pk, at=moment, now=NOW)
        assert read is not None
        places = read[1]
        assert places.practitioner_ids == [cast.ana.pk, team[0].pk, team[1].pk, team[4].pk]
        assert (places.others, places.candidates) == (3, 7)
    assert _free_then_by_the_day_and_by_the_read_ahead(cast, places, moment) == places.practitioner_ids


def test_a_bookings_read_ahead_leaves_out_the_candidates_busy_at_its_start(cast: Cast) -> None:
    # With no practitioner named, a candidate with an appointment whose blocked range rules the
    # start out (the engine's rule: it overlaps the new session's buffer before, length and buffer
    # after) cannot be free then: only their number comes. A booking that only touches that range
    # does not rule it out, nor does a lapsed hold; a live hold does.
    from datetime import timedelta

    from longtide.practice.models import Service
    from longtide.scheduling.models import Status
    from longtide.scheduling.search import service_and_places

    Service.objects.filter(pk=cast.session.pk).update(buffer_before_minutes=10, buffer_after_minutes=15)
    cast.session.refresh_from_db()
    team = _colleagues(cast, 3)
    local = ZoneInfo("America/New_York")
    type(cast.willow).objects.create(location=cast.location, name="Birch", sort_order=2)
    type(cast.willow).objects.create(location=cast.location, name="Cedar", sort_order=3)

    def book(person: Practitioner, hour: int, minute: int) -> Appointment:
        return _staff_booking(
            cast, person, datetime.combine(DAY, time(hour, minute), local), f"{person.slug}.{hour}@example.test"
        )

    # P1 booked 10:00-11:00 (blocked 9:50-11:15); P2 9:00-10:00 (blocked until 10:15); P3 10:00.
    book(team[0], 10, 0)
    touching = book(team[1], 9, 0)
    held = book(team[2], 10, 0)
    Appointment.objects.filter(pk=held.pk).update(status=Status.HELD, hold_until=NOW + timedelta(hours=1))
    # A session at 10:25 blocks 10:15-11:40: P2's blocked range ends as it begins.
    start = touching.blocked_end + timedelta(minutes=10)
    assert start == datetime.combine(DAY, time(10, 25), local)

    def read(pid: int | None = None) -> list[int]:
        got = service_and_places("tidewater", cast.session.pk, practitioner_id=pid, at=start, now=NOW)
        assert got is not None
        assert got[1].candidates == (1 if pid else 4)
        return got[1].practitioner_ids

    assert read() == [cast.ana.pk, team[1].pk]
    # Named, the one candidate comes busy or not: the engine answers (and the API says why).
    assert read(team[0].pk) == [team[0].pk]
    # A minute later, P2's range overlaps the session's buffer before: P2 is busy too.
    start += timedelta(minutes=-1)
    assert read() == [cast.ana.pk]
    start += timedelta(minutes=1)
    Appointment.objects.filter(pk=held.pk).update(hold_until=NOW - timedelta(minutes=1))
    assert read() == [cast.ana.pk, team[1].pk, team[2].pk]


@pytest.mark.parametrize("ahead", [False, True])
def test_service_and_places_reads_the_service_once_and_only_of_that_practice(cast: Cast, ahead: bool) -> None:
    # The service and its practice come on one row of their own, the places on theirs (sv FULL
    # JOIN x ON false): the places of a service the practice does not have (another practice's
    # slug, an inactive service) still come back from the database, and must not be answered.
    from longtide.practice.models import Practice, Service
    from longtide.scheduling.search import service_and_places

    intro = "Gentle, hands-on work. " * 40
    Practice.objects.filter(pk=cast.tidewater.pk).update(intro=intro)
    team = _colleagues(cast, 3)
    # 15:00 UTC: 10:00 in New York, when all four work (with `at` only they come: see below).
    at: dict[str, Any] = {"at": datetime.combine(DAY, time(15), UTC), "now": NOW} if ahead else {}
    read = service_and_places("tidewater", cast.session.pk, **at)
    assert read is not None
    service, places = read
    assert (service.pk, service.name, service.duration_minutes) == (cast.session.pk, cast.session.name, 60)
    assert (service.practice.pk, service.practice.slug, service.practice.intro) == (
        cast.tidewater.pk,
        "tidewater",
        intro,
    )
    assert places.practitioner_ids == [cast.ana.pk, *(p.pk for p in team)]
    assert [room for room, _, _ in places.rooms] == [cast.willow.pk, cast.cedar.pk]
    assert service_and_places("harbour", cast.session.pk, **at) is None
    assert service_and_places("tidewater", cast.harbour_session.pk, **at) is None
    Service.objects.filter(pk=cast.session.pk).update(active=False)
    assert service_and_places("tidewater", cast.session.pk, **at) is None


@pytest.mark.parametrize(
    ("zone", "middle"),
    [
        ("Pacific/Kiritimati", DAY),
        ("Pacific/Pago_Pago", DAY),
        ("America/New_York", date(2026, 11, 1)),  # the clocks go back an hour
        ("Australia/Lord_Howe", date(2026, 10, 4)),  # forward half an hour
        ("Pacific/Chatham", date(2026, 9, 27)),  # forward an hour, at 02:45
    ],
)
@pytest.mark.parametrize("minutes", [45, 720])
def test_inputs_read_ahead_hold_only_the_hours_a_session_then_can_touch(
    cast: Cast, zone: str, middle: date, minutes: int
) -> None:
    # A booking's read ahead keeps only the weekly hours near the clock readings a session at its
    # start can show (worked out from the practice's setup kept in this process: setup_cache),
    # not every candidate's whole week. At every start of three days, across changes of the
    # clocks, with hours on different weekdays per practitioner, sessions short and long, the
    # search on them must give what the days' search gives there.
    from datetime import timedelta

    from longtide.practice.models import Service
    from longtide.scheduling.search import service_and_places

    type(cast.location).objects.filter(pk=cast.location.pk).update(time_zone=zone)
    Service.objects.filter(pk=cast.session.pk).update(
        duration_minutes=minutes, buffer_before_minutes=10, buffer_after_minutes=15
    )
    cast.session.refresh_from_db()
    team = _colleagues(cast, 3)
    WorkingHours.objects.filter(practitioner__in=[cast.ana, *team]).delete()
    patterns = {
        cast.ana: {2: [(time(9), time(12))], 4: [(time(14), time(18))]},
        team[0]: {day: [(time(0), time(23, 59))] for day in (0, 2, 4, 6)},
        team[1]: {day: [(time(6), time(11)), (time(12), time(20))] for day in (1, 3, 5)},
        team[2]: {day: [(time(5), time(23))] for day in range(7)},
    }
    for person, weekly in patterns.items():
        for weekday, spans in weekly.items():
            for start, end in spans:
                WorkingHours.objects.create(
                    practitioner=person, location=cast.location, weekday=weekday, start_time=start, end_time=end
                )
    local = ZoneInfo(zone)
    early = datetime.combine(middle - timedelta(days=3), time(12), UTC)
    first, last = middle - timedelta(days=1), middle + timedelta(days=1)
    session = timedelta(minutes=minutes)

    def near(moment: datetime, hours: Any) -> bool:
        """Whether the weekly hours meet the session's local clock readings, give or take two hours."""
        a = moment.astimezone(local).replace(tzinfo=None)
        b = (moment + session).astimezone(local).replace(tzinfo=None)  # (moment in UTC: real time)
        lo, hi = min(a, b - session) - timedelta(hours=2), max(a + session, b) + timedelta(hours=2)
        days = (lo.date() + timedelta(days=n) for n in range((hi.date() - lo.date()).days + 1))
        return any(
            day.weekday() == hours.weekday
            and datetime.combine(day, hours.start) < hi
            and datetime.combine(day, hours.end) > lo
            for day in days
        )

    # The zone as read, then guessed (a first read keeps every hour: see the next test).
    service_and_places("tidewater", cast.session.pk, at=datetime.combine(middle, time(12), local), now=early)
    for pid in (None, team[0].pk):
        whole = search_slots(
            practice=cast.tidewater,
            service=cast.session,
            first_day=first,
            last_day=last,
            now=early,
            practitioner_id=pid,
            any_practitioner=pid is None,
        )
        assert len({s.start for s in whole.slots}) > 5
        # In UTC, so that each step is 45 real minutes across the changes of the clocks.
        moment = datetime.combine(first, time(0), local).astimezone(UTC)
        while moment < datetime.combine(last + timedelta(days=1), time(0), local):
            inputs, at = _read_ahead(cast, moment, early, local, pid)
            far = [hours for each in inputs.weekly.values() for hours in each if not near(moment, hours)]
            assert not far, (moment, far)
            expected = [(s.practitioner_id, s.room_id) for s in whole.slots if s.start == moment]
            assert [(s.practitioner_id, s.room_id) for s in at.slots] == expected, (pid, moment)
            moment += timedelta(minutes=45)


@pytest.mark.parametrize(
    ("day", "rows"),
    [
        # 29 March 2026, 01:00 UTC: the clocks jump from 01:00 to 03:00. A session at 00:30 UTC for
        # an hour shows 00:30-01:00, then 03:00-03:30: it needs the hours from 03:10 too.
        (date(2026, 3, 29), [(time(0), time(3, 10)), (time(3, 10), time(6))]),
        # 25 October 2026, 01:00 UTC: back from 03:00 to 01:00. A session at 00:30 UTC shows
        # 02:30-03:00, then 01:00-01:30: it needs the hours before 01:20 too.
        (date(2026, 10, 25), [(time(0), time(1, 20)), (time(1, 20), time(6))]),
    ],
)
def test_inputs_read_ahead_keep_the_hours_a_session_reaches_when_the_clocks_jump(
    cast: Cast, day: date, rows: list[tuple[time, time]]
) -> None:
    # At Troll the clocks jump two hours. The hours a session at 00:30 UTC needs lie outside its
    # start's reading plus its length (with a minute either side): the read ahead must keep them
    # (the change of the clock over the session widens the window) and find the slot the day's
    # search finds.
    from datetime import timedelta

    from longtide.scheduling.search import service_and_places

    type(cast.location).objects.filter(pk=cast.location.pk).update(time_zone="Antarctica/Troll")
    WorkingHours.objects.filter(practitioner=cast.ana).delete()
    for start, end in rows:
        WorkingHours.objects.create(
            practitioner=cast.ana, location=cast.location, weekday=6, start_time=start, end_time=end
        )
    early = datetime.combine(day - timedelta(days=4), time(12), UTC)
    moment = datetime.combine(day, time(0, 30), UTC)
    whole = search_slots(practice=cast.tidewater, service=cast.session, first_day=day, last_day=day, now=early)
    assert (moment, moment + timedelta(hours=1), cast.ana.pk) in [
        (s.start, s.end, s.practitioner_id) for s in whole.slots
    ]
    service_and_places("tidewater", cast.session.pk, at=moment, now=early)  # the zone read, then guessed
    inputs, at = _read_ahead(cast, moment, early, ZoneInfo("Antarctica/Troll"))
    assert sorted((h.start, h.end) for each in inputs.weekly.values() for h in each) == rows
    assert [(s.start, s.practitioner_id) for s in at.slots] == [(moment, cast.ana.pk)]


def test_a_read_ahead_reads_the_busy_time_in_elapsed_minutes_across_a_change_of_the_clock(cast: Cast) -> None:
    # The busy time read around a start is its buffer before, duration and buffer after in elapsed
    # time (as the database adds minutes to a timestamp), not on the wall clock: on the morning New
    # York's clocks jump (02:00 EST is 03:00 EDT), an hour's buffer before 03:00 EDT begins at 01:00
    # EST. Reckoned on the wall clock (02:00, which does not exist, read as EST) it would begin an
    # hour late, and an appointment ending within that hour would not be read: the start would look
    # free. The read ahead must agree with the day's search, the start given in the local zone.
    from datetime import timedelta

    from longtide.practice.models import Service

    local = ZoneInfo("America/New_York")
    day = date(2027, 3, 14)
    WorkingHours.objects.filter(practitioner=cast.ana).delete()
    WorkingHours.objects.create(
        practitioner=cast.ana, location=cast.location, weekday=day.weekday(), start_time=time(0), end_time=time(12)
    )
    Service.objects.filter(pk=cast.session.pk).update(buffer_before_minutes=60, buffer_after_minutes=0)
    cast.session.refresh_from_db()
    # 00:30-01:30 EST, blocked from 23:30 EST the night before (04:30-06:30 UTC).
    _staff_booking(cast, cast.ana, datetime.combine(day, time(0, 30), local), "early@example.com")
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    whole = search_slots(
        practice=cast.tidewater, service=cast.session, first_day=day, last_day=day, now=now, any_practitioner=False
    )
    starts = {s.start for s in whole.slots if s.practitioner_id == cast.ana.pk}
    busy = datetime.combine(day, time(7), UTC)  # 03:00 EDT: its buffer from 01:00 EST (06:00 UTC)
    free = busy + timedelta(hours=1)  # 04:00 EDT: its buffer from 03:00 EDT
    assert busy.astimezone(local).hour == 3 and free in starts and busy not in starts
    for moment in (busy.astimezone(local), free.astimezone(local)):
        for pid in (cast.ana.pk, None):
            _, at = _read_ahead(cast, moment, now, local, pid)
            assert [s.start for s in at.slots if s.practitioner_id == cast.ana.pk] == (
                [moment] if moment in starts else []
            )


CHANGES = ["zone", "hours", "inactive", "offer", "duration", "new hours"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_the_setup_shows_on_the_next_read_ahead_in_the_same_process(
    cast: Cast, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A booking's read ahead works out who may be free from the practice's setup kept in this
    # process (setup_cache: practitioners, offers, weekly hours, locations' zones, services'
    # lengths). Each change here, made by a queryset update or plain SQL after the setup was kept,
    # would give a wrong answer from the copy kept: the next read must see it (the database's
    # number for the practice, migration 0017, read in the same statement).
    from datetime import timedelta

    from longtide.practice.models import Location, Service
    from longtide.scheduling import setup_cache

    monkeypatch.setattr(setup_cache, "_kept", {})  # nothing kept from another test
    team = _colleagues(cast, 2)  # every day 09:00-17:00, after Ana in display order
    local = ZoneInfo("America/New_York")
    moment = datetime.combine(DAY, time(10), local)
    early = NOW - timedelta(days=3)
    table = WorkingHours._meta.db_table
    if change == "duration":  # Ana's day in two rows, meeting at 10:30; 20-minute sessions
        WorkingHours.objects.filter(practitioner=cast.ana, weekday=DAY.weekday()).delete()
        for start, end in ((time(9), time(10, 30)), (time(10, 30), time(17))):
            WorkingHours.objects.create(
                practitioner=cast.ana, location=cast.location, weekday=DAY.weekday(), start_time=start, end_time=end
            )
        Service.objects.filter(pk=cast.session.pk).update(duration_minutes=20)
    if change == "new hours":  # nobody works at 18:00 until P2 does
        moment = datetime.combine(DAY, time(18), local)
    if change == "zone":  # 10:00 at Kiritimati is 15:00 the day before in New York
        moment = datetime.combine(DAY, time(10), ZoneInfo("Pacific/Kiritimati"))
    cast.session.refresh_from_db()
    _, before = _read_ahead(cast, moment, early, local)
    assert setup_cache.kept("tidewater") is not None
    if change == "zone":
        Location.objects.filter(pk=cast.location.pk).update(time_zone="Pacific/Kiritimati")
        local = ZoneInfo("Pacific/Kiritimati")
    elif change == "hours":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE practitioner_id = %s", [cast.ana.pk])
    elif change == "inactive":
        Practitioner.objects.filter(pk=cast.ana.pk).update(active=False)
    elif change == "offer":
        cast.session.practitioners.remove(cast.ana)
    elif change == "duration":
        Service.objects.filter(pk=cast.session.pk).update(duration_minutes=60)
    else:
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(
                    practitioner=team[1],
                    location=cast.location,
                    weekday=DAY.weekday(),
                    start_time=time(17),
                    end_time=time(20),
                )
            ]
        )
    cast.session.refresh_from_db()
    whole = search_slots(
        practice=cast.tidewater, service=cast.session, first_day=DAY - timedelta(days=1), last_day=DAY, now=early
    )
    expected = [(s.practitioner_id, s.room_id) for s in whole.slots if s.start == moment]
    _, at = _read_ahead(cast, moment, early, local)
    assert [(s.practitioner_id, s.room_id) for s in at.slots] == expected
    if change in ("zone", "duration"):
        # The answer stays Ana's; from the copy kept, her hours near the start would be the wrong
        # weekday's (zone) or only the first row (duration): nobody, or P1.
        assert expected == [(cast.ana.pk, cast.willow.pk)]
    else:
        assert expected != [(s.practitioner_id, s.room_id) for s in before.slots], "the change changes the answer"


@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
@pytest.mark.parametrize("table", ["practitioner", "location", "service", "offer", "hours"])
def test_the_practices_setup_number_changes_with_every_write_the_read_ahead_keeps(
    cast: Cast, table: str, operation: str
) -> None:
    # Migration 0017's triggers, however the row is written (here the ORM's insert, queryset
    # update and delete): a new number for the practice, none for the other practice.
    from longtide.practice.models import Location, Service
    from longtide.scheduling.models import BusyVersion

    def numbers() -> tuple[int | None, int | None]:
        found = dict(BusyVersion.objects.filter(kind=BusyVersion.SETUP).values_list("ref", "version"))
        return found.get(cast.tidewater.pk), found.get(cast.harbour.pk)

    rows: dict[str, Any] = {
        "practitioner": lambda: Practitioner.objects.create(practice=cast.tidewater, display_name="New", slug="new"),
        "location": lambda: Location.objects.create(practice=cast.tidewater, name="Annex"),
        "service": lambda: Service.objects.create(
            practice=cast.tidewater, name="New", slug="new", duration_minutes=30, price="10.00"
        ),
        "offer": lambda: Service.practitioners.through.objects.create(service=cast.first_visit, practitioner=cast.ana),
        "hours": lambda: WorkingHours.objects.create(
            practitioner=cast.ana, location=cast.location, weekday=0, start_time=time(18), end_time=time(19)
        ),
    }
    Service.practitioners.through.objects.filter(service=cast.first_visit, practitioner=cast.ana).delete()
    made = rows[table]()
    model = type(made)
    changed = {"practitioner": "display_name", "location": "name", "service": "name", "hours": "end_time"}
    first = numbers()
    if operation == "insert":
        model.objects.filter(pk=made.pk).delete()
        first = numbers()
        rows[table]()
    elif operation == "update":
        field = changed.get(table, "practitioner_id")
        value = {"end_time": time(20), "practitioner_id": cast.ana.pk}.get(field, "Renamed")
        assert model.objects.filter(pk=made.pk).update(**{field: value}) == 1
    else:
        model.objects.filter(pk=made.pk).delete()
    after = numbers()
    assert after[0] is not None and after[0] != first[0]
    assert after[1] == first[1], "another practice's number stays"


def test_the_hours_found_per_weekly_time_are_kept_per_copy_and_bounded(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What _covering works out for a weekly time (who holds a session then) is kept with the copy
    # of the setup: the same weekly time a week later reuses it, a change to the setup starts a
    # new copy with nothing kept, and no more than COVERING answers are kept.
    from datetime import timedelta

    from longtide.scheduling import setup_cache
    from longtide.scheduling.search import service_and_places

    monkeypatch.setattr(setup_cache, "_kept", {})
    local = ZoneInfo("America/New_York")
    ten = datetime.combine(DAY, time(10), local)
    assert service_and_places("tidewater", cast.session.pk, at=ten, now=NOW) is not None
    setup = setup_cache.kept("tidewater")
    assert setup is not None and len(setup.covering) == 1
    (held,) = setup.covering.values()
    assert set(held) == {cast.ana.pk}
    assert service_and_places("tidewater", cast.session.pk, at=ten + timedelta(days=7), now=NOW) is not None
    assert setup_cache.kept("tidewater") is setup and list(setup.covering.values()) == [held]
    monkeypatch.setattr(setup_cache, "COVERING", 3)
    for hour in range(11, 16):
        service_and_places("tidewater", cast.session.pk, at=datetime.combine(DAY, time(hour), local), now=NOW)
        assert 1 <= len(setup.covering) <= 3
    WorkingHours.objects.filter(practitioner=cast.ana, weekday=DAY.weekday()).update(end_time=time(10, 30))
    read = service_and_places("tidewater", cast.session.pk, at=ten, now=NOW)
    assert read is not None and read[1].practitioner_ids == []  # 10:00-11:00 no longer held
    fresh = setup_cache.kept("tidewater")
    assert fresh is not setup and fresh is not None and list(fresh.covering.values()) == [{}]


def test_extra_hours_at_another_location_come_with_that_locations_weekly_hours(cast: Cast) -> None:
    # A practitioner whose hours hold the session at one location, and who has extra hours that
    # day at another (listed first: its room comes first), where they extend weekly hours that do
    # not hold it alone: the read ahead must give the engine those weekly hours too, so that it
    # finds the practitioner free at the first location, as the day's search does.
    from longtide.practice.models import Location, Room
    from longtide.scheduling.models import HoursException

    quay = Location.objects.create(practice=cast.tidewater, name="Quay", time_zone="America/New_York")
    Room.objects.filter(location=cast.location).update(sort_order=5)
    aspen = Room.objects.create(location=quay, name="Aspen", sort_order=0)  # the first room: the Quay first
    WorkingHours.objects.create(
        practitioner=cast.ana, location=quay, weekday=DAY.weekday(), start_time=time(9), end_time=time(12)
    )
    HoursException.objects.create(
        practitioner=cast.ana, location=quay, date=DAY, available=True, start_time=time(12), end_time=time(13)
    )
    moment = datetime.combine(DAY, time(11, 30), ZoneInfo("America/New_York"))
    whole = search_slots(practice=cast.tidewater, service=cast.session, first_day=DAY, last_day=DAY, now=NOW)
    expected = [(s.practitioner_id, s.room_id) for s in whole.slots if s.start == moment]
    assert expected == [(cast.ana.pk, aspen.pk)]
    for _ in range(2):  # the setup read, then kept
        _, found = _read_ahead(cast, moment, NOW, ZoneInfo("America/New_York"))
        assert [(s.practitioner_id, s.room_id) for s in found.slots] == expected
