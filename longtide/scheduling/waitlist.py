"""The waitlist: joining (online, confirmed from the emailed link, or added by staff), leaving, and
filling a cancelled time from it in order.

Filling (the worker's planner `plan_offers`, about once a minute): a cancellation records the freed
time as an opening (booking.cancel_appointment, in the cancellation's transaction), and so does a
change of hours that adds working time (scheduling/hours.py: new weekly hours, extra hours on a
date, a day off or time off removed; in the change's transaction). A cancelled visit's time is
offered once, at its start; new hours are offered visit by visit, at the first free time inside
them that suits the next entry (the search's own slots), until the time is gone or too near. The
planner
offers each open opening to the first waiting entry it suits — by queue order — by *holding a
booking* for them through the normal booking action (`book_appointment`, source "waitlist"), which
takes the practitioner's and room's locks and re-checks the overlap, so the time can never be
booked twice. The hold lasts the practice's offer time (`Practice.waitlist_offer_minutes`), and the
offer email carries the booking's private link, where the client presses "Confirm booking"
(`confirm_booking`, the same as any online booking). When a hold lapses unclaimed, the next run
offers the time to the next entry; the booking that takes the time marks the lapsed hold expired
under the booking locks, and its link then says the time has gone. Until then, a lapsed offer can
still be claimed if nobody has taken the time: the first to confirm gets it.

Privacy (docs/booking-privacy.md): joining online looks the same for every address (the page after
the form shows nothing typed; one email goes to the address, naming nobody), makes no client record
and changes none. A client record is found or made only when an offer is held, exactly as an online
booking does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.lib.intervals import Interval
from longtide.notifications.compose import compose, wordings
from longtide.notifications.links import placeholder
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.practice.models import Practice, Practitioner, Service
from longtide.ratelimit.counters import Limit, hit, key_for, used
from longtide.scheduling.booking import ClientDetails, book_appointment, release_hold
from longtide.scheduling.booking_messages import queue_booking_message
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.message_texts import Purpose, kind_for
from longtide.scheduling.models import (
    Appointment,
    EventKind,
    OpeningCause,
    OpeningStatus,
    Source,
    Status,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
    WaitlistStatus,
)
from longtide.scheduling.models import Channel as HistoryChannel
from longtide.scheduling.search import search_slots

log = logging.getLogger(__name__)

_PURPOSE = b"longtide.waitlist-link:"
ACTIVE = (WaitlistStatus.UNCONFIRMED, WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def token_from_nonce(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(entry: WaitlistEntry) -> str | None:
    token = token_from_nonce(entry.nonce)
    return token if hash_token(token) == entry.token_hash else None


def link_path(entry: WaitlistEntry, token: str) -> str:
    return reverse("waitlist-entry", kwargs={"practice_slug": entry.practice.slug, "token": token})


def find_by_token(practice_slug: str, token: str) -> WaitlistEntry | None:
    if not token or len(token) > 100:
        return None
    return (
        WaitlistEntry.objects.select_related("practice", "service", "practitioner")
        .filter(token_hash=hash_token(token), practice__slug=practice_slug)
        .first()
    )


class WaitlistRefused(Exception):
    """Bad wishes or details: `field` is the form field to mark, `message` says what to change.
    `retry_after` (seconds) when refused for too many requests (429)."""

    def __init__(self, field: str | None, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.field, self.message, self.retry_after = field, message, retry_after


def _join_limits(practice: Practice, *, email: str, address: str) -> list[tuple[Limit, str]]:
    """Joining online sends an email to the address typed, so it is limited like online bookings
    (the practice's same numbers, counted apart from bookings): per address a day, per network an hour."""
    limits = [
        (
            Limit(
                key_for("waitlist-email", str(practice.pk), email.strip().casefold()),
                practice.online_bookings_per_email_per_day,
                timedelta(days=1),
            ),
            "email",
        )
    ]
    if address:
        limit = Limit(
            key_for("waitlist-address", str(practice.pk), address),
            practice.online_bookings_per_ip_per_hour,
            timedelta(hours=1),
        )
        limits.append((limit, "address"))
    return limits


def _too_many(practice: Practice, limit: Limit, per: str, now: datetime) -> WaitlistRefused:
    wait = limit.retry_after(now)
    if per == "email":
        message = _("This email address has asked to join the waitlist at %(practice)s as often as it may in a day.")
    else:
        message = _("Your network has asked to join the waitlist at %(practice)s as often as it may in an hour.")
    message = message % {"practice": practice.name} + " " + _("Please try again later, or contact us.")
    return WaitlistRefused(None, message, retry_after=wait)


@dataclass(frozen=True, slots=True)
class Wishes:
    service: Service
    practitioner: Practitioner | None
    earliest: date
    latest: date
    weekdays: str
    time_from: time
    time_to: time


def local_today(practice: Practice, now: datetime) -> date:
    location = practice.locations.first()
    return now.astimezone(location.zone).date() if location else now.date()


def check_wishes(practice: Practice, wishes: Wishes, *, now: datetime) -> None:
    """Raise WaitlistRefused with a specific message for wishes that cannot be met."""
    service, practitioner = wishes.service, wishes.practitioner
    if service.practice_id != practice.pk or not service.active:
        raise WaitlistRefused("service", _("That service is not offered here."))
    if practitioner is not None and (
        practitioner.practice_id != practice.pk
        or not practitioner.active
        or not service.practitioners.filter(pk=practitioner.pk).exists()
    ):
        raise WaitlistRefused("practitioner", _("That practitioner does not offer this service."))
    today = local_today(practice, now)
    last = today + practice.horizon
    if wishes.earliest < today:
        raise WaitlistRefused("earliest", _("Choose a first day from today on."))
    if wishes.latest < wishes.earliest:
        raise WaitlistRefused("latest", _("The last day must be on or after the first day."))
    if wishes.latest > last:
        raise WaitlistRefused(
            "latest",
            _("The waitlist looks up to %(days)d days ahead: choose a last day by %(last)s.")
            % {"days": practice.booking_horizon_days, "last": practice.formats.date(last, "j F Y")},
        )
    if not wishes.weekdays or any(d not in "0123456" for d in wishes.weekdays):
        raise WaitlistRefused("weekdays", _("Choose at least one day of the week."))
    if wishes.time_from >= wishes.time_to:
        raise WaitlistRefused("time_to", _("The latest end must be after the earliest start."))
    span = datetime.combine(today, wishes.time_to) - datetime.combine(today, wishes.time_from)
    if span < service.duration:
        raise WaitlistRefused(
            "time_to",
            _("%(service)s lasts %(minutes)d minutes: allow at least that between the times.")
            % {"service": service.name, "minutes": service.duration_minutes},
        )


def wishes_text(entry: WaitlistEntry) -> str:
    """The wishes in one line, for pages and emails: nothing but what was chosen."""
    who = entry.practitioner.display_name if entry.practitioner else _("any practitioner")
    written = entry.service.practice.formats
    # The days' names in the practice's locale (CLDR): "Mon, Wed", "lun., mer." …
    days = ", ".join(written.weekday(int(d), "abbreviated") for d in sorted(entry.weekdays))
    if sorted(entry.weekdays) == list("0123456"):
        days = _("any day")
    clock = written.clock
    between = f"{clock(entry.time_from)}–{clock(entry.time_to)}"
    first_format = "j F" if entry.earliest.year == entry.latest.year else "j F Y"
    dates = f"{written.date(entry.earliest, first_format)} – {written.date(entry.latest, 'j F Y')}"
    return _("%(service)s with %(who)s, %(days)s, %(between)s, %(dates)s") % {
        "service": entry.service.name,
        "who": who,
        "days": days,
        "between": between,
        "dates": dates,
    }


def _contact(practice: Practice) -> str:
    return "\n".join(x for x in [practice.name, practice.phone, practice.email] if x)


def _confirm_message(entry: WaitlistEntry, *, now: datetime) -> NewMessage:
    practice = entry.practice
    kind = kind_for(Purpose.WAITLIST_CONFIRM, Channel.EMAIL)
    fields = {
        "practice_name": practice.name,
        "practice_phone": practice.phone,
        "practice_email": practice.email,
        "contact": _contact(practice),
        "wishes": wishes_text(entry),
        "waitlist_url": placeholder("waitlist_url"),
    }
    composed = compose(kind, wordings(practice.pk, [kind])[kind.key], fields, lang=settings.LANGUAGE_CODE[:2])
    return NewMessage(
        purpose=Purpose.WAITLIST_CONFIRM,
        channel=Channel.EMAIL,
        recipient=entry.email,
        dedupe_key=f"waitlist:{entry.pk}:confirm",
        about=f"waitlist:{entry.pk}",
        subject=composed.subject,
        body_text=composed.text,
        body_html=composed.html,
        reply_to=practice.email,
        send_after=now,
        expires_at=now + timedelta(days=7),
    )


@dataclass(frozen=True, slots=True)
class Joined:
    entry: WaitlistEntry
    token: str


def _new_entry(practice: Practice, wishes: Wishes, details: ClientDetails, **extra: object) -> WaitlistEntry:
    nonce = secrets.token_urlsafe(16)
    return WaitlistEntry.objects.create(
        practice=practice,
        service=wishes.service,
        practitioner=wishes.practitioner,
        earliest=wishes.earliest,
        latest=wishes.latest,
        weekdays="".join(sorted(set(wishes.weekdays))),
        time_from=wishes.time_from,
        time_to=wishes.time_to,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        nonce=nonce,
        token_hash=hash_token(token_from_nonce(nonce)),
        **extra,
    )


def _keyed(form_key: str | None, wishes: Wishes, details: ClientDetails) -> str | None:
    """The key an entry is kept under: the form's own key with a digest of what it asked. The same
    form sent twice joins once; sent again changed (the back button, a corrected address) it is a
    request of its own, with its own confirmation email (found by a review: the changed resend
    was answered "check your email" and nothing changed). At most 32 + 1 + 24 characters."""
    if not form_key:
        return None
    asked = [
        wishes.service.pk,
        wishes.practitioner.pk if wishes.practitioner else None,
        wishes.earliest.isoformat(),
        wishes.latest.isoformat(),
        "".join(sorted(set(wishes.weekdays))),
        wishes.time_from.isoformat(),
        wishes.time_to.isoformat(),
        details.first_name,
        details.last_name,
        details.email.lower(),
        details.phone,
    ]
    digest = hashlib.sha256(json.dumps(asked).encode()).hexdigest()[:24]
    return f"{form_key[:32]}.{digest}"


def join(
    *,
    practice: Practice,
    wishes: Wishes,
    details: ClientDetails,
    form_key: str | None,
    client_address: str = "",
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put someone on the waitlist from the public page: unconfirmed until the owner of the address
    confirms from the emailed link. The same form submitted twice joins once (its `form_key`).
    Limited per email address and per network address (`_join_limits`): WaitlistRefused with
    `retry_after` past them; only joins made count."""
    now = now or timezone.now()
    check_wishes(practice, wishes, now=now)
    form_key = _keyed(form_key, wishes, details)
    if form_key and (earlier := WaitlistEntry.objects.filter(practice=practice, form_key=form_key).first()):
        return earlier
    limits = _join_limits(practice, email=details.email, address=client_address)
    for limit, per in limits:
        if used(limit, now) >= limit.most:
            raise _too_many(practice, limit, per, now)
    try:
        with transaction.atomic():
            for limit, per in limits:
                if hit(limit, now) > limit.most:
                    raise _too_many(practice, limit, per, now)
            entry = _new_entry(practice, wishes, details, source=Source.ONLINE, created_at=now, form_key=form_key)
            queue(practice_id=practice.pk, messages=[_confirm_message(entry, now=now)])
    except IntegrityError:
        if form_key and (earlier := WaitlistEntry.objects.filter(practice=practice, form_key=form_key).first()):
            return earlier
        raise
    return entry


def add_by_staff(
    *,
    practice: Practice,
    wishes: Wishes,
    details: ClientDetails,
    by: User | None,
    form_key: str | None = None,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Staff add someone who asked them: waiting at once (staff know who they add)."""
    now = now or timezone.now()
    check_wishes(practice, wishes, now=now)
    form_key = _keyed(form_key, wishes, details)
    if form_key and (earlier := WaitlistEntry.objects.filter(practice=practice, form_key=form_key).first()):
        return earlier
    try:
        with transaction.atomic():
            return _new_entry(
                practice,
                wishes,
                details,
                source=Source.STAFF,
                status=WaitlistStatus.WAITING,
                created_at=now,
                queued_at=now,
                created_by=by,
                form_key=form_key,
            )
    except IntegrityError:
        if form_key and (earlier := WaitlistEntry.objects.filter(practice=practice, form_key=form_key).first()):
            return earlier
        raise


def confirm_place(entry: WaitlistEntry, *, now: datetime | None = None) -> bool:
    """The owner of the address confirms: the entry takes its place in the queue now. Idempotent."""
    now = now or timezone.now()
    changed = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.UNCONFIRMED).update(
        status=WaitlistStatus.WAITING, queued_at=now
    )
    entry.refresh_from_db()
    return bool(changed)


def leave(entry: WaitlistEntry, *, by: ChangedBy | None = None, now: datetime | None = None) -> bool:
    """Leave the waitlist (the client, or staff removing them: `by`); a time held for them is released."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = WaitlistEntry.objects.filter(pk=entry.pk, status__in=ACTIVE).update(status=WaitlistStatus.LEFT)
    for offer in WaitlistOffer.objects.filter(entry=entry, appointment__status=Status.HELD).select_related(
        "appointment"
    ):
        with contextlib.suppress(BookingError):  # claimed or released meanwhile
            release_hold(
                appointment=offer.appointment,
                by=by or ChangedBy.client_link(),
                reason="Left the waitlist.",
                now=now,
            )
    entry.refresh_from_db()
    return bool(changed)


# -- filling freed times -------------------------------------------------------------------------


def _close(opening: WaitlistOpening, status: str, reason: str, now: datetime) -> None:
    WaitlistOpening.objects.filter(pk=opening.pk, status=OpeningStatus.OPEN).update(
        status=status, closed_at=now, reason=reason
    )


def _taken_elsewhere(opening: WaitlistOpening, now: datetime) -> bool:
    """Whether something other than this opening's offers now holds the practitioner's time."""
    return (
        Appointment.objects.occupying()
        .filter(practitioner_id=opening.practitioner_id)
        .overlapping(opening.start, opening.end)
        .exclude(status=Status.HELD, hold_until__lte=now)
        .exclude(waitlist_offer__opening=opening)
        .exists()
    )


NEW_HOURS_MIN = timedelta(minutes=15)  # shorter additions are not worth an opening


def someone_waits_for(practitioner: Practitioner) -> bool:
    """Whether an entry waits that this practitioner's new hours could be offered to."""
    return (
        WaitlistEntry.objects.filter(
            practice_id=practitioner.practice_id, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner=practitioner))
        .exists()
    )


