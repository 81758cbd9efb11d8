"""A staff member's sessions: what each one records about itself, when it has been idle too long,
and ending them (one, all but the current one, or all).

Activity is kept in the session's own server-side data (`META_KEY`): when it started, when it was
last seen, from which address and browser. It is refreshed at most once a minute per session
(`TOUCH_EVERY`), so an active staff member costs one session write a minute, not one per request;
the idle limit is therefore exact to within that minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.utils import timezone

from longtide.accounts.models import StaffSession

META_KEY = "_longtide_session"
TOUCH_EVERY = timedelta(minutes=1)
AGENT_MAX = 300


@dataclass(frozen=True)
class Activity:
    since: datetime
    seen: datetime
    idle_limit: timedelta | None


def activity(session: SessionBase) -> Activity | None:
    """Return what the session records about its own activity, or None if it records nothing yet."""
    meta = session.get(META_KEY)
    if not isinstance(meta, dict) or not isinstance(meta.get("seen"), int | float):
        return None
    limit = meta.get("idle")
    since = meta.get("since")
    return Activity(
        since=datetime.fromtimestamp(since if isinstance(since, int | float) else meta["seen"], tz=UTC),
        seen=datetime.fromtimestamp(meta["seen"], tz=UTC),
        idle_limit=timedelta(minutes=limit) if isinstance(limit, int) else None,
    )


def is_idle_too_long(session: SessionBase, now: datetime) -> timedelta | None:
    """Return the idle limit the session went past, or None while it is within it."""
    found = activity(session)
    if found is None or found.idle_limit is None:
        return None
    return found.idle_limit if now - found.seen > found.idle_limit else None


def touch(session: SessionBase, *, now: datetime, ip: str | None, agent: str, idle_minutes: int) -> None:
    """Record activity on the session, writing it only when something changed or a minute passed."""
    meta: dict[str, Any] = dict(session.get(META_KEY) or {})
    stamp = now.timestamp()
    agent = agent[:AGENT_MAX]
    fresh = isinstance(meta.get("seen"), int | float) and stamp - meta["seen"] < TOUCH_EVERY.total_seconds()
    if fresh and meta.get("ip") == ip and meta.get("agent") == agent and meta.get("idle") == idle_minutes:
        return
    meta.setdefault("since", stamp)
    meta.update(seen=stamp, ip=ip, agent=agent, idle=idle_minutes)
    session[META_KEY] = meta


def touch_is_due(session: SessionBase, now: datetime) -> bool:
    found = activity(session)
    return found is None or now - found.seen >= TOUCH_EVERY


def live_sessions(user: User) -> QuerySet[StaffSession]:
    """The user's sessions that have not expired, most recently seen first."""
    return StaffSession.objects.filter(user_id=user.pk, expire_date__gt=timezone.now()).order_by(
        "-last_seen", "-started_at"
    )


def end_session(*, user: User, handle: str) -> bool:
    """End one of the user's own sessions; return whether there was one to end. A handle of
    another user's session ends nothing."""
    deleted, _ = StaffSession.objects.filter(user_id=user.pk, handle=handle).delete()
    return deleted > 0


def end_other_sessions(*, user: User, keep_session_key: str | None) -> int:
    """End every session of the user but the one with `keep_session_key`; return how many ended."""
    sessions = StaffSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _ = sessions.delete()
    return deleted
