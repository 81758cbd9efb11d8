"""What the code above this package plugs into it: subject hooks and planners.

This package knows nothing about bookings. The apps that ask for messages register, in their
AppConfig.ready():

- **subject hooks** for the kind of thing their messages are about (the part of `about` before
  the colon, e.g. "appointment"): whether a message is still wanted at send time (a reminder for a
  cancelled visit is not), the private links to fill in, and the current address for a resend;
- **planners**: functions the worker calls about once a minute to create the messages that fall
  due by time (reminders, check-ins), each idempotent through its dedupe keys;
- **vetoes**: extra reasons from an app above the subject's own app not to send a message of that
  kind now (intake holds the reminders of a client with an open EMERGENCY flag, which scheduling
  cannot know about without importing intake).

A subject's hooks may also **compose** its messages at send time: a message queued with
`compose_at_send` holds no text yet, only what it is about (`purpose`, `about`), and the worker
asks the hook for its subject, bodies and attachments right before the first send. The code
that queues such a message thereby writes only a small row in its transaction (an online
booking's request to confirm), and the message says what is true when it goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from longtide.lib.tracebacks import bare_traceback

if TYPE_CHECKING:
    from longtide.notifications.models import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Written:
    """A message written at send time; links are still `[[placeholders]]` (links.py)."""

    subject: str
    text: str
    html: str
    attachments: tuple[dict[str, str], ...] = ()
    reply_to: str = ""


@dataclass(frozen=True, slots=True)
class SubjectHooks:
    # None when the message should still go; otherwise why not (a fixed phrase, no personal data).
    unwanted_because: Callable[[Message, datetime], str | None]
    # The private links for the message's [[placeholders]].
    links: Callable[[Message], Mapping[str, str]]
    # The subject's current address on the message's channel (for a resend), or None; raises
    # outbox.ResendRefused, with a message for staff, when no copy may go (the client said no).
    current_recipient: Callable[[Message], str | None]
    # Writes a message queued with `compose_at_send`, as of the given time: None when what it is
    # about no longer exists. Only kinds whose messages are queued that way need it.
    compose: Callable[[Message, datetime], Written | None] | None = None


_hooks: dict[str, SubjectHooks] = {}
_planners: dict[str, Callable[[datetime], int]] = {}
_vetoes: dict[str, list[Callable[[Message, datetime], str | None]]] = {}


def register_subject(kind: str, hooks: SubjectHooks) -> None:
    """Register the hooks for messages whose `about` starts with `kind:`."""
    _hooks[kind] = hooks


def hooks_for(message: Message) -> SubjectHooks | None:
    kind = message.about.partition(":")[0]
    return _hooks.get(kind) if kind else None


def register_veto(kind: str, veto: Callable[[Message, datetime], str | None]) -> None:
    """Add a check run right before sending a message about `kind:`: a fixed phrase when it must not go."""
    if veto not in _vetoes.setdefault(kind, []):
        _vetoes[kind].append(veto)


def unwanted_because(message: Message, now: datetime) -> str | None:
    """Why the message should not go now (its subject's hook, then any veto), or None."""
    kind = message.about.partition(":")[0]
    hooks = _hooks.get(kind) if kind else None
    reason = hooks.unwanted_because(message, now) if hooks else None
    for veto in _vetoes.get(kind, []) if kind else []:
        reason = reason or veto(message, now)
    return reason


def register_planner(name: str, plan: Callable[[datetime], int]) -> None:
    """Register a planner: called with the current time, it creates due messages and returns how many."""
    _planners[name] = plan


def run_planners(now: datetime) -> dict[str, int]:
    """Run every planner once; one failing does not stop the others (or the worker)."""
    made: dict[str, int] = {}
    for name, plan in _planners.items():
        try:
            made[name] = plan(now)
        except Exception as error:
            # The error's text may hold data from a row: log its type and where it happened only.
            log.error("planner %s failed: %s", name, bare_traceback(error))
            made[name] = -1
    return made