def open_new_hours(practitioner: Practitioner, added: list[Interval], *, now: datetime) -> list[WaitlistOpening]:
    """Record working time an hours change added, for the planner to offer (in the change's
    transaction; the caller asks `someone_waits_for` first). Returns the openings made."""
    return WaitlistOpening.objects.bulk_create(
        WaitlistOpening(
            practice_id=practitioner.practice_id,
            practitioner=practitioner,
            start=span.start,
            end=span.end,
            cause=OpeningCause.NEW_HOURS,
            created_at=now,
        )
        for span in added
        if span.end - span.start >= NEW_HOURS_MIN
    )


def _starts_for(opening: WaitlistOpening, entry: WaitlistEntry, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """Where to offer the opening to this entry: a cancelled visit's start, or the free times inside
    new hours that suit the entry (the booking search's own slots, earliest first)."""
    if not opening.from_new_hours:
        return [opening.start]
    # The practitioner's candidates only: an offer is booked as an online booking, which books
    # only practitioners who offer the service.
    found = search_slots(
        practice=opening.practice,
        service=entry.service,
        practitioner_id=opening.practitioner_id,
        first_day=opening.start.astimezone(zone).date(),
        last_day=opening.end.astimezone(zone).date(),
        now=now,
    )
    duration = entry.service.duration
    return [
        slot.start
        for slot in found.slots
        if opening.start <= slot.start
        and slot.start + duration <= opening.end
        and entry.suits(slot.start, slot.start + duration, zone)
    ][:3]


def _offer_next(opening: WaitlistOpening, offered: set[int], now: datetime) -> bool:
    practice = opening.practice
    location = practice.locations.first()
    if location is None:
        return False
    candidates = (
        WaitlistEntry.objects.filter(practice=practice, status=WaitlistStatus.WAITING)
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=opening.practitioner_id))
        .filter(service__practitioners=opening.practitioner_id, service__active=True)
        .exclude(pk__in=offered)
        .select_related("service")
        .order_by("queued_at", "pk")
    )
    for entry in candidates:
        if not opening.from_new_hours and not entry.suits(
            opening.start, opening.start + entry.service.duration, location.zone
        ):
            continue

        def record(appointment: Appointment, entry: WaitlistEntry = entry) -> None:
            WaitlistOffer.objects.create(opening=opening, entry=entry, appointment=appointment, created_at=now)
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.OFFERED)

        for start in _starts_for(opening, entry, location.zone, now):
            try:
                book_appointment(
                    practice=practice,
                    service=entry.service,
                    practitioner=opening.practitioner,
                    start=start,
                    client=ClientDetails(entry.first_name, entry.last_name, entry.email, entry.phone),
                    source=Source.WAITLIST,
                    now=now,
                    on_hold=record,
                )
            except BookingError:
                continue  # this entry's service does not fit the time, or it no longer may be booked
            return True
    return False


