"""The hash chain of the audit trail, without Django: what a row's hash covers and how it is computed.

Each chain (one per practice, and chain 0 for events outside any practice) numbers its rows 1, 2, 3 …
and each row's hash covers its content and the previous row's hash. An edit made past the database
trigger changes that row's hash (or, if the editor recomputes it, the next row's `prev_hash` no
longer matches); a deleted row leaves a gap in the numbers and a broken link. `verify_chain` finds
the first such row.

A chain cannot show that rows were cut off its end: compare the head `longtide audit verify` prints
with a head recorded earlier (kept outside the database) for that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
_DOMAIN = b"longtide-audit-v1\n"


@dataclass(frozen=True)
class Link:
    """What one row contributes to its chain: every stored field except its database id and hash."""

    chain: int
    seq: int
    at: datetime
    practice_id: int | None
    actor_id: int | None
    actor_label: str
    actor_role: str
    via: str
    client_id: int | None
    action: str
    object_type: str
    object_id: str
    basis: str
    ip: str | None
    user_agent: str
    reason: str
    detail: str
    prev_hash: str

    def canonical(self) -> bytes:
        """Return the bytes the hash covers: sorted-key JSON, ASCII only, times in UTC to the microsecond."""
        content = {name: getattr(self, name) for name in self.__dataclass_fields__}
        content["at"] = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")

    def digest(self) -> str:
        """Return the row's hash: SHA-256 over a domain tag and the canonical content (prev_hash included)."""
        return hashlib.sha256(_DOMAIN + self.canonical()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where a chain does not hold, and why."""

    chain: int
    seq: int
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"chain {self.chain}, row {self.seq}" + (f" (id {self.row_id})" if self.row_id is not None else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Head:
    """The last row of a chain that verified."""

    chain: int
    seq: int
    hash: str


def verify_chain(rows: Iterable[tuple[int, Link, str]]) -> tuple[Head | None, Break | None]:
    """Check one chain's rows, given in `seq` order as (row id, link, stored hash).

    Return the head reached and the first break (None when the chain holds).
    """
    expected_seq, prev_hash, head = 1, GENESIS, None
    for row_id, link, stored_hash in rows:
        if link.seq != expected_seq:
            missing = "row missing" if link.seq > expected_seq else "row repeated"
            return head, Break(link.chain, expected_seq, row_id, f"{missing}: found row {link.seq} next")
        if link.prev_hash != prev_hash:
            return head, Break(link.chain, link.seq, row_id, "does not link to the row before it (prev_hash differs)")
        if link.digest() != stored_hash:
            return head, Break(link.chain, link.seq, row_id, "content does not match its hash (the row was changed)")
        head = Head(link.chain, link.seq, stored_hash)
        expected_seq, prev_hash = expected_seq + 1, stored_hash
    return head, None
