"""Checking the stored trail against its hash chains (the `longtide audit verify` command)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from longtide.audit.chain import Break, Head, Link, verify_chain
from longtide.audit.models import AuditEvent


@dataclass
class Verification:
    """What a verification found: the head of every chain that holds, and the first break, if any."""

    rows: int = 0
    heads: list[Head] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_trail(*, chain: int | None = None) -> Verification:
    """Verify every chain (or one), reading rows in order without holding them all in memory."""
    chains = AuditEvent.objects.order_by("chain").values_list("chain", flat=True).distinct()
    if chain is not None:
        chains = chains.filter(chain=chain)
    result = Verification()
    for number in list(chains):
        head, broken = verify_chain(_rows(number, result))
        if head is not None:
            result.heads.append(head)
        if broken is not None:
            result.breaks.append(broken)
    return result


def _rows(chain: int, result: Verification) -> Iterator[tuple[int, Link, str]]:
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        result.rows += 1
        yield event.pk, event.link(), event.hash