def tell_gone(now: datetime) -> int:
    """Tell each client whose offer lapsed and was then taken by another booking (the booking let
    their hold go: an EXPIRED event by the system) that the time has gone, once (`told_gone_at`,
    and the message's dedupe key). Returns how many were told."""
    offers = list(
        WaitlistOffer.objects.filter(
            told_gone_at__isnull=True,
            appointment__status=Status.EXPIRED,
            appointment__events__kind=EventKind.EXPIRED,
            appointment__events__channel=HistoryChannel.SYSTEM,
            appointment__start__gt=now - timedelta(days=1),
        )
        .select_related("appointment")
        .distinct()
    )
    for offer in offers:
        with transaction.atomic():
            if WaitlistOffer.objects.filter(pk=offer.pk, told_gone_at__isnull=True).update(told_gone_at=now):
                queue_booking_message(Purpose.WAITLIST_GONE, offer.appointment, now=now)
    return len(offers)


def plan_offers(now: datetime) -> int:
    """The worker's planner: end entries whose dates passed, tell those whose lapsed offer was taken
    that it has gone, then offer each open opening to the next suitable entry when no offer of it is
    live. Returns how many offers were made."""
    WaitlistEntry.objects.filter(status__in=ACTIVE, latest__lt=(now - timedelta(days=1)).date()).update(
        status=WaitlistStatus.ENDED
    )
    tell_gone(now)
    made = 0
    openings = WaitlistOpening.objects.filter(status=OpeningStatus.OPEN).select_related("practice", "practitioner")
    for opening in openings:
        if opening.last_start <= now + opening.practice.min_notice:
            _close(opening, OpeningStatus.CLOSED, "too near to offer", now)
            continue
        offers = list(opening.offers.select_related("appointment"))
        if not opening.from_new_hours and any(o.appointment.status == Status.BOOKED for o in offers):
            _close(opening, OpeningStatus.FILLED, "", now)
            continue
        if any(o.appointment.status == Status.HELD and o.appointment.holds_time(now) for o in offers):
            continue  # someone's offer is still held for them
        # Offers that lapsed: those entries wait again (for other times), and are not offered this one.
        lapsed = {o.entry_id for o in offers}
        still_held = WaitlistOffer.objects.filter(
            entry_id__in=lapsed, appointment__status=Status.HELD, appointment__hold_until__gt=now
        ).values_list("entry_id", flat=True)
        WaitlistEntry.objects.filter(pk__in=lapsed - set(still_held), status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.WAITING
        )
        if not opening.from_new_hours and _taken_elsewhere(opening, now):
            _close(opening, OpeningStatus.CLOSED, "booked another way", now)
            continue
        made += _offer_next(opening, lapsed, now)
    return made


