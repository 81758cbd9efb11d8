"""Writing the audit trail: `record(...)`, the one way a row gets in.

A row is written in the same transaction as what it records (`record` refuses to run outside one),
so a view that fails rolls its audit row back with it, and a change that commits always has its row.

Appends to one chain are serialized: on PostgreSQL by a transaction-scoped advisory lock per chain
(held until the transaction ends, so two transactions never both read the same last row and fork
the chain); on SQLite every write transaction is IMMEDIATE (settings), which already serializes them.
Call `record` late in a transaction to keep the lock short.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from longtide.audit.chain import GENESIS, Link
from longtide.audit.models import Action, AuditEvent, Via

# Advisory-lock key space for audit chains; longtide/scheduling/locks.py uses 1 and 2.
AUDIT_LOCK_SPACE = 3
_INT4 = 2**31 - 1
_USER_AGENT_MAX = 300
_REASON_MAX = 2000


class NotInTransaction(RuntimeError):
    """`record` was called outside a transaction: the row could commit without what it records."""


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client's address and user agent."""

    ip: str | None
    user_agent: str

    @classmethod
    def of(cls, request: HttpRequest | None) -> Origin:
        """Return the request's origin. The address is the connection's peer (REMOTE_ADDR): behind a
        proxy that is the proxy, unless the deployment rewrites REMOTE_ADDR from a header it trusts."""
        if request is None:
            return cls(None, "")
        return cls(_clean_ip(request.META.get("REMOTE_ADDR")), str(request.META.get("HTTP_USER_AGENT", "")))


@dataclass(frozen=True)
class Actor:
    """Who acts, as the trail records them: the user (None for the system), their role in the
    practice, where the request came from, and through which interface."""

    user: AbstractBaseUser | None
    role: str = ""
    origin: Origin = Origin(None, "")
    via: Via = Via.WEB

    @classmethod
    def system(cls, *, via: Via = Via.SYSTEM) -> Actor:
        """Return the actor for work nobody started by hand (a scheduled job) or a command run."""
        return cls(None, "", Origin(None, ""), via)


def _clean_ip(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def _clean(text: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; other control characters are kept out of what owners read.
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n")[:limit]


def record(
    *,
    by: Actor,
    action: Action,
    object_type: str,
    practice_id: int | None,
    client_id: int | None = None,
    object_id: object = "",
    basis: str = "",
    reason: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event to the practice's chain, inside the caller's transaction, and return it."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction("audit.record must run inside the transaction of what it records")
    chain = practice_id or 0
    user = by.user if by.user is not None and by.user.is_authenticated else None
    _lock_chain(chain)
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    link = Link(
        chain=chain,
        seq=seq,
        at=timezone.now(),
        practice_id=practice_id,
        actor_id=int(user.pk) if user is not None and user.pk is not None else None,
        actor_label=_clean(user.get_username(), 150) if user is not None else "",
        actor_role=by.role,
        via=str(by.via),
        client_id=client_id,
        action=str(action),
        object_type=object_type,
        object_id=_clean(str(object_id), 64),
        basis=basis,
        ip=by.origin.ip,
        user_agent=_clean(by.origin.user_agent, _USER_AGENT_MAX),
        reason=_clean(reason, _REASON_MAX),
        detail=_clean(detail, 200),
        prev_hash=prev_hash,
    )
    event = AuditEvent(**{name: getattr(link, name) for name in link.__dataclass_fields__}, hash=link.digest())
    event._sealed = True  # type: ignore[attr-defined]  # the model's append-only guard
    event.save(force_insert=True)
    return event


def _lock_chain(chain: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [AUDIT_LOCK_SPACE, chain % _INT4])
