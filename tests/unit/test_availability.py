"""The availability engine: worked examples, booking-rule properties, and a brute-force reference.

Most examples use the UTC zone so wall-clock times read the same as the instants they produce;
DST behaviour has its own file (test_availability_dst.py) and is also exercised by the properties here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
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

UTC_ZONE = ZoneInfo("UTC")
MONDAY = date(2026, 6, 1)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
SATURDAY = MONDAY + timedelta(days=5)
LONG_AGO = datetime(2026, 5, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HALF_HOUR = ServiceRule(duration=timedelta(minutes=30))
HOUR = ServiceRule(duration=timedelta(hours=1))
OPEN_POLICY = BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=365), step=timedelta(minutes=15))


def at(hhmm: str, day: date = MONDAY) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), UTC)


def busy(start: str, end: str, day: date = MONDAY) -> Interval:
    return Interval(at(start, day), at(end, day))


def practitioner(
    practitioner_id: int = 1,
    *,
    hours: Iterable[tuple[str, str]] = (("09:00", "17:00"),),
    weekdays: Iterable[int] = range(7),
    exceptions: Sequence[DatedHours] = (),
    blocked: Sequence[Interval] = (),
) -> PractitionerSchedule:
    weekly = [
        WeeklyHours(weekday, time.fromisoformat(start), time.fromisoformat(end))
        for weekday in weekdays
        for start, end in hours
    ]
    return PractitionerSchedule(practitioner_id, weekly=weekly, exceptions=exceptions, busy=blocked)


def room(room_id: int = 1, *blocked: Interval) -> RoomSchedule:
    return RoomSchedule(room_id, busy=blocked)


def find(
    *,
    practitioners: Sequence[PractitionerSchedule] | None = None,
    rooms: Sequence[RoomSchedule] | None = None,
    service: ServiceRule = HALF_HOUR,
    policy: BookingPolicy = OPEN_POLICY,
    tz: ZoneInfo = UTC_ZONE,
    first_day: date = MONDAY,
    last_day: date | None = None,
    now: datetime = LONG_AGO,
    any_practitioner: bool = False,
) -> list[Slot]:
    return free_slots(
        tz=tz,
        first_day=first_day,
        last_day=first_day if last_day is None else last_day,
        now=now,
        service=service,
        policy=policy,
        practitioners=[practitioner()] if practitioners is None else practitioners,
        rooms=[room()] if rooms is None else rooms,
        any_practitioner=any_practitioner,
    )


def clock(slots: Iterable[Slot]) -> list[str]:
    return [f"{slot.start:%H:%M}" for slot in slots]


def clock_range(first: str, last: str, step: int = 15) -> list[str]:
    times = []
    current = at(first)
    while current <= at(last):
        times.append(f"{current:%H:%M}")
        current += timedelta(minutes=step)
    return times


# --- worked examples -------------------------------------------------------------------------------


def test_working_hours_produce_slots_on_the_step_grid() -> None:
    slots = find(practitioners=[practitioner(hours=[("09:00", "12:00")])])
    assert clock(slots) == clock_range("09:00", "11:30")
    assert slots[0] == Slot(start=at("09:00"), end=at("09:30"), practitioner_id=1, room_id=1)


def test_a_slot_may_end_exactly_where_a_booking_begins() -> None:
    slots = find(practitioners=[practitioner(blocked=[busy("10:00", "11:00")])])
    assert "09:30" in clock(slots)
    assert "09:45" not in clock(slots)


def test_a_slot_may_start_exactly_where_a_booking_ends() -> None:
    slots = find(practitioners=[practitioner(blocked=[busy("10:00", "11:00")])])
    assert clock(slots) == clock_range("09:00", "09:30") + clock_range("11:00", "16:30")


def test_a_booking_ending_a_microsecond_past_a_grid_point_blocks_that_point() -> None:
    late = Interval(at("10:00"), at("11:00") + timedelta(microseconds=1))
    early = Interval(at("12:00") - timedelta(microseconds=1), at("13:00"))
    slots = find(practitioners=[practitioner(blocked=[late, early])])
    assert "11:00" not in clock(slots) and "11:15" in clock(slots)
    assert "11:30" not in clock(slots) and "11:15" in clock(slots)


def test_buffers_block_time_before_and_after_existing_bookings() -> None:
    service = ServiceRule(
        duration=timedelta(minutes=30), buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=10)
    )
    slots = find(
        service=service, practitioners=[practitioner(hours=[("09:00", "13:00")], blocked=[busy("10:00", "11:00")])]
    )
    # 09:15 + 30 min + 10 min after = 09:55, clear of 10:00; 11:15 - 15 min before = 11:00, clear of the booking.
    assert clock(slots) == ["09:00", "09:15", *clock_range("11:15", "12:30")]


def test_buffers_may_lie_outside_working_hours() -> None:
    service = ServiceRule(
        duration=timedelta(minutes=30), buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=30)
    )
    slots = find(service=service, practitioners=[practitioner(hours=[("09:00", "10:00")])])
    assert clock(slots) == ["09:00", "09:15", "09:30"]


def test_buffers_also_apply_to_room_bookings() -> None:
    service = ServiceRule(duration=timedelta(minutes=30), buffer_before=timedelta(minutes=15))
    slots = find(service=service, rooms=[room(1, busy("09:00", "11:00"))])
    assert clock(slots)[0] == "11:15"


def test_whole_day_off_removes_all_slots() -> None:
    day_off = DatedHours(TUESDAY, available=False)
    slots = find(practitioners=[practitioner(exceptions=[day_off])], first_day=MONDAY, last_day=WEDNESDAY)
    assert {slot.start.date() for slot in slots} == {MONDAY, WEDNESDAY}


def test_partial_time_off_removes_only_that_time() -> None:
    lunch = DatedHours(MONDAY, available=False, start=time(12), end=time(13))
    slots = find(practitioners=[practitioner(hours=[("09:00", "15:00")], exceptions=[lunch])])
    assert clock(slots) == clock_range("09:00", "11:30") + clock_range("13:00", "14:30")


def test_extra_hours_add_slots() -> None:
    saturday_morning = DatedHours(SATURDAY, available=True, start=time(10), end=time(12))
    schedule = practitioner(weekdays=range(5), exceptions=[saturday_morning])
    slots = find(practitioners=[schedule], first_day=SATURDAY)
    assert clock(slots) == clock_range("10:00", "11:30")
    assert find(practitioners=[practitioner(weekdays=range(5))], first_day=SATURDAY) == []


def test_extra_hours_touching_weekly_hours_form_one_working_interval() -> None:
    evening = DatedHours(MONDAY, available=True, start=time(12), end=time(13))
    slots = find(service=HOUR, practitioners=[practitioner(hours=[("09:00", "12:00")], exceptions=[evening])])
    assert clock(slots) == clock_range("09:00", "12:00")


def test_adjacent_weekly_intervals_merge() -> None:
    slots = find(service=HOUR, practitioners=[practitioner(hours=[("09:00", "12:00"), ("12:00", "14:00")])])
    assert clock(slots) == clock_range("09:00", "13:00")


def test_a_session_must_fit_inside_one_working_interval() -> None:
    slots = find(service=HOUR, practitioners=[practitioner(hours=[("09:00", "12:00"), ("13:00", "15:00")])])
    assert clock(slots) == clock_range("09:00", "11:00") + clock_range("13:00", "14:00")


def test_time_off_inside_weekly_hours_wins_over_extra_hours_on_the_same_day() -> None:
    extra = DatedHours(MONDAY, available=True, start=time(17), end=time(18))
    off = DatedHours(MONDAY, available=False, start=time(8), end=time(17, 30))
    slots = find(practitioners=[practitioner(exceptions=[extra, off])])
    assert clock(slots) == ["17:30"]


def test_no_slot_inside_minimum_notice() -> None:
    policy = BookingPolicy(min_notice=timedelta(hours=1), horizon=timedelta(days=30), step=timedelta(minutes=15))
    slots = find(policy=policy, now=at("08:50"))
    assert clock(slots)[0] == "10:00"


def test_a_slot_exactly_at_the_notice_boundary_is_offered() -> None:
    policy = BookingPolicy(min_notice=timedelta(hours=12), horizon=timedelta(days=30), step=timedelta(minutes=15))
    slots = find(policy=policy, now=at("22:00", MONDAY - timedelta(days=1)))
    assert clock(slots)[0] == "10:00"


def test_no_slot_beyond_the_horizon() -> None:
    policy = BookingPolicy(min_notice=timedelta(0), horizon=timedelta(hours=10), step=timedelta(minutes=15))
    slots = find(policy=policy, now=at("00:00"), last_day=WEDNESDAY)
    assert clock(slots) == clock_range("09:00", "10:00")


def test_a_horizon_shorter_than_the_notice_leaves_nothing() -> None:
    policy = BookingPolicy(min_notice=timedelta(days=2), horizon=timedelta(days=1), step=timedelta(minutes=15))
    assert find(policy=policy, now=at("00:00", MONDAY - timedelta(days=3)), last_day=WEDNESDAY) == []


def test_a_far_out_date_range_is_clamped_to_the_horizon() -> None:
    policy = BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=2), step=timedelta(minutes=15))
    slots = find(policy=policy, now=at("00:00"), last_day=MONDAY + timedelta(days=3650))
    assert {slot.start.date() for slot in slots} == {MONDAY, TUESDAY}


def test_any_practitioner_returns_one_slot_per_time_with_the_first_free_practitioner() -> None:
    ana = practitioner(7, hours=[("09:00", "11:00")], blocked=[busy("09:00", "10:00")])
    bo = practitioner(3, hours=[("09:00", "11:00")])
    slots = find(service=HOUR, practitioners=[ana, bo], any_practitioner=True)
    assert [(f"{slot.start:%H:%M}", slot.practitioner_id) for slot in slots] == [
        ("09:00", 3),
        ("09:15", 3),
        ("09:30", 3),
        ("09:45", 3),
        ("10:00", 7),
    ]


def test_any_practitioner_stops_at_the_first_who_can_take_every_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A booking's check of its one time ("only") with "any practitioner" looks no further than the
    first candidate free then: the later ones' working time is never worked out, and the answer is
    the one the whole list gives."""
    from longtide.scheduling import availability

    seen: list[int] = []
    spans = availability._Calendar.working_spans

    def counted(self: object, schedule: PractitionerSchedule, *args: object) -> object:
        seen.append(schedule.practitioner_id)
        return spans(self, schedule, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(availability._Calendar, "working_spans", counted)
    ana = practitioner(7, hours=[("09:00", "11:00")], blocked=[busy("09:00", "10:00")])
    others = [practitioner(n, hours=[("09:00", "11:00")]) for n in (3, 4, 5, 6)]
    common = {
        "tz": UTC_ZONE,
        "first_day": MONDAY,
        "last_day": MONDAY,
        "now": LONG_AGO,
        "service": HOUR,
        "policy": OPEN_POLICY,
        "practitioners": [ana, *others],
        "rooms": [room()],
        "any_practitioner": True,
    }
    assert free_slots(**common, only=at("09:30")) == [Slot(at("09:30"), at("10:30"), 3, 1)]  # type: ignore[arg-type]
    assert seen == [7, 3]
    seen.clear()
    assert free_slots(**common, only=at("10:00")) == [Slot(at("10:00"), at("11:00"), 7, 1)]  # type: ignore[arg-type]
    assert seen == [7]
    seen.clear()
    whole = free_slots(**common)  # type: ignore[arg-type]
    assert seen == [7, 3, 4, 5, 6]  # the whole day: starts nobody works at stay open, so all are seen
    assert [(f"{slot.start:%H:%M}", slot.practitioner_id) for slot in whole] == [
        ("09:00", 3),
        ("09:15", 3),
        ("09:30", 3),
        ("09:45", 3),
        ("10:00", 7),
    ]


def test_every_free_practitioner_gets_a_slot_ordered_by_time_then_list_position() -> None:
    ana = practitioner(7, hours=[("09:00", "11:00")], blocked=[busy("09:00", "10:00")])
    bo = practitioner(3, hours=[("09:00", "11:00")])
    slots = find(service=HOUR, practitioners=[ana, bo])
    assert [(f"{slot.start:%H:%M}", slot.practitioner_id) for slot in slots] == [
        ("09:00", 3),
        ("09:15", 3),
        ("09:30", 3),
        ("09:45", 3),
        ("10:00", 7),
        ("10:00", 3),
    ]


def test_a_slot_needs_a_free_room() -> None:
    slots = find(practitioners=[practitioner(hours=[("09:00", "12:00")])], rooms=[room(1, busy("10:00", "11:00"))])
    assert clock(slots) == clock_range("09:00", "09:30") + clock_range("11:00", "11:30")


def test_the_first_free_room_in_the_given_order_is_chosen() -> None:
    willow = room(5, busy("10:00", "11:00"))
    cedar = room(2, busy("09:00", "09:30"))
    slots = find(practitioners=[practitioner(hours=[("09:00", "12:00")])], rooms=[willow, cedar])
    by_time = {f"{slot.start:%H:%M}": slot.room_id for slot in slots}
    assert by_time == {
        "09:00": 5, "09:15": 5, "09:30": 5,
        "09:45": 2, "10:00": 2, "10:15": 2, "10:30": 2, "10:45": 2,
        "11:00": 5, "11:15": 5, "11:30": 5,
    }  # fmt: skip


def test_no_rooms_or_no_practitioners_means_no_slots() -> None:
    assert find(rooms=[]) == []
    assert find(practitioners=[]) == []


def test_slots_are_limited_to_the_requested_local_days() -> None:
    slots = find(first_day=TUESDAY, last_day=TUESDAY)
    assert {slot.start.date() for slot in slots} == {TUESDAY}
    assert find(first_day=TUESDAY, last_day=MONDAY) == []


def test_the_grid_follows_local_wall_time_in_a_half_hour_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    slots = find(tz=kolkata, practitioners=[practitioner(hours=[("09:00", "10:00")])])
    assert [slot.start for slot in slots] == [at("03:30"), at("03:45"), at("04:00")]
    assert all(slot.start.tzinfo is UTC for slot in slots)


def test_a_step_that_does_not_divide_the_day_restarts_at_local_midnight() -> None:
    whole_days = [DatedHours(MONDAY, available=True), DatedHours(TUESDAY, available=True)]
    policy = BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=365), step=timedelta(minutes=25))
    slots = find(
        practitioners=[practitioner(hours=[], exceptions=whole_days)],
        policy=policy,
        service=ServiceRule(duration=timedelta(minutes=25)),
        last_day=TUESDAY,
    )
    monday = [slot for slot in slots if slot.start.date() == MONDAY]
    assert len(monday) == 58 and clock(monday)[-2:] == ["23:20", "23:45"]
    assert slots[len(monday)].start == at("00:00", TUESDAY)


