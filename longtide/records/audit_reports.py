"""The owner's views of the practice's audit trail: every event with filters (who, which client,
what, when), and the monthly access report (who looked at whose record, break-glass first). Both
can be downloaded as CSV; a download is itself an audited export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from longtide.audit.models import Action, AuditEvent, AuditEventQuerySet
from longtide.clients.models import Client
from longtide.practice.models import Practice

# Actions that are a look at a client's record (the access report counts these).
LOOKS = (Action.VIEW, Action.EXPORT, Action.PRINT, Action.BREAK_GLASS)
CSV_COLUMNS = [
    "at",
    "who",
    "role",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "client",
    "basis",
    "via",
    "ip",
    "user_agent",
    "reason",
    "detail",
]


@dataclass(frozen=True)
class TrailFilter:
    actor_id: int | None = None  # 0: events by nobody signed in (the client, the system)
    client_id: int | None = None
    action: str = ""
    start: date | None = None  # inclusive, practice-local days
    end: date | None = None  # inclusive


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def trail(practice: Practice, wanted: TrailFilter, zone: ZoneInfo) -> AuditEventQuerySet:
    """The practice's events matching the filter, newest first."""
    found = AuditEvent.objects.for_practice(practice.pk)
    if wanted.actor_id == 0:
        found = found.filter(actor_id__isnull=True)
    elif wanted.actor_id is not None:
        found = found.filter(actor_id=wanted.actor_id)
    if wanted.client_id is not None:
        found = found.filter(client_id=wanted.client_id)
    if wanted.action:
        found = found.filter(action=wanted.action)
    if wanted.start is not None:
        found = found.filter(at__gte=_day_start(wanted.start, zone))
    if wanted.end is not None:
        found = found.filter(at__lt=_day_start(wanted.end + timedelta(days=1), zone))
    return found.order_by("-at", "-seq")


def client_names(practice: Practice, events: Iterable[AuditEvent]) -> dict[int, str]:
    """Names of the practice's clients the events are about (a destroyed client has none)."""
    ids = {e.client_id for e in events if e.client_id is not None}
    return {
        pk: f"{first} {last}".strip()
        for pk, first, last in Client.objects.filter(practice=practice, pk__in=ids).values_list(
            "pk", "first_name", "last_name"
        )
    }


@dataclass(frozen=True)
class Reader:
    who: str
    role: str
    client_id: int | None
    client: str
    looks: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class MonthlyReport:
    month: date  # its first day
    break_glass: list[AuditEvent]
    readers: list[Reader]  # per staff member and client, most looks first
    looks: int


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return _day_start(month, zone), _day_start(following, zone)


def monthly(practice: Practice, month: date, zone: ZoneInfo) -> MonthlyReport:
    """Who looked at whose record in the month (practice-local), break-glass openings first."""
    start, end = month_bounds(month.replace(day=1), zone)
    events = list(
        AuditEvent.objects.for_practice(practice.pk)
        .filter(at__gte=start, at__lt=end, action__in=LOOKS, client_id__isnull=False)
        .order_by("at", "seq")
    )
    names = client_names(practice, events)
    grouped: dict[tuple[str, str, int | None], list[AuditEvent]] = {}
    for event in events:
        grouped.setdefault((event.actor_label or "system", event.actor_role, event.client_id), []).append(event)
    readers = [
        Reader(who, role, client_id, names.get(client_id or 0, ""), len(rows), rows[0].at, rows[-1].at)
        for (who, role, client_id), rows in grouped.items()
    ]
    readers.sort(key=lambda r: (-r.looks, r.who, r.client_id or 0))
    return MonthlyReport(
        month=month.replace(day=1),
        break_glass=[e for e in reversed(events) if e.action == Action.BREAK_GLASS],
        readers=readers,
        looks=len(events),
    )


def _clean(value: object) -> str:
    """A CSV cell: text that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows_csv(header: list[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_clean(cell) for cell in row])
        yield buffer.getvalue()


def trail_csv(practice: Practice, events: AuditEventQuerySet, zone: ZoneInfo) -> Iterator[str]:
    """Every matching event as CSV lines, in chunks (names looked up per thousand rows)."""

    def rows() -> Iterator[list[object]]:
        batch: list[AuditEvent] = []
        for event in events.iterator(chunk_size=1000):
            batch.append(event)
            if len(batch) == 1000:
                yield from _event_rows(practice, batch, zone)
                batch = []
        yield from _event_rows(practice, batch, zone)

    return _rows_csv(CSV_COLUMNS, rows())


def _event_rows(practice: Practice, batch: list[AuditEvent], zone: ZoneInfo) -> Iterator[list[object]]:
    names = client_names(practice, batch)
    for e in batch:
        yield [
            e.at.astimezone(zone).isoformat(),
            e.actor_label or "system",
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.client_id or "",
            names.get(e.client_id or 0, ""),
            e.basis,
            e.via,
            e.ip or "",
            e.user_agent,
            e.reason,
            e.detail,
        ]


def monthly_csv(report: MonthlyReport, zone: ZoneInfo) -> Iterator[str]:
    header = ["who", "role", "client_id", "client", "looks", "first", "last", "break_glass_reasons"]
    reasons: dict[tuple[str, int | None], list[str]] = {}
    for e in report.break_glass:
        reasons.setdefault((e.actor_label or "system", e.client_id), []).append(e.reason)
    rows = (
        [
            r.who,
            r.role,
            r.client_id or "",
            r.client,
            r.looks,
            r.first.astimezone(zone).isoformat(),
            r.last.astimezone(zone).isoformat(),
            " | ".join(reasons.get((r.who, r.client_id), [])),
        ]
        for r in report.readers
    )
    return _rows_csv(header, rows)
