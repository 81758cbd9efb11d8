"""The pure send times of outcomes/schedule.py: each timepoint inside its fixed window."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from longtide.outcomes.schedule import BASELINE_LEAD, EpisodeFacts, due_sends, planned

NY = ZoneInfo("America/New_York")
DAY0 = date(2026, 3, 2)


def at(day: date, clock: time = time(10)) -> datetime:
    return datetime.combine(day, clock, tzinfo=NY)


def facts(**changes: Any) -> EpisodeFacts:
    base: dict[str, Any] = dict(
        first_session=DAY0,
        first_visit_start=at(DAY0),
        sessions=(),
        next_visit_start=None,
        opened_at=at(DAY0 - timedelta(days=20)),
        diary=False,
        zone=NY,
    )
    base.update(changes)
    return EpisodeFacts(**base)


def test_baseline_three_days_before_the_first_visit_until_it_starts() -> None:
    [due] = planned(facts())
    assert (due.timepoint, due.send_after, due.expires_at) == ("baseline", at(DAY0) - BASELINE_LEAD, at(DAY0))
    assert due_sends(facts(), now=at(DAY0 - timedelta(days=4))) == []
    assert due_sends(facts(), now=at(DAY0, time(9, 59))) == [due]
    assert due_sends(facts(), now=at(DAY0, time(10))) == []  # the session began: not a baseline


def test_the_diary_baseline_goes_at_booking() -> None:
    [due] = planned(facts(diary=True))
    assert due.send_after == at(DAY0 - timedelta(days=20))


def test_before_session_4_never_on_the_day_of_session_3() -> None:
    sessions = (DAY0, DAY0 + timedelta(days=7), DAY0 + timedelta(days=14))
    nxt = at(DAY0 + timedelta(days=15))  # booked for the day after session 3
    dues = {d.timepoint: d for d in planned(facts(sessions=sessions, first_visit_start=None, next_visit_start=nxt))}
    assert dues["before_session_4"].send_after == at(DAY0 + timedelta(days=15), time(0))
    assert dues["before_session_4"].expires_at == nxt
    far = at(DAY0 + timedelta(days=21))
    dues = {d.timepoint: d for d in planned(facts(sessions=sessions, first_visit_start=None, next_visit_start=far))}
    assert dues["before_session_4"].send_after == far - timedelta(days=2)
    # Four sessions done: before session 4 has passed, before session 8 is not yet near.
    four = (*sessions, DAY0 + timedelta(days=21))
    keys = [d.timepoint for d in planned(facts(sessions=four, first_visit_start=None, next_visit_start=far))]
    assert keys == ["week_12"]


def test_week_12_from_day_84_to_the_end_of_day_105() -> None:
    f = facts(sessions=(DAY0,), first_visit_start=None)
    [due] = planned(f)
    assert due.send_after == at(DAY0 + timedelta(days=84), time(9))
    assert due.expires_at == at(DAY0 + timedelta(days=106), time(0))
    assert due_sends(f, now=at(DAY0 + timedelta(days=105), time(23, 59))) == [due]
    assert due_sends(f, now=at(DAY0 + timedelta(days=106), time(0))) == []
    assert planned(facts(first_visit_start=None)) == []  # no session, no follow-up


def test_a_full_diary_baseline_needs_28_days_before_the_first_session() -> None:
    from longtide.outcomes.schedule import full_baseline_from

    start = date(2026, 3, 1)
    assert full_baseline_from(diary_start=start, first_session=date(2026, 3, 10), today=start) == date(2026, 3, 29)
    assert full_baseline_from(diary_start=start, first_session=date(2026, 3, 29), today=start) is None
    assert full_baseline_from(diary_start=start, first_session=date(2026, 3, 10), today=date(2026, 3, 10)) is None