def test_a_session_may_cross_midnight_when_working_time_is_contiguous() -> None:
    whole_days = [DatedHours(MONDAY, available=True), DatedHours(TUESDAY, available=True)]
    service = ServiceRule(duration=timedelta(minutes=90))
    joined = find(practitioners=[practitioner(hours=[], exceptions=whole_days)], service=service)
    alone = find(practitioners=[practitioner(hours=[], exceptions=whole_days[:1])], service=service)
    assert clock(joined)[-1] == "23:45"
    assert clock(alone)[-1] == "22:30"


def test_unsorted_and_overlapping_busy_intervals_are_accepted() -> None:
    blocked = [busy("14:00", "15:00"), busy("10:00", "11:00"), busy("10:30", "12:00"), busy("09:00", "09:15")]
    slots = find(practitioners=[practitioner(blocked=blocked)])
    assert clock(slots) == ["09:15", "09:30", *clock_range("12:00", "13:30"), *clock_range("15:00", "16:30")]


def test_now_may_be_given_in_any_zone() -> None:
    policy = BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=30), step=timedelta(minutes=15))
    now = at("12:00").astimezone(ZoneInfo("Pacific/Auckland"))
    assert clock(find(policy=policy, now=now))[0] == "12:00"


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklyHours(7, time(9), time(17))
    with pytest.raises(ValueError, match="before"):
        WeeklyHours(0, time(17), time(9))
    with pytest.raises(ValueError, match="both"):
        DatedHours(MONDAY, available=False, start=time(9))
    with pytest.raises(ValueError, match="before"):
        DatedHours(MONDAY, available=True, start=time(9), end=time(9))
    with pytest.raises(ValueError, match="duration"):
        ServiceRule(duration=timedelta(0))
    with pytest.raises(ValueError, match="buffer"):
        ServiceRule(duration=timedelta(minutes=30), buffer_after=timedelta(minutes=-5))
    with pytest.raises(ValueError, match="step"):
        BookingPolicy(min_notice=timedelta(0), horizon=timedelta(days=1), step=timedelta(0))
    with pytest.raises(ValueError, match="aware"):
        find(now=datetime(2026, 5, 1))