# -- the worker's hooks for "waitlist:<id>" messages (notifications/subjects.py) ----------------


def _entry_of(message: Message) -> WaitlistEntry | None:
    kind, _sep, pk = message.about.partition(":")
    if kind != "waitlist" or not pk.isdigit():
        return None
    return WaitlistEntry.objects.select_related("practice").filter(pk=int(pk), practice_id=message.practice_id).first()


def unwanted_because(message: Message, now: datetime) -> str | None:
    entry = _entry_of(message)
    if entry is None or entry.status != WaitlistStatus.UNCONFIRMED:
        return _("Not sent: the place on the waitlist is no longer waiting for confirmation.")
    return None


def links(message: Message) -> dict[str, str]:
    entry = _entry_of(message)
    if entry is None:
        return {}
    token = token_for(entry)
    home = f"{settings.PUBLIC_BASE_URL}{reverse('home', args=[entry.practice.slug])}"
    return {"waitlist_url": f"{settings.PUBLIC_BASE_URL}{link_path(entry, token)}" if token else home}


def current_recipient(message: Message) -> str | None:
    entry = _entry_of(message)
    return entry.email if entry is not None else None


def delete_service(service: Service) -> None:
    """Delete a service (the owner's services page; here, as practice/ may not import scheduling/).
    Refused (ValidationError) while clients wait for it on the waitlist (waiting, or offered a
    time): hiding it keeps them. Its finished waitlist entries (booked, left, ended) and unconfirmed
    sign-ups go with it. A service with appointments raises ProtectedError."""
    with transaction.atomic():
        entries = WaitlistEntry.objects.filter(service=service)
        if entries.filter(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]).exists():
            raise ValidationError(
                _("%(name)s has clients on its waitlist, so it cannot be deleted; hide it instead.")
                % {"name": service.name}
            )
        entries.delete()
        service.delete()
