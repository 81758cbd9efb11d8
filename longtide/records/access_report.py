"""Who read a client's record: the audit trail of one client and of the records merged into theirs
(records/merge.py: what was read there is part of this record now), break-glass openings first."""

from __future__ import annotations

from dataclasses import dataclass

from longtide.audit.models import Action, AuditEvent
from longtide.clients.models import Client
from longtide.practice.models import Practice
from longtide.records.audit_reports import LOOKS
from longtide.records.retention import with_duplicates

# The newest rows shown on the page; the count says how many there are in all.
REPORT_LIMIT = 500


@dataclass(frozen=True)
class AccessReport:
    break_glass: list[AuditEvent]
    events: list[AuditEvent]
    total: int
    readers: list[tuple[str, int]]  # (who, how many openings), most first
    merged: list[int]  # the records merged into this one, whose trails are included


def access_report(practice: Practice, client: Client) -> AccessReport:
    ids = with_duplicates(client.pk)
    trail = AuditEvent.objects.for_practice(practice.pk).filter(client_id__in=ids)
    counts: dict[str, int] = {}
    looks = trail.filter(action__in=LOOKS)  # as the monthly report: views, exports, prints, break-glass
    for label in looks.values_list("actor_label", flat=True):
        who = label or "system"
        counts[who] = counts.get(who, 0) + 1
    return AccessReport(
        break_glass=list(trail.filter(action=Action.BREAK_GLASS).order_by("-at", "-seq")),
        events=list(trail.order_by("-at", "-seq")[:REPORT_LIMIT]),
        total=trail.count(),
        readers=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        merged=ids[1:],
    )