def test_working_intervals_combine_weekly_hours_and_exceptions() -> None:
    schedule = practitioner(
        hours=[("09:00", "12:00"), ("13:00", "17:00")],
        weekdays=[0, 1],
        exceptions=[
            DatedHours(MONDAY, available=False, start=time(10), end=time(11)),
            DatedHours(TUESDAY, available=False),
            DatedHours(WEDNESDAY, available=True, start=time(18), end=time(19)),
            DatedHours(WEDNESDAY + timedelta(days=30), available=True, start=time(18), end=time(19)),
        ],
    )
    assert working_intervals(schedule, UTC_ZONE, MONDAY, WEDNESDAY) == [
        busy("09:00", "10:00"),
        busy("11:00", "12:00"),
        busy("13:00", "17:00"),
        busy("18:00", "19:00", WEDNESDAY),
    ]


def test_whole_working_days_merge_across_midnight() -> None:
    schedule = practitioner(hours=[], exceptions=[DatedHours(MONDAY, True), DatedHours(TUESDAY, True)])
    assert working_intervals(schedule, UTC_ZONE, MONDAY, WEDNESDAY) == [Interval(at("00:00"), at("00:00", WEDNESDAY))]


# --- properties against a brute-force reference -----------------------------------------------------

ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Beirut",
)
STEPS = (5, 10, 15, 20, 25, 30, 45, 60, 90)


