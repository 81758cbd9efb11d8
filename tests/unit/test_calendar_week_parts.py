"""web/staff/calendar_grid and calendar.py, the pieces the team week computes in fewer steps
(bench/README "Team week, stop 34"): each compared with the plain formula it stands for."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from longtide.lib.intervals import Interval
from longtide.practice.models import Practice, Practitioner
from longtide.web.staff.calendar import _calendar_urls
from longtide.web.staff.calendar_grid import Source, _by_day, _clock, _hours_text, _Labels, local_midnight
from longtide.web.staff.calendar_links import calendar_url

NEW_YORK = ZoneInfo("America/New_York")
# Chile moves its clocks at midnight: on 2026-09-06 the day starts at 1:00 AM (no midnight).
SANTIAGO = ZoneInfo("America/Santiago")


def _at(zone: ZoneInfo, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _working(zone: ZoneInfo, monday: date) -> list[Interval]:
    """Sorted, disjoint working time: a night shift across midnight, a split day, a day off."""
    return [
        Interval(_at(zone, monday, 9), _at(zone, monday, 12)),
        Interval(_at(zone, monday, 13), _at(zone, monday, 17, 30)),
        Interval(_at(zone, monday + timedelta(days=1), 22), _at(zone, monday + timedelta(days=2), 2)),
        Interval(_at(zone, monday + timedelta(days=4), 0), _at(zone, monday + timedelta(days=5), 0)),
    ]


@pytest.mark.parametrize(("zone", "monday"), [(NEW_YORK, date(2027, 3, 8)), (SANTIAGO, date(2026, 8, 31))])
def test_each_days_working_time_is_what_overlaps_the_day(zone: ZoneInfo, monday: date) -> None:
    working = _working(zone, monday)
    days = [monday + timedelta(days=n) for n in range(7)]
    bounds = [
        (local_midnight(day, zone).astimezone(UTC), local_midnight(day + timedelta(days=1), zone).astimezone(UTC))
        for day in days
    ]
    expected = [[i for i in working if i.start < end and i.end > start] for start, end in bounds]
    assert _by_day(working, bounds) == expected
    assert _by_day([], bounds) == [[] for _ in days]


def _hours_text_as_written_before(source: Source, zone: ZoneInfo) -> str:
    day_start = local_midnight(source.day, zone)
    day_end = local_midnight(source.day + timedelta(days=1), zone)
    clock = _clock(zone)
    pieces = [
        f"{clock(max(i.start, day_start))}–{clock(min(i.end, day_end))}"
        for i in source.working
        if i.start < day_end and i.end > day_start
    ]
    return f"Working {', '.join(pieces)}" if pieces else "Not working"


@pytest.mark.parametrize(
    ("zone", "monday"),
    [
        (NEW_YORK, date(2027, 3, 8)),
        (NEW_YORK, date(2027, 3, 8) - timedelta(days=1)),  # the Sunday the clocks go forward
        (NEW_YORK, date(2027, 11, 1) - timedelta(days=1)),  # the Sunday they go back
        (SANTIAGO, date(2026, 9, 3)),  # the shift into the day with no midnight
    ],
)
def test_the_hours_text_clips_each_piece_to_the_day_as_before(zone: ZoneInfo, monday: date) -> None:
    working = _working(zone, monday)
    for offset in range(7):
        source = Source(monday + timedelta(days=offset), "", working=working)
        assert _hours_text(source, zone, _clock(zone), _Labels()) == _hours_text_as_written_before(source, zone)


def test_the_navigations_links_are_calendar_url() -> None:
    practice = Practice(slug="tidewater")
    url = _calendar_urls(practice)
    person = Practitioner(pk=7)
    for params in [
        {},
        {"view": "week", "by": "team", "date": date(2026, 12, 7)},
        {"view": "day", "by": "practitioner", "practitioner": person.pk, "room": None, "date": date(2027, 1, 1)},
        {"view": "week", "by": "room", "room": 3, "practitioner": "", "date": date(2026, 12, 7)},
    ]:
        assert url(**params) == calendar_url(practice, **params)
