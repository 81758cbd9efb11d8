"""Asking for messages: queue them, withdraw them, resend one. Nothing here sends anything.

Callers queue messages inside the transaction of the change that causes them (a booking, a move,
a planner run), so that the change and its messages commit together or not at all. Each message
names a dedupe key unique in its practice, so asking twice creates it once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import DateField, DateTimeField, Field
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide import db_values, prepared
from longtide.notifications.models import Channel, Message, State
from longtide.notifications.subjects import hooks_for


@dataclass(frozen=True, slots=True)
class NewMessage:
    purpose: str
    channel: Channel
    recipient: str
    dedupe_key: str
    body_text: str
    send_after: datetime
    subject: str = ""
    body_html: str = ""
    about: str = ""
    reply_to: str = ""
    expires_at: datetime | None = None
    attachments: tuple[dict[str, str], ...] = field(default=())
    # Written by the subject's hooks at send time (subjects.py); body_text etc. stay empty here.
    compose_at_send: bool = False


def queue(*, practice_id: int, messages: Iterable[NewMessage]) -> None:
    """Add the messages to the outbox in the caller's transaction.

    A message whose dedupe key the practice already has is skipped (the database's unique
    constraint decides, so two processes asking at once still create one), which is also why
    this insert cannot fail for an ordinary reason and undo the caller's change with it.
    """
    rows = [_row(practice_id, new) for new in messages]
    if rows:
        _insert_ignoring_conflicts(rows)


def _row(practice_id: int, new: NewMessage) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "purpose": new.purpose,
        "channel": new.channel,
        "recipient": new.recipient,
        "about": new.about,
        "dedupe_key": new.dedupe_key,
        "subject": new.subject,
        "body_text": new.body_text,
        "body_html": new.body_html,
        "attachments": list(new.attachments),
        "compose_at_send": new.compose_at_send,
        "reply_to": new.reply_to,
        "send_after": new.send_after,
        "expires_at": new.expires_at,
    }


def insert_one_from(practice_id: int, new: NewMessage, *, recipient: str, source: str) -> tuple[str, list[Any]]:
    """PostgreSQL: `INSERT … SELECT … FROM <source> … ON CONFLICT DO NOTHING` of one message (as
    queue() writes it) whose recipient is the SQL expression `recipient` over `source`'s rows (a
    data-modifying CTE of a caller's statement); `new.recipient` is not used. Its SQL and params.

    Each placeholder is cast to its column's type: the statement runs prepared, with server-side
    binding, where an untyped parameter in a SELECT list is text."""
    fields, sql = _insert_from_sql(connection.vendor, recipient, source)
    db = connections[DEFAULT_DB_ALIAS]
    row = _row(practice_id, new)
    # Each field's get_db_prep_save, decided once per field (db_values).
    params = db_values.prepared(fields, [row[f.attname] if f.attname in row else f.get_default() for f in fields], db)
    return sql, params


@functools.cache
def _insert_from_sql(vendor: str, recipient: str, source: str) -> tuple[list[Field[Any, Any]], str]:
    """insert_one_from's statement and the fields of its placeholders, in order, worked out once."""
    fields, _head, _one = _insert_parts(vendor)
    quote = connection.ops.quote_name
    holders = [
        recipient if f.attname == "recipient" else f"CAST(%s AS {str(f.db_type(connection)).partition('(')[0]})"
        for f in fields
    ]
    sql = (
        f"INSERT INTO {quote(Message._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608 (our table, placeholders)
        f"SELECT {', '.join(holders)} FROM {source} ON CONFLICT DO NOTHING"
    )
    return [f for f in fields if f.attname != "recipient"], sql


