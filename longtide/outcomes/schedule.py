"""When an episode's questionnaires are sent (domain.md §1 timepoints, §2.2 fixed windows).

    due_sends(episode_facts, now=...)  # the timepoints whose link should be sent by now

Each timepoint is sent so that the answer falls inside its fixed window of `windows.py`, never
chosen by looking at values:

- **baseline**: before the first session. A questionnaire goes `BASELINE_LEAD` before the first
  visit (at once when the visit is booked later than that) and works until the visit starts; the
  headache diary goes at once, so that up to 28 days before the first session can be recorded.
- **before session 4 / before session 8**: once sessions 3 (7) are done and the next visit is
  booked, `SESSION_LEAD` before it, never on the day of session 3 (7) itself (the window opens the
  day after), working until that visit starts.
- **week 12**: on day 84 after the first session at `MORNING`, working until the end of day 105
  (the window's last day), whether or not the client still comes; not for an episode with no
  session.

Pure: no Django. Times are aware datetimes; days are the practice's calendar days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from longtide.outcomes import windows
from longtide.outcomes.diary import WINDOW_DAYS

BASELINE_LEAD = timedelta(days=3)
SESSION_LEAD = timedelta(days=2)
MORNING = time(9, 0)


@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    """What the schedule needs to know about one episode."""

    first_session: date  # day 0: the first visit's date (booked or done)
    first_visit_start: datetime | None  # when the first visit begins, while it has not happened
    sessions: Sequence[date]  # the days of completed sessions, first first
    next_visit_start: datetime | None  # the next booked visit after the last completed one
    opened_at: datetime  # when the episode was opened (the booking, for automatic ones)
    diary: bool  # the primary measure is the headache diary
    zone: tzinfo


@dataclass(frozen=True, slots=True)
class Due:
    timepoint: str  # a windows key: baseline, before_session_4, before_session_8, week_12
    send_after: datetime
    expires_at: datetime


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def planned(facts: EpisodeFacts) -> list[Due]:
    """Every send the episode has a time for now (past or future), in order."""
    found: list[Due] = []
    sessions = list(facts.sessions)
    if not sessions and facts.first_visit_start is not None:
        if facts.diary:
            found.append(Due(windows.BASELINE.key, facts.opened_at, facts.first_visit_start))
        else:
            found.append(Due(windows.BASELINE.key, facts.first_visit_start - BASELINE_LEAD, facts.first_visit_start))
    for window in (windows.BEFORE_SESSION_4, windows.BEFORE_SESSION_8):
        done = window.session - 1
        nxt = facts.next_visit_start
        if len(sessions) == done and nxt is not None and nxt.astimezone(facts.zone).date() > sessions[-1]:
            opens = _day_start(sessions[-1] + timedelta(days=1), facts.zone)
            found.append(Due(window.key, max(nxt - SESSION_LEAD, opens), nxt))
    if sessions:
        week12 = windows.WEEK_12
        target = facts.first_session + timedelta(days=week12.target_day)
        last = facts.first_session + timedelta(days=week12.target_day + week12.after)
        found.append(
            Due(
                week12.key,
                datetime.combine(target, MORNING, tzinfo=facts.zone),
                _day_start(last + timedelta(days=1), facts.zone),
            )
        )
    return found


def due_sends(facts: EpisodeFacts, *, now: datetime, ahead: timedelta = timedelta(0)) -> list[Due]:
    """The sends due by `now + ahead` that can still be answered (not yet expired)."""
    return [due for due in planned(facts) if due.send_after <= now + ahead and now < due.expires_at]


def full_baseline_from(*, diary_start: date, first_session: date, today: date) -> date | None:
    """The first day a first session could be on for a full 28-day diary before it, when the booked
    one comes sooner and has not happened yet (the client may choose to wait); else None."""
    ready = diary_start + timedelta(days=WINDOW_DAYS)
    if today < first_session < ready:
        return ready
    return None