@cache
def offset_change_days(zone_name: str) -> tuple[date, ...]:
    """Local dates in 2026 on which the zone's UTC offset changes (DST starts or ends)."""
    tz = ZoneInfo(zone_name)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(366)]
    return tuple(
        day
        for day in days[1:]
        if datetime.combine(day, time(12), tz).utcoffset()
        != datetime.combine(day - timedelta(days=1), time(12), tz).utcoffset()
    )


@dataclass(frozen=True)
class Scenario:
    tz: ZoneInfo
    first_day: date
    last_day: date
    now: datetime
    service: ServiceRule
    policy: BookingPolicy
    practitioners: tuple[PractitionerSchedule, ...]
    rooms: tuple[RoomSchedule, ...]
    any_practitioner: bool

    def engine(self) -> list[Slot]:
        return free_slots(
            tz=self.tz,
            first_day=self.first_day,
            last_day=self.last_day,
            now=self.now,
            service=self.service,
            policy=self.policy,
            practitioners=self.practitioners,
            rooms=self.rooms,
            any_practitioner=self.any_practitioner,
        )


def minute_of_day(moment: time | datetime) -> int:
    return moment.hour * 60 + moment.minute


def clock_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


# Strategies are built once here: hypothesis validates each new strategy object, which adds up.
integers = cache(st.integers)
any_day = st.dates(date(2026, 1, 1), date(2026, 12, 31))
some_weekdays = st.one_of(st.integers(0, 6).map(lambda day: [day]), st.just(range(7)))
edge_jitter = st.sampled_from(
    [timedelta(0), timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(seconds=30)]
)
busy_units = st.sampled_from([1, 5, 15, 15])
buffers = st.sampled_from([0, 0, 5, 10, 15, 30]).map(lambda minutes: minutes * MINUTE)
notices = st.one_of(st.just(0), st.integers(0, 1440)).map(lambda minutes: minutes * MINUTE)
horizons = st.one_of(st.just(8 * 1440), st.integers(0, 8 * 1440)).map(lambda minutes: minutes * MINUTE)
now_jitter = st.sampled_from([timedelta(0), timedelta(seconds=17), timedelta(microseconds=1)])


