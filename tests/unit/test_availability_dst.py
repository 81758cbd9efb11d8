"""Daylight-saving behaviour of the availability engine.

Rule under test (see longtide.scheduling.availability): wall-clock hours cover exactly the instants at
which a clock in the location's zone shows a time inside them. Times skipped by spring-forward produce no
working time; times repeated by fall-back are covered on both passes; slot grid points are every instant at
which the local clock shows a grid time, so a repeated 01:00 is two grid points.
"""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from longtide.lib.intervals import Interval
from longtide.scheduling.availability import (
    BookingPolicy,
    DatedHours,
    PractitionerSchedule,
    RoomSchedule,
    ServiceRule,
    Slot,
    WeeklyHours,
    free_slots,
    working_intervals,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
SANTIAGO = ZoneInfo("America/Santiago")
MINUTE = timedelta(minutes=1)

# (zone, spring-forward day, fall-back day)
DST_ZONES = [
    pytest.param(NEW_YORK, date(2026, 3, 8), date(2026, 11, 1), id="new-york"),
    pytest.param(LONDON, date(2026, 3, 29), date(2026, 10, 25), id="london"),
    pytest.param(LORD_HOWE, date(2026, 10, 4), date(2026, 4, 5), id="lord-howe"),
]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def one_day(day: date, start: time, end: time) -> PractitionerSchedule:
    """Working hours on this one date only."""
    return PractitionerSchedule(1, weekly=[], exceptions=[DatedHours(day, True, start, end)], busy=[])


def every_day(start: time, end: time) -> PractitionerSchedule:
    return PractitionerSchedule(1, weekly=[WeeklyHours(d, start, end) for d in range(7)], exceptions=[], busy=[])


def total(intervals: list[Interval]) -> timedelta:
    return sum((interval.duration for interval in intervals), timedelta(0))


def slots_on(
    tz: ZoneInfo,
    day: date,
    schedule: PractitionerSchedule,
    step: int = 15,
    duration: int = 15,
    last_day: date | None = None,
) -> list[Slot]:
    return free_slots(
        tz=tz,
        first_day=day,
        last_day=last_day or day,
        now=datetime(2025, 1, 1, tzinfo=UTC),
        service=ServiceRule(duration=duration * MINUTE),
        policy=BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=800), step=step * MINUTE),
        practitioners=[schedule],
        rooms=[RoomSchedule(1, busy=[])],
    )


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_ZONES)
def test_nine_to_five_is_eight_hours_on_every_day_around_a_change(tz: ZoneInfo, spring: date, fall: date) -> None:
    schedule = every_day(time(9), time(17))
    for change in (spring, fall):
        for day in (change - timedelta(days=1), change, change + timedelta(days=1)):
            assert total(working_intervals(schedule, tz, day, day)) == timedelta(hours=8)


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        (NEW_YORK, date(2026, 3, 8), 3),
        (NEW_YORK, date(2026, 11, 1), 5),
        (LONDON, date(2026, 3, 29), 3),
        (LONDON, date(2026, 10, 25), 5),
        (LORD_HOWE, date(2026, 10, 4), 3.5),
        (LORD_HOWE, date(2026, 4, 5), 4.5),
    ],
)
def test_midnight_to_four_covers_the_real_hours_the_clock_shows_it(tz: ZoneInfo, day: date, hours: float) -> None:
    assert total(working_intervals(every_day(time(0), time(4)), tz, day, day)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        (NEW_YORK, date(2026, 3, 7), utc(2026, 3, 7, 14)),
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 13)),
        (NEW_YORK, date(2026, 10, 31), utc(2026, 10, 31, 13)),
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 14)),
        (LONDON, date(2026, 3, 28), utc(2026, 3, 28, 9)),
        (LONDON, date(2026, 3, 29), utc(2026, 3, 29, 8)),
        (LONDON, date(2026, 10, 24), utc(2026, 10, 24, 8)),
        (LONDON, date(2026, 10, 25), utc(2026, 10, 25, 9)),
    ],
)
def test_a_nine_oclock_slot_exists_at_the_right_instant(tz: ZoneInfo, day: date, expected_utc: datetime) -> None:
    slots = slots_on(tz, day, every_day(time(9), time(17)))
    assert slots[0].start == expected_utc
    assert slots[0].start.astimezone(tz).time() == time(9)
    assert len(slots) == 8 * 4


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_ZONES)
def test_slots_stay_on_the_local_grid_across_a_change(tz: ZoneInfo, spring: date, fall: date) -> None:
    whole_days = PractitionerSchedule(
        1, weekly=[], exceptions=[DatedHours(spring + timedelta(days=n), True) for n in range(-1, 3)], busy=[]
    )
    slots = slots_on(
        tz, spring - timedelta(days=1), whole_days, step=20, duration=20, last_day=spring + timedelta(days=1)
    )
    assert slots
    for slot in slots:
        local = slot.start.astimezone(tz)
        assert local.minute % 20 == 0 and local.second == 0
        assert spring - timedelta(days=1) <= local.date() <= spring + timedelta(days=1)
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # Every wall-clock grid time that exists on these three days is offered exactly once.
    expected = 0
    for offset in (-1, 0, 1):
        for k in range(72):
            wall = datetime.combine(spring + timedelta(days=offset), time()) + k * 20 * MINUTE
            expected += wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall
    assert len(slots) == expected


