"""Times on pages: slot values in forms, labels in the location's time zone, slots grouped by local day.
Shared by the public booking pages, the client's manage pages and the staff calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from longtide.lib import bounds
from longtide.scheduling.availability import Slot
from longtide.web import formats


def parse_start(raw: str) -> datetime | None:
    """Return an aware datetime from ISO 8601 text with a UTC offset (years 1900–2999), or None."""
    return bounds.parse_moment(raw)


def parse_day(raw: str | None) -> date | None:
    """Return an ISO date from 1900-01-01 to 2999-12-31, or None (lib/bounds.py)."""
    return bounds.parse_day(raw)


def slot_value(start: datetime, practitioner_id: int) -> str:
    """Return the form value naming one offered slot: "<ISO start>|<practitioner id>"."""
    return f"{start.isoformat()}|{practitioner_id}"


def parse_slot(raw: str) -> tuple[datetime, int] | None:
    start_text, _, pid = raw.partition("|")
    start, practitioner_id = parse_start(start_text), bounds.parse_id(pid)
    if start is None or practitioner_id is None:
        return None
    return start, practitioner_id


@dataclass(frozen=True, slots=True)
class TimeChoice:
    label: str  # "9:15 AM" or "09:15"
    value: str  # slot_value(...)
    practitioner: str
    start: datetime


@dataclass
class Day:
    day: date
    label: str  # "Tuesday 1 December", "mardi 1 décembre" (the practice's locale)
    times: list[TimeChoice] = field(default_factory=list)


def time_label(moment: datetime, zone: ZoneInfo) -> str:
    """Return "2:00 PM" or "14:00" (the practice's clock, web/formats.py) in `zone`."""
    return formats.current().clock(moment.astimezone(zone))


def day_label(day: date) -> str:
    """Return "Tuesday 1 December" in the practice's locale (web/formats.py): "mardi 1 décembre" …"""
    return formats.current().date(day, "l j F")


def day_year_label(day: date) -> str:
    """Return "Tuesday 1 December 2026" in the practice's locale."""
    return formats.current().date(day, "l j F Y")


def zone_abbreviation(zone: ZoneInfo, day: date) -> str:
    """Return the zone's abbreviation at noon on `day` (EST, EDT, GMT, BST …)."""
    return datetime.combine(day, time(12), tzinfo=zone).tzname() or str(zone)


def when_label(moment: datetime, zone: ZoneInfo) -> str:
    """Return "Tuesday 1 December 2026, 10:00 AM EST" (the practice's locale and clock)."""
    local = moment.astimezone(zone)
    return f"{day_year_label(local.date())}, {time_label(moment, zone)} {local.tzname()}"


def group_by_day(slots: list[Slot], zone: ZoneInfo, days: list[date], names: dict[int, str]) -> list[Day]:
    """Return one Day per date in `days` (empty days included), with the slots that start on it."""
    grouped = {d: Day(d, day_label(d)) for d in days}
    for slot in slots:
        local_day = slot.start.astimezone(zone).date()
        if local_day in grouped:
            grouped[local_day].times.append(
                TimeChoice(
                    label=time_label(slot.start, zone),
                    value=slot_value(slot.start, slot.practitioner_id),
                    practitioner=names.get(slot.practitioner_id, ""),
                    start=slot.start,
                )
            )
    return list(grouped.values())


def chosen_day(week: list[Day], wanted: date | None) -> date | None:
    """The day a phone shows the times of: the one asked for if it is in `week`, else the first with
    free times, else the first."""
    if wanted is not None and any(d.day == wanted for d in week):
        return wanted
    return next((d.day for d in week if d.times), week[0].day if week else None)