@functools.cache
def _insert_parts(vendor: str) -> tuple[list[Field[Any, Any]], str, str]:
    """The columns written, `INSERT INTO … VALUES ` and one row's placeholders, worked out once."""
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key and not f.generated]
    # Rows are written from their values and the fields' defaults, as Message(**row) would hold
    # them: right only while no field sets itself when saved (auto_now, a file).
    for f in fields:
        if (
            type(f).pre_save not in (Field.pre_save, DateField.pre_save, DateTimeField.pre_save)
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        ):
            raise ImproperlyConfigured(f"Message.{f.name} sets itself on save: build Message instances in queue()")
    quote = connection.ops.quote_name
    one = f"({', '.join(['%s'] * len(fields))})"
    head = f"INSERT INTO {quote(Message._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) VALUES "  # noqa: S608 (our table, placeholders)
    return fields, head, one


def _insert_ignoring_conflicts(rows: list[dict[str, Any]]) -> None:
    """bulk_create(rows, ignore_conflicts=True) as one plain `INSERT … ON CONFLICT DO NOTHING`:
    every booking queues a message, and building the ORM's insert (or even the Message instances)
    cost more than the insert. Each row holds some of the fields' values (by attname); the others
    get the field's default, as in Message(**row)."""
    fields, head, one = _insert_parts(connection.vendor)
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: each field's preparation reads it
    # Batches well inside both databases' limits on parameters per statement (a planner's run).
    for first in range(0, len(rows), BATCH):
        batch = rows[first : first + BATCH]
        params = [
            f.get_db_prep_save(row[f.attname] if f.attname in row else f.get_default(), db)
            for row in batch
            for f in fields
        ]
        sql = head + ", ".join([one] * len(batch)) + " ON CONFLICT DO NOTHING"
        if len(batch) == 1:
            # One message (a booking's, a change's): prepared on PostgreSQL, planned once per connection.
            prepared.execute(sql, params)
        else:
            with db.cursor() as cursor:
                cursor.execute(sql, params)


BATCH = 200


def withdraw(*, practice_id: int, about: str, purposes: Iterable[str], reason: str) -> int:
    """Withdraw the waiting messages about something (e.g. a cancelled visit's reminders); return how many.

    A message a worker is sending at this moment is not touched: the worker asks the subject's
    hooks whether it is still wanted right before it sends.
    """
    return Message.objects.filter(
        practice_id=practice_id, about=about, purpose__in=list(purposes), status=State.PENDING
    ).update(status=State.WITHDRAWN, last_error=reason[:300])


class ResendRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


RESENDABLE = (State.SENT, State.FAILED)


def resend(*, message: Message, by: User | None, key: str) -> Message:
    """Queue a new copy of a sent or failed message, to the subject's current address when its
    hooks know it (a corrected email, say), else to the original one. Never edits the original.

    `key` comes from the form that asked (one per page view), so a double submit or a replayed
    form makes one copy, not two.
    """
    if message.status not in RESENDABLE:
        raise ResendRefused(_("Only a sent or failed message can be sent again."))
    if not key or len(key) > 64 or not key.replace("-", "").replace("_", "").isalnum():
        raise ResendRefused(_("This form has expired. Please reload the page and try again."))
    dedupe_key = f"resend:{message.pk}:{key}"
    hooks = hooks_for(message)
    recipient = hooks.current_recipient(message) if hooks else None
    existing = Message.objects.filter(practice_id=message.practice_id, dedupe_key=dedupe_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Message.objects.create(
                practice_id=message.practice_id,
                purpose=message.purpose,
                channel=message.channel,
                recipient=recipient or message.recipient,
                about=message.about,
                dedupe_key=dedupe_key,
                subject=message.subject,
                body_text=message.body_text,
                body_html=message.body_html,
                attachments=message.attachments,
                # A message that failed before it was written is written again for its copy.
                compose_at_send=message.compose_at_send,
                reply_to=message.reply_to,
                send_after=timezone.now(),
                expires_at=message.expires_at,
                resend_of=message,
                created_by=by,
            )
    except IntegrityError:  # the same form, submitted twice at once
        return Message.objects.get(practice_id=message.practice_id, dedupe_key=dedupe_key)
