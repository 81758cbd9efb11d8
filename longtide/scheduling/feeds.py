"""Practitioners' private calendar feeds: what is in them and the actions on them.

A feed lists one practitioner's visits from 30 days back to a year ahead (booked, held, completed,
no-show; a cancelled or released visit drops out, and a calendar that re-reads the feed removes
it). Each entry shows only the time, the service, where, and what the practice chose to call the
client: its label ("Client") or the client's initials — never a full name, contact details, the
booking note or anything clinical. A held booking is shown as tentative and never by initials (its
name was typed by whoever booked). The entry links to the appointment's staff page, which asks for
a sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.practice.models import FeedNames, Practitioner
from longtide.scheduling.ics import FeedEvent, feed_ics
from longtide.scheduling.models import Appointment, CalendarFeed, Status

_PURPOSE = b"longtide.calendar-feed:"
PAST = timedelta(days=30)
AHEAD = timedelta(days=366)
MAX_EVENTS = 3000
SHOWN = (Status.BOOKED, Status.HELD, Status.COMPLETED, Status.NO_SHOW)


def token_from_nonce(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(feed: CalendarFeed) -> str | None:
    """The feed's token, or None when it can't be derived any more (SECRET_KEY changed)."""
    token = token_from_nonce(feed.nonce)
    return token if hash_token(token) == feed.token_hash else None


def feed_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('calendar-feed', kwargs={'token': token})}"


def live_feed(practitioner: Practitioner) -> CalendarFeed | None:
    """The practitioner's working feed (CalendarFeedQuerySet.working), if any."""
    return CalendarFeed.objects.working().filter(practitioner=practitioner).first()


def new_feed(practitioner: Practitioner, *, by: User | None, now: datetime | None = None) -> CalendarFeed:
    """Give the practitioner a new feed URL; the old one (if any) stops working at once."""
    now = now or timezone.now()
    nonce = secrets.token_urlsafe(16)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                CalendarFeed.objects.live().filter(practitioner=practitioner).update(revoked_at=now, revoked_by=by)
                return CalendarFeed.objects.create(
                    practitioner=practitioner,
                    for_user_id=practitioner.user_id,
                    nonce=nonce,
                    token_hash=hash_token(token_from_nonce(nonce)),
                    created_at=now,
                    created_by=by,
                )
        except IntegrityError:  # two clicks at once: the other made the live feed; replace it again
            continue
    raise RuntimeError("could not make a calendar feed")


def revoke_feed(practitioner: Practitioner, *, by: User | None, now: datetime | None = None) -> bool:
    """Stop the practitioner's feed; False when there was none."""
    now = now or timezone.now()
    return bool(CalendarFeed.objects.live().filter(practitioner=practitioner).update(revoked_at=now, revoked_by=by))


def revoke_feeds_for(user_id: int, practice_id: int, *, by: User | None, now: datetime | None = None) -> int:
    """Stop the feeds made for this login in this practice (the member is leaving it); how many."""
    now = now or timezone.now()
    found = CalendarFeed.objects.live().filter(for_user_id=user_id, practitioner__practice_id=practice_id)
    return found.update(revoked_at=now, revoked_by=by)


def find_live(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.working()
        .select_related("practitioner__practice")
        .filter(token_hash=hash_token(token), practitioner__active=True)
        .first()
    )


def _initials(first: str, last: str) -> str:
    letters = [word[0].upper() + "." for word in (first.strip(), last.strip()) if word]
    return " ".join(letters)


def feed_events(practitioner: Practitioner, *, now: datetime) -> list[FeedEvent]:
    practice = practitioner.practice
    appointments = (
        Appointment.objects.filter(
            practitioner=practitioner,
            status__in=SHOWN,
            start__gte=now - PAST,
            start__lt=now + AHEAD,
        )
        .select_related("service", "location", "room", "client")
        .order_by("start")[:MAX_EVENTS]
    )
    label = practice.calendar_feed_label.strip() or _("Client")
    events = []
    for visit in appointments:
        if visit.status == Status.HELD and not visit.holds_time(now):
            continue
        held = visit.status == Status.HELD
        who = label
        if practice.calendar_feed_names == FeedNames.INITIALS and not held:
            who = _initials(visit.client.first_name, visit.client.last_name) or label
        summary = f"{who} · {visit.service.name}"
        if held:
            summary = _("Held (unconfirmed) · %(service)s") % {"service": visit.service.name}
        staff_path = reverse("staff-appointment", kwargs={"practice_slug": practice.slug, "pk": visit.pk})
        events.append(
            FeedEvent(
                uid=f"feed-appointment-{visit.pk}@{practice.slug}.longtide",
                start=visit.start,
                end=visit.end,
                summary=summary,
                location=f"{visit.location.name}, {visit.room.name}",
                url=f"{settings.PUBLIC_BASE_URL}{staff_path}",
                tentative=held,
                modified=visit.updated_at,
            )
        )
    return events


def render_feed(feed: CalendarFeed, *, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    practitioner = feed.practitioner
    practice = practitioner.practice
    location = practice.locations.first()
    zone = location.time_zone if location else settings.TIME_ZONE
    name = f"{practice.name}: {practitioner.display_name}"
    data = feed_ics(feed_events(practitioner, now=now), name=name, zone=str(zone), now=now)
    if feed.last_fetched_at is None or now - feed.last_fetched_at > timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    return data