def test_spring_forward_skips_the_missing_hour_in_new_york() -> None:
    day = date(2026, 3, 8)
    slots = slots_on(NEW_YORK, day, one_day_whole(day))
    local_times = [slot.start.astimezone(NEW_YORK).strftime("%H:%M") for slot in slots]
    assert len(slots) == 96 - 4
    assert not [t for t in local_times if t.startswith("02:")]
    # 01:45 EST and 03:00 EDT are consecutive grid points, 15 real minutes apart.
    index = local_times.index("01:45")
    assert local_times[index + 1] == "03:00"
    assert slots[index + 1].start - slots[index].start == timedelta(minutes=15)


def test_fall_back_offers_both_one_oclocks_in_new_york() -> None:
    day = date(2026, 11, 1)
    slots = slots_on(NEW_YORK, day, one_day_whole(day))
    assert len(slots) == 96 + 4
    one_oclocks = [slot.start for slot in slots if slot.start.astimezone(NEW_YORK).time() == time(1)]
    assert one_oclocks == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)]  # 01:00 EDT, then 01:00 EST


def test_fall_back_in_london_repeats_the_one_oclock_hour() -> None:
    day = date(2026, 10, 25)
    slots = slots_on(LONDON, day, one_day_whole(day), step=60, duration=60)
    assert [slot.start.astimezone(LONDON).hour for slot in slots] == [0, 1, 1, *range(2, 24)]


def test_a_session_spanning_the_jump_lasts_its_real_duration() -> None:
    day = date(2026, 3, 8)
    slots = slots_on(NEW_YORK, day, one_day_whole(day), step=30, duration=60)
    at_half_past_one = next(slot for slot in slots if slot.start == utc(2026, 3, 8, 6, 30))
    assert at_half_past_one.end == utc(2026, 3, 8, 7, 30)  # 01:30 EST to 03:30 EDT
    assert at_half_past_one.end.astimezone(NEW_YORK).time() == time(3, 30)


def test_hours_starting_inside_the_gap_begin_when_the_clock_jumps() -> None:
    day = date(2026, 3, 8)
    assert working_intervals(one_day(day, time(2, 30), time(5)), NEW_YORK, day, day) == [
        Interval(utc(2026, 3, 8, 7), utc(2026, 3, 8, 9))
    ]
    assert working_intervals(one_day(day, time(1), time(2, 30)), NEW_YORK, day, day) == [
        Interval(utc(2026, 3, 8, 6), utc(2026, 3, 8, 7))
    ]


def test_hours_entirely_inside_the_gap_are_no_working_time() -> None:
    day = date(2026, 3, 8)
    assert working_intervals(one_day(day, time(2), time(2, 45)), NEW_YORK, day, day) == []
    assert slots_on(NEW_YORK, day, one_day(day, time(2), time(2, 45))) == []


