"""The demo's front-desk days: past weeks with a no-show, a late cancellation (with its reason) and a
client's own cancellation, today's visits (one completed, one no-show, one under way and not yet
marked, one moved to this afternoon, one late-cancelled this morning), a client who has only a
phone, and each demo appointment's history (AppointmentEvent), so that the calendar, the client
pages and the appointment pages all have something true to show.

Rows are written directly (times in the past cannot be booked, and seeding sends no messages);
each is checked against what already holds the time, so the demo never double-books itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from longtide.clients.models import Client
from longtide.practice.models import Practice
from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
from longtide.scheduling.models import (
    Appointment,
    AppointmentEvent,
    Channel,
    Decider,
    EventKind,
    Source,
    Status,
)

# A client with only a phone (booked by the front desk; no email goes to her).
PHONE_ONLY = ("Marta", "Ruiz", "+1 718 555 0199")


@dataclass(frozen=True)
class DemoVisit:
    client: str  # first name
    practitioner: str  # slug
    service: str  # slug
    status: str
    # Past weeks: days ago and a local time. Today: minutes from now (rounded to a quarter hour).
    days_ago: int | None = None
    at: time | None = None
    minutes_from_now: int | None = None
    booked_online: bool = False
    reason: str = ""
    decided_by: str = ""
    moved_from_days: int = 0  # moved here from this many days later (today's "moved" visit)


PAST = [
    DemoVisit("Noor", "maya-okafor", "cst-60", Status.NO_SHOW, days_ago=15, at=time(14)),
    DemoVisit(
        "Ben",
        "jonah-lindqvist",
        "cst-60",
        Status.LATE_CANCELLED,
        days_ago=9,
        at=time(12),
        booked_online=True,
        reason="Phoned at 8 AM: his daughter is ill and he cannot leave her.",
        decided_by=Decider.CLIENT,
    ),
    DemoVisit(
        "Iris",
        "ines-moreau",
        "head-neck-30",
        Status.CANCELLED_CLIENT,
        days_ago=4,
        at=time(16, 30),
        booked_online=True,
        decided_by=Decider.CLIENT,
    ),
]
TODAY = [
    DemoVisit("Ada", "maya-okafor", "cst-60", Status.COMPLETED, minutes_from_now=-180),
    DemoVisit("Lea", "jonah-lindqvist", "head-neck-30", Status.NO_SHOW, minutes_from_now=-120),
    DemoVisit("Marta", "ines-moreau", "cst-60", Status.BOOKED, minutes_from_now=-15),
    DemoVisit("Cleo", "ines-moreau", "head-neck-30", Status.BOOKED, minutes_from_now=120, moved_from_days=1),
    DemoVisit(
        "Tom",
        "maya-okafor",
        "cst-60",
        Status.LATE_CANCELLED,
        minutes_from_now=240,
        reason="Called this morning: stuck at work until late.",
        decided_by=Decider.CLIENT,
    ),
]


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _weekday_back(day: date, days_ago: int) -> date:
    day -= timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def seed_front_desk_days(practice: Practice) -> list[Appointment]:
    """Write the past weeks' and today's visits with their histories; return those written."""
    now = timezone.now()
    location = practice.locations.get()
    zone = location.zone
    rooms = list(location.rooms.order_by("sort_order"))
    people = {p.slug: p for p in practice.practitioners.all()}
    services = {s.slug: s for s in practice.services.all()}
    users = {u.username: u for u in get_user_model().objects.filter(demo_account__isnull=False)}
    first, last, phone = PHONE_ONLY
    Client.objects.get_or_create(practice=practice, first_name=first, last_name=last, defaults={"phone": phone})
    clients = {c.first_name: c for c in Client.objects.filter(practice=practice)}
    today = now.astimezone(zone).date()
    made = []
    for visit in PAST + TODAY:
        service = services[visit.service]
        if visit.minutes_from_now is not None:
            start = _quarter(now + timedelta(minutes=visit.minutes_from_now))
        else:
            assert visit.days_ago is not None and visit.at is not None
            start = datetime.combine(_weekday_back(today, visit.days_ago), visit.at, tzinfo=zone)
        end = start + service.duration
        blocked = service.blocked_range(start, end)
        person = people[visit.practitioner]
        room = next((r for r in rooms if _free(r.pk, person.pk, blocked)), None)
        if room is None:  # something already holds the time: leave this one out rather than overlap
            continue
        client = clients[visit.client]
        booked_at = start - timedelta(days=6 if visit.minutes_from_now is None else 5)
        appointment = Appointment.objects.create(
            practice=practice,
            location=location,
            service=service,
            practitioner=person,
            room=room,
            client=client,
            booked_first_name=client.first_name,
            booked_last_name=client.last_name,
            booked_email=client.email,
            booked_phone=client.phone,
            start=start,
            end=end,
            blocked_start=blocked[0],
            blocked_end=blocked[1],
            status=visit.status,
            source=Source.ONLINE if visit.booked_online else Source.STAFF,
            manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
            manage_nonce=nonce,
            # Today's visits had their reminders yesterday, as a running clinic's would: reminders due
            # before time_set_at are not sent, so the demo's worker does not send them late now.
            time_set_at=now if visit.minutes_from_now is not None else booked_at,
            cancelled_at=_cancelled_at(visit, start, now),
            sequence=1 if visit.moved_from_days else 0,
        )
        _history(appointment, visit, booked_at, now, users)
        made.append(appointment)
    return made


def _free(room_id: int, practitioner_id: int, blocked: tuple[datetime, datetime]) -> bool:
    near = Appointment.objects.occupying().overlapping(*blocked)
    return not near.filter(Q(room_id=room_id) | Q(practitioner_id=practitioner_id)).exists()


def _cancelled_at(visit: DemoVisit, start: datetime, now: datetime) -> datetime | None:
    if visit.status == Status.LATE_CANCELLED:
        return min(start - timedelta(hours=3), now - timedelta(minutes=30))
    if visit.status == Status.CANCELLED_CLIENT:
        return start - timedelta(days=2)
    return None


def _history(
    appointment: Appointment,
    visit: DemoVisit,
    booked_at: datetime,
    now: datetime,
    users: dict[str, User],
) -> None:
    desk = users.get("frontdesk")
    desk_name = desk.get_username() if desk else ""
    practitioner_user = appointment.practitioner.user
    first_start = appointment.start + timedelta(days=visit.moved_from_days)
    events = []
    if visit.booked_online:
        events.append(_event(appointment, EventKind.CREATED, booked_at, Channel.ONLINE, to_status=Status.HELD))
        events.append(_event(appointment, EventKind.CONFIRMED, booked_at + timedelta(minutes=4), Channel.MANAGE_LINK))
    else:
        events.append(
            _event(
                appointment,
                EventKind.CREATED,
                booked_at,
                Channel.STAFF,
                desk,
                desk_name,
                to_start=first_start,
                to_practitioner=appointment.practitioner,
            )
        )
    if visit.moved_from_days:
        events.append(
            _event(
                appointment,
                EventKind.MOVED,
                now - timedelta(days=2),
                Channel.STAFF,
                desk,
                desk_name,
                from_start=first_start,
                to_start=appointment.start,
                from_practitioner=appointment.practitioner,
                to_practitioner=appointment.practitioner,
                reason="Client asked for this afternoon instead.",
            )
        )
    if visit.status == Status.COMPLETED:
        by = practitioner_user
        events.append(
            _event(
                appointment,
                EventKind.COMPLETED,
                min(appointment.end + timedelta(minutes=5), now),
                Channel.STAFF,
                by,
                by.get_username() if by else "",
            )
        )
    elif visit.status == Status.NO_SHOW:
        events.append(
            _event(
                appointment,
                EventKind.NO_SHOW,
                min(appointment.start + timedelta(minutes=20), now),
                Channel.STAFF,
                desk,
                desk_name,
                reason="Not here 20 minutes after the start; no answer by phone.",
            )
        )
    elif visit.status in (Status.LATE_CANCELLED, Status.CANCELLED_CLIENT):
        online = visit.status == Status.CANCELLED_CLIENT
        events.append(
            _event(
                appointment,
                EventKind.LATE_CANCELLED if visit.status == Status.LATE_CANCELLED else EventKind.CANCELLED,
                appointment.cancelled_at or now,
                Channel.MANAGE_LINK if online else Channel.STAFF,
                None if online else desk,
                "" if online else desk_name,
                reason=visit.reason,
                decided_by=visit.decided_by,
            )
        )
    AppointmentEvent.objects.bulk_create(events)


def _event(
    appointment: Appointment,
    kind: str,
    at: datetime,
    channel: str,
    user: User | None = None,
    name: str = "",
    **fields: object,
) -> AppointmentEvent:
    fields.setdefault("to_status", appointment.status if kind != EventKind.CREATED else Status.BOOKED)
    if kind != EventKind.CREATED and "from_status" not in fields:
        fields["from_status"] = Status.BOOKED if kind != EventKind.CONFIRMED else Status.HELD
    if kind == EventKind.CONFIRMED:
        fields["to_status"] = Status.BOOKED
    if kind == EventKind.MOVED:
        fields["to_status"] = Status.BOOKED
    return AppointmentEvent(
        appointment=appointment, kind=kind, at=at, channel=channel, by_user=user, by_name=name, **fields
    )


def record_seeded_history(practice: Practice) -> None:
    """The other demo appointments (the coming week, the past visits with notes) were written
    directly too: give each its "booked by the front desk" event, and the past visits their
    "completed" by their practitioner, so no demo page says its history is missing."""
    users = {u.username: u for u in get_user_model().objects.filter(demo_account__isnull=False)}
    desk = users.get("frontdesk")
    now = timezone.now()
    events = []
    for appointment in (
        Appointment.objects.filter(practice=practice, events__isnull=True)
        .select_related("practitioner__user")
        .order_by("pk")
    ):
        events.append(
            _event(
                appointment,
                EventKind.CREATED,
                appointment.time_set_at,
                Channel.STAFF,
                desk,
                desk.get_username() if desk else "",
                to_start=appointment.start,
                to_practitioner=appointment.practitioner,
            )
        )
        if appointment.status == Status.COMPLETED:
            by = appointment.practitioner.user
            at = min(appointment.end + timedelta(minutes=20), now)
            events.append(
                _event(appointment, EventKind.COMPLETED, at, Channel.STAFF, by, by.get_username() if by else "")
            )
    AppointmentEvent.objects.bulk_create(events)