@st.composite
def wall_window(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(integers(0, 287)) * 5
    end = min(start + draw(integers(1, 288)) * 5, 1439)
    return clock_time(start), clock_time(end)


@st.composite
def busy_list(draw: st.DrawFn, origin: datetime, span_minutes: int) -> list[Interval]:
    """Busy time mostly on a quarter-hour grid, so edges meet slot edges exactly, with occasional
    off-grid edges a microsecond or more either side, so open/closed boundaries get exercised."""
    unit = draw(busy_units)
    intervals = []
    for _ in range(draw(integers(0, 5))):
        start = origin + draw(integers(0, span_minutes // unit)) * unit * MINUTE + draw(edge_jitter)
        end = start + draw(integers(1, 240 // unit)) * unit * MINUTE + draw(edge_jitter)
        intervals.append(Interval(start, end))
    return intervals


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone_name)
    change_days = offset_change_days(zone_name)
    # Mostly around a DST change, when the zone has one.
    around_a_change = bool(change_days) and draw(integers(0, 3)) > 0
    anchors: st.SearchStrategy[date] = st.sampled_from(change_days) if around_a_change else any_day
    anchor = draw(anchors)
    first_day = anchor - timedelta(days=draw(integers(0, 2)))
    last_day = first_day + timedelta(days=draw(integers(0, 3)))
    days = (last_day - first_day).days + 1
    origin = datetime.combine(first_day - timedelta(days=1), time(), UTC)

    practitioners = []
    for position in range(draw(st.sampled_from([1, 2, 2, 3, 3]))):
        weekly: list[WeeklyHours] = []
        for _ in range(draw(integers(0, 4))):
            window = draw(wall_window())
            weekly.extend(WeeklyHours(weekday, *window) for weekday in draw(some_weekdays))
        exceptions = []
        for _ in range(draw(integers(0, 4))):
            day = first_day + timedelta(days=draw(integers(-1, days)))
            available = draw(st.booleans())
            if draw(integers(0, 3)) == 0:
                exceptions.append(DatedHours(day, available))
            else:
                exceptions.append(DatedHours(day, available, *draw(wall_window())))
        blocked = draw(busy_list(origin, (days + 2) * 1440))
        practitioners.append(PractitionerSchedule(10 + position, weekly, exceptions, blocked))
    rooms = tuple(
        RoomSchedule(20 + position, draw(busy_list(origin, (days + 2) * 1440)))
        for position in range(draw(st.sampled_from([0, 1, 1, 2, 3])))
    )

    service = ServiceRule(draw(integers(1, 36)) * 5 * MINUTE, draw(buffers), draw(buffers))
    policy = BookingPolicy(draw(notices), draw(horizons), draw(st.sampled_from(STEPS)) * MINUTE)
    now = origin + draw(integers(-1440, 2 * 1440)) * MINUTE + draw(now_jitter)
    return Scenario(tz, first_day, last_day, now, service, policy, tuple(practitioners), rooms, draw(st.booleans()))


def reference_day_mask(schedule: PractitionerSchedule, day: date) -> list[bool]:
    """Which wall-clock minutes of this local day are working time: weekly + extra hours - time off."""
    mask = [False] * 1440
    for hours in schedule.weekly:
        if hours.weekday == day.weekday():
            mask[minute_of_day(hours.start) : minute_of_day(hours.end)] = [True] * (
                minute_of_day(hours.end) - minute_of_day(hours.start)
            )
    for available in (True, False):
        for exception in schedule.exceptions:
            if exception.day == day and exception.available is available:
                if exception.start is None or exception.end is None:
                    mask = [available] * 1440
                else:
                    first, last = minute_of_day(exception.start), minute_of_day(exception.end)
                    mask[first:last] = [available] * (last - first)
    return mask


def overlaps_any(start: datetime, end: datetime, intervals: Iterable[Interval]) -> bool:
    return any(interval.start < end and start < interval.end for interval in intervals)


def reference_free_slots(s: Scenario) -> list[Slot]:
    """Walk every UTC minute; keep those whose local wall time is on the grid and which pass every rule.

    Test inputs put working hours on whole minutes, and every zone used has whole-minute offsets, so
    working time never changes inside a minute and a minute-by-minute check of the session is exact.
    """
    origin = datetime.combine(s.first_day - timedelta(days=1), time(), UTC)
    # Enough minutes for the last local day in any zone used here, plus a session after it.
    instants = [origin + n * MINUTE for n in range(((s.last_day - s.first_day).days + 3) * 1440)]
    local = [instant.astimezone(s.tz) for instant in instants]
    local_days = [moment.date() for moment in local]
    local_minutes = [minute_of_day(moment) for moment in local]
    working_prefix = []  # per practitioner: how many of the minutes before instants[n] are working time
    for schedule in s.practitioners:
        masks = {day: reference_day_mask(schedule, day) for day in set(local_days)}
        flags = [masks[day][minute] for day, minute in zip(local_days, local_minutes, strict=True)]
        working_prefix.append([0, *accumulate(flags)])

    duration = s.service.duration // MINUTE
    step = s.policy.step // MINUTE
    earliest, latest = s.now + s.policy.min_notice, s.now + s.policy.horizon
    slots = []
    for n, (instant, moment) in enumerate(zip(instants, local, strict=True)):
        if not (s.first_day <= moment.date() <= s.last_day and minute_of_day(moment) % step == 0):
            continue
        if not earliest <= instant <= latest:
            continue
        blocked_start = instant - s.service.buffer_before
        blocked_end = instant + s.service.duration + s.service.buffer_after
        for position, schedule in enumerate(s.practitioners):
            if working_prefix[position][n + duration] - working_prefix[position][n] != duration:
                continue
            if overlaps_any(blocked_start, blocked_end, schedule.busy):
                continue
            free_rooms = [r for r in s.rooms if not overlaps_any(blocked_start, blocked_end, r.busy)]
            if not free_rooms:
                continue
            slots.append(Slot(instant, instant + s.service.duration, schedule.practitioner_id, free_rooms[0].room_id))
            if s.any_practitioner:
                break
    return slots


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_the_engine_matches_a_brute_force_reference(scenario: Scenario) -> None:
    assert scenario.engine() == reference_free_slots(scenario)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_every_slot_obeys_the_booking_rules(scenario: Scenario) -> None:
    slots = scenario.engine()
    service, policy, tz = scenario.service, scenario.policy, scenario.tz
    by_id = {schedule.practitioner_id: schedule for schedule in scenario.practitioners}
    rooms = {r.room_id: r for r in scenario.rooms}
    working = {
        schedule.practitioner_id: working_intervals(
            schedule, tz, scenario.first_day - timedelta(days=1), scenario.last_day + timedelta(days=2)
        )
        for schedule in scenario.practitioners
    }
    keys = [
        (slot.start, [s.practitioner_id for s in scenario.practitioners].index(slot.practitioner_id)) for slot in slots
    ]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    if scenario.any_practitioner:
        assert len({slot.start for slot in slots}) == len(slots)
    for slot in slots:
        local = slot.start.astimezone(tz)
        assert slot.start.tzinfo is UTC and slot.end == slot.start + service.duration
        assert scenario.first_day <= local.date() <= scenario.last_day
        assert local.second == local.microsecond == 0
        assert (minute_of_day(local) * MINUTE) % policy.step == timedelta(0)
        assert scenario.now + policy.min_notice <= slot.start <= scenario.now + policy.horizon
        session = Interval(slot.start, slot.end)
        assert any(interval.contains(session) for interval in working[slot.practitioner_id])
        blocked_start, blocked_end = slot.start - service.buffer_before, slot.end + service.buffer_after
        assert not overlaps_any(blocked_start, blocked_end, by_id[slot.practitioner_id].busy)
        assert not overlaps_any(blocked_start, blocked_end, rooms[slot.room_id].busy)
        earlier_rooms = scenario.rooms[: scenario.rooms.index(rooms[slot.room_id])]
        assert all(overlaps_any(blocked_start, blocked_end, r.busy) for r in earlier_rooms)