def test_hours_covering_the_repeated_hour_take_both_passes() -> None:
    day = date(2026, 11, 1)
    # 01:00 EDT (05:00Z) until 03:00 EST (08:00Z): like fold=0 for the start and fold=1 for the end.
    assert working_intervals(one_day(day, time(1), time(3)), NEW_YORK, day, day) == [
        Interval(utc(2026, 11, 1, 5), utc(2026, 11, 1, 8))
    ]


def test_hours_ending_inside_the_repeated_hour_cover_only_times_the_clock_shows_inside_them() -> None:
    day = date(2026, 11, 1)
    # 00:30-01:30: the clock shows these times from 00:30 EDT to 01:30 EDT, and again 01:00-01:30 EST.
    assert working_intervals(one_day(day, time(0, 30), time(1, 30)), NEW_YORK, day, day) == [
        Interval(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5, 30)),
        Interval(utc(2026, 11, 1, 6), utc(2026, 11, 1, 6, 30)),
    ]


def test_time_off_during_the_repeated_hour_removes_both_passes() -> None:
    day = date(2026, 11, 1)
    schedule = PractitionerSchedule(
        1,
        weekly=[],
        exceptions=[DatedHours(day, True, time(0), time(4)), DatedHours(day, False, time(1), time(2))],
        busy=[],
    )
    assert working_intervals(schedule, NEW_YORK, day, day) == [
        Interval(utc(2026, 11, 1, 4), utc(2026, 11, 1, 5)),
        Interval(utc(2026, 11, 1, 7), utc(2026, 11, 1, 9)),
    ]


def test_a_day_whose_midnight_does_not_exist_starts_at_one_in_santiago() -> None:
    day = date(2026, 9, 6)  # clocks jump from 00:00 to 01:00
    slots = slots_on(SANTIAGO, day, one_day_whole(day), step=60, duration=60)
    assert [slot.start.astimezone(SANTIAGO).hour for slot in slots] == list(range(1, 24))
    assert slots[0].start == utc(2026, 9, 6, 4)


def test_a_fall_back_at_midnight_repeats_the_previous_evening_in_santiago() -> None:
    saturday = date(2026, 4, 4)  # at 24:00 clocks go back to 23:00 on Saturday
    assert total(working_intervals(one_day(saturday, time(22), time(23, 59)), SANTIAGO, saturday, saturday)) == (
        timedelta(minutes=119 + 59)
    )
    slots = slots_on(SANTIAGO, saturday, one_day_whole(saturday), step=60, duration=60)
    assert [slot.start.astimezone(SANTIAGO).hour for slot in slots][-3:] == [22, 23, 23]


def one_day_whole(day: date) -> PractitionerSchedule:
    return PractitionerSchedule(1, weekly=[], exceptions=[DatedHours(day, True)], busy=[])


PROPERTY_ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago"]
CHANGE_DAYS = [
    date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25), date(2026, 4, 5),
    date(2026, 10, 4), date(2026, 9, 27), date(2026, 4, 4), date(2026, 9, 6),
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    zone_name=st.sampled_from(PROPERTY_ZONES),
    day=st.sampled_from(CHANGE_DAYS),
    start=st.integers(0, 1438),
    length=st.integers(1, 1439),
)
def test_working_time_is_exactly_the_minutes_the_clock_shows_inside_the_hours(
    zone_name: str, day: date, start: int, length: int
) -> None:
    tz = ZoneInfo(zone_name)
    end = min(start + length, 1439)
    hours = (time(start // 60, start % 60), time(end // 60, end % 60))
    intervals = working_intervals(one_day(day, *hours), tz, day, day)
    # Instants of this local date lie within 14 hours of its UTC midnights in every zone used here.
    origin = datetime.combine(day - timedelta(days=1), time(10), UTC)
    expected = set()
    for n in range(2 * 1440):
        local = (origin + n * MINUTE).astimezone(tz)
        if local.date() == day and hours[0] <= local.time() < hours[1]:
            expected.add(n)
    actual = {
        n
        for interval in intervals
        for n in range((interval.start - origin) // MINUTE, (interval.end - origin) // MINUTE)
    }
    assert actual == expected
    for earlier, later in pairwise(intervals):
        assert earlier.end < later.start


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_ZONES)
@pytest.mark.parametrize("any_practitioner", [True, False])
def test_only_one_start_is_the_whole_answer_filtered_by_start(
    tz: ZoneInfo, spring: date, fall: date, any_practitioner: bool
) -> None:
    # free_slots(only=t) (a booking's check of its one time) must equal the whole answer filtered to
    # start t, for every instant of the days in quarter hours (grid points or not), on days with a
    # clock change, with busy time, two practitioners and two rooms of which one is busy.
    for day in (spring, fall, spring + timedelta(days=3)):
        midnight = datetime.combine(day, time(), tz).astimezone(UTC)
        ana = PractitionerSchedule(
            1,
            weekly=[WeeklyHours(d, time(0), time(12)) for d in range(7)],
            exceptions=[],
            busy=[Interval(midnight + timedelta(hours=4), midnight + timedelta(hours=5))],
        )
        ben = PractitionerSchedule(
            2, weekly=[WeeklyHours(d, time(1), time(23)) for d in range(7)], exceptions=[], busy=[]
        )
        rooms = [
            RoomSchedule(1, busy=[Interval(midnight + timedelta(hours=6), midnight + timedelta(hours=8))]),
            RoomSchedule(2, busy=[Interval(midnight + timedelta(hours=9), midnight + timedelta(hours=10))]),
        ]
        arguments = dict(
            tz=tz,
            first_day=day,
            last_day=day,
            now=datetime(2025, 1, 1, tzinfo=UTC),
            service=ServiceRule(duration=60 * MINUTE, buffer_before=10 * MINUTE, buffer_after=5 * MINUTE),
            policy=BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=800), step=30 * MINUTE),
            practitioners=[ana, ben],
            rooms=rooms,
            any_practitioner=any_practitioner,
        )
        whole = free_slots(**arguments)  # type: ignore[arg-type]
        assert whole
        for quarter in range(-8, 4 * 26):
            moment = midnight + quarter * 15 * MINUTE
            expected = [slot for slot in whole if slot.start == moment]
            assert free_slots(**arguments, only=moment) == expected, moment  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "zone",
    ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "Antarctica/Troll", "Asia/Kolkata"],
)
@pytest.mark.parametrize("minutes", [15, 25, 45, 60])
def test_a_start_is_a_grid_point_exactly_when_the_days_grid_holds_it(zone: str, minutes: int) -> None:
    # A booking's check of its one time asks whether that instant is a grid point without making
    # the days' grid (_Calendar.on_grid): it must say what the grid says, for every minute of the
    # days around each change of the clocks of 2026 (Chatham at 02:45, Troll by two hours, Lord
    # Howe by half an hour), and for steps that do not divide an hour.
    from longtide.scheduling.availability import _Calendar, utc_offsets

    tz = ZoneInfo(zone)
    step = timedelta(minutes=minutes)
    year = datetime(2026, 1, 1, tzinfo=UTC)
    offsets = utc_offsets(tz, year, year + timedelta(days=365))
    changes = [
        year + timedelta(days=d)
        for d in range(365)
        if len(utc_offsets(tz, year + timedelta(days=d), year + timedelta(days=d + 1))) > 1
    ]
    assert len(offsets) == 1 or changes, zone
    for change in changes or [year + timedelta(days=100)]:
        day = change.astimezone(tz).date()
        first, last = day - timedelta(days=1), day + timedelta(days=1)
        calendar = _Calendar(tz, first - timedelta(days=1), last + timedelta(days=2))
        grid = set(calendar.grid(first, last, step))
        moment = datetime.combine(first - timedelta(days=1), time(), UTC)
        while moment < datetime.combine(last + timedelta(days=2), time(), UTC):
            assert calendar.on_grid(moment, first, last, step) == (moment in grid), (zone, minutes, moment)
            moment += timedelta(minutes=1)
        # Given in another zone, or off the minute: the same instant, the same answer.
        for point in sorted(grid)[:: max(1, len(grid) // 20)]:
            assert calendar.on_grid(point.astimezone(tz), first, last, step)
            assert not calendar.on_grid(point + timedelta(seconds=1), first, last, step)
