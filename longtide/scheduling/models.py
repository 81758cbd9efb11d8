"""Working hours, exceptions, time off and appointments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from longtide.clients.models import Client
from longtide.practice.models import Location, Practice, Practitioner, Room, Service


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One recurring working interval, in the location's local time. Several may share a day."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        verbose_name_plural = _("working hours")
        constraints = [models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="hours_start_before_end")]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class HoursException(models.Model):
    """A dated change to the weekly pattern: extra hours, or time removed (a whole day when no times)."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="hours_exceptions")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, help_text=_("Needed for extra hours.")
    )
    date = models.DateField()
    available = models.BooleanField(help_text=_("Ticked: extra working hours. Unticked: time off that day."))
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["practitioner", "date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True, end_time__isnull=True) & Q(available=False))
                | Q(start_time__lt=F("end_time")),
                name="exception_times_valid",
            )
        ]

    def __str__(self) -> str:
        kind = "extra hours" if self.available else "off"
        return f"{self.practitioner} {self.date} {kind}"

    def clean(self) -> None:
        if self.available and self.location_id is None:
            raise ValidationError({"location": _("Say where the extra hours are worked.")})
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError(_("Give both a start and an end time, or neither for a whole day off."))


class TimeOff(models.Model):
    """A blocked stretch of real time: holiday, training, a one-off break."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["practitioner", "start"]
        verbose_name_plural = _("time off")
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="time_off_start_before_end")]
        indexes = [models.Index(fields=["practitioner", "start", "end"], name="time_off_range")]

    def __str__(self) -> str:
        return f"{self.practitioner} off {self.start:%Y-%m-%d %H:%M}"


class Status(models.TextChoices):
    BOOKED = "booked", _("Booked")
    # A booking made online waits for the owner of its email address to confirm it from the
    # emailed link (docs/booking-privacy.md); its time is held until `hold_until`.
    HELD = "held", _("Held: awaiting the client's confirmation")
    EXPIRED = "expired", _("Not confirmed: time released")
    CANCELLED_CLIENT = "cancelled_client", _("Cancelled by client")
    CANCELLED_CLINIC = "cancelled_clinic", _("Cancelled by clinic")
    LATE_CANCELLED = "late_cancelled", _("Late-cancelled")
    NO_SHOW = "no_show", _("No-show")
    COMPLETED = "completed", _("Completed")


# Statuses that hold the practitioner's and the room's time. The PostgreSQL exclusion
# constraint (migration 0006) uses the same list: keep them in step. A hold stops holding the time
# at its `hold_until`: searches skip it from then on, and a booking that wants the time marks it
# expired under the booking locks (booking.release_expired_holds) before it re-checks the overlap.
OCCUPYING = (Status.BOOKED, Status.HELD, Status.NO_SHOW, Status.COMPLETED)
# How long after a completed visit its manage link still opens the client's own progress.
OWN_RECORDS_DAYS = 90

# Longer than any appointment's blocked range can be (services are capped at 12 h plus buffers of
# at most 4 h each): overlap queries use it as a lower bound on blocked_start.
MAX_BLOCK = timedelta(hours=24)


class BusyVersion(models.Model):
    """A number naming the current state of a practitioner's or a room's busy time: the availability
    cache's key (scheduling/slot_cache.py).

    Written only by the database (migration 0014's triggers on working hours, hours exceptions,
    time off and appointments), in the transaction that makes the change, so no code path (a save,
    a queryset update, the admin, plain SQL) can skip it: a fresh random number with each change,
    so that neither a rolled-back change nor a restored backup can hand a number out twice. Never
    written by Django."""

    PRACTITIONER = 1
    ROOM = 2
    # A practice's setup as a booking reads it ahead (scheduling/setup_cache.py; ref: the practice's
    # id): migration 0017's triggers on its practitioners, locations, services, offers and weekly hours.
    SETUP = 3

    kind = models.PositiveSmallIntegerField()
    ref = models.BigIntegerField()
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="busy_version_one_per_thing")]

    def __str__(self) -> str:
        kind = {self.PRACTITIONER: "practitioner", self.ROOM: "room", self.SETUP: "practice setup"}.get(self.kind)
        return f"{kind} {self.ref}: {self.version}"


class Source(models.TextChoices):
    ONLINE = "online", _("Online booking")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    # A time freed by a cancellation, held for a waitlisted client (scheduling/waitlist.py).
    WAITLIST = "waitlist", _("Waitlist offer")


# Statuses an appointment may be marked from (a completed visit may be corrected to a no-show and back).
MARKABLE = (Status.BOOKED, Status.COMPLETED, Status.NO_SHOW)


class Decider(models.TextChoices):
    """Who decided a cancellation: what the clinic records, whoever typed it in."""

    CLIENT = "client", _("The client")
    CLINIC = "clinic", _("The clinic")


class Refusal(NamedTuple):
    """Why a change is not allowed now: a stable code (for the API) and the sentence to show."""

    code: str
    message: str


def window_message(practice: Practice) -> str:
    contact = gettext(" or ").join(x for x in [practice.phone, practice.email] if x) or gettext("the clinic")
    return ngettext(
        "Changes within %(hours)d hour of the appointment can't be made online. Please contact %(contact)s.",
        "Changes within %(hours)d hours of the appointment can't be made online. Please contact %(contact)s.",
        practice.cancellation_window_hours,
    ) % {"hours": practice.cancellation_window_hours, "contact": contact}


# The refusals every rule below may give: made when asked, so that each reads in the current language.
def not_booked() -> Refusal:
    return Refusal("not_booked", gettext("This appointment is no longer booked, so it cannot be changed."))


def started() -> Refusal:
    return Refusal(
        "started",
        gettext("This appointment has already started: mark it completed or no-show instead of changing it."),
    )


def consent_needed() -> Refusal:
    return Refusal(
        "consent_needed",
        gettext(
            "The client has no current treatment consent on file (agreed to the current version of the document), "
            "so the session cannot be marked completed. Ask the client to sign it from their intake link, or have "
            "the session's practitioner or an owner record why the session went ahead without it."
        ),
    )


# The longest reason for going ahead without consent (one line, as the history shows it).
OVERRIDE_REASON_MAX = 300


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def for_practice(self, practice: Practice) -> AppointmentQuerySet:
        return self.filter(practice=practice)

    def occupying(self) -> AppointmentQuerySet:
        return self.filter(status__in=OCCUPYING)

    def overlapping(self, start: datetime, end: datetime) -> AppointmentQuerySet:
        # The lower bound on blocked_start is implied (no appointment holds a day or more) but lets
        # the (practitioner|room, blocked_start, blocked_end) indexes scan a narrow range.
        return self.filter(blocked_start__lt=end, blocked_start__gt=start - MAX_BLOCK, blocked_end__gt=start)

    def lapsed_holds(self, now: datetime) -> AppointmentQuerySet:
        """Holds whose time is no longer held (still marked held until a booking needs the time)."""
        return self.filter(status=Status.HELD, hold_until__lte=now)

    def upcoming(self, now: datetime) -> AppointmentQuerySet:
        return self.filter(start__gte=now, status=Status.BOOKED).order_by("start")


class Appointment(models.Model):
    # No single-column index on practice, practitioner or room: the composite indexes below lead with
    # them and serve every query by them alone (one index fewer to write per booking each).
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The time the practitioner and room are held: the session plus the service's buffers.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    note = models.TextField(blank=True, help_text=_("The client's note at booking."))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    manage_token_hash = models.CharField(max_length=64, unique=True)
    # The manage token is HMAC(SECRET_KEY, nonce): the database alone can't produce a link, but
    # the worker can put the link in later emails (scheduling/manage_links.py).
    manage_nonce = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # SHA-256 of the request the key was first used with: a key reused for another request is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    # Until when a held booking keeps its time (status HELD only).
    hold_until = models.DateTimeField(null=True, blank=True)
    # The details as the person booking typed them. Pages about the booking show these, never the
    # stored client's; a booking never renames a client (staff see a difference as a mismatch).
    booked_first_name = models.CharField(max_length=80, blank=True)
    booked_last_name = models.CharField(max_length=80, blank=True)
    booked_email = models.EmailField(blank=True)
    booked_phone = models.CharField(max_length=40, blank=True)
    # Indexed only where set (appt_created_by): online and API bookings have no creator.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every move, so calendar clients update the same entry (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # When the client was given this time (the booking, or the last move): reminders that fell due
    # before it are not sent (the confirmation has just told them). scheduling/reminders.py.
    time_set_at = models.DateTimeField(default=timezone.now)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appointment_start_before_end"),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end")),
                name="appointment_blocked_covers_session",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_until__isnull=False), name="appointment_held_until_set"
            ),
            models.UniqueConstraint(
                fields=["practice", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_booking_per_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "blocked_start", "blocked_end"], name="appt_practitioner_range"),
            models.Index(fields=["room", "blocked_start", "blocked_end"], name="appt_room_range"),
            models.Index(fields=["practice", "start"], name="appt_practice_start"),
            # The reminder planner's look at upcoming visits of every practice.
            models.Index(fields=["start"], condition=Q(status=Status.BOOKED), name="appt_booked_start"),
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="appt_created_by"),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.practitioner} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == Status.BOOKED

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def holds_time(self, now: datetime) -> bool:
        """Whether the appointment holds its practitioner's and room's time at `now`."""
        if self.status == Status.HELD:
            return self.hold_until is not None and now < self.hold_until
        return self.status in OCCUPYING

    @property
    def booked_name(self) -> str:
        """The name as typed when booking (the client's, for bookings made before it was kept)."""
        typed = f"{self.booked_first_name} {self.booked_last_name}".strip()
        return typed or self.client.full_name

    @property
    def name_differs(self) -> bool:
        """Whether the name typed when booking is not the client record's (for staff to check)."""
        if not (self.booked_first_name or self.booked_last_name):
            return False
        return _same_name(self.booked_name) != _same_name(self.client.full_name)

    def client_may_change(self, now: datetime) -> bool:
        """Whether the client may still cancel or reschedule online (inside the practice's window)."""
        return self.status == Status.BOOKED and now <= self.start - self.practice.cancellation_window

    # -- the rules for changing an appointment: one place for the views, templates, API and the
    # actions (scheduling/booking.py), which ask again under the row lock. Each `*_refusal` says why
    # not (None when allowed); each `can_*` is its yes/no.

    def move_refusal(self, now: datetime, *, by_client: bool = False) -> Refusal | None:
        """A booked appointment moves until it starts; a client online only outside the window."""
        if self.status != Status.BOOKED:
            return not_booked()
        if by_client and not self.client_may_change(now):
            return Refusal("outside_window", window_message(self.practice))
        if self.start <= now:
            return started()
        return None

    def cancel_refusal(self, now: datetime, *, by_client: bool = False) -> Refusal | None:
        """A booked appointment is cancelled until it starts; by the client online only outside the
        window (inside it, the clinic records a late cancellation)."""
        return self.move_refusal(now, by_client=by_client)

    def late_cancel_refusal(self, now: datetime) -> Refusal | None:
        """A late cancellation is the client's, inside the practice's cancellation window, before the start."""
        if self.status != Status.BOOKED:
            return not_booked()
        if self.start <= now:
            return started()
        if now <= self.start - self.practice.cancellation_window:
            hours = self.practice.cancellation_window_hours
            return Refusal(
                "outside_window",
                gettext(
                    "A late cancellation is one inside the %(hours)d-hour cancellation window; this one is "
                    "earlier, so cancel it normally."
                )
                % {"hours": hours},
            )
        return None

    def mark_refusal(self, now: datetime) -> Refusal | None:
        """Completed or no-show once it has started; never a cancelled, held or expired one."""
        if self.status not in MARKABLE:
            return Refusal("not_markable", gettext("A cancelled appointment cannot be marked."))
        if self.start > now:
            return Refusal(
                "not_started", gettext("An appointment can be marked completed or no-show only once it has started.")
            )
        return None

    def completion_refusal(self, *, treatment_consent: bool) -> Refusal | None:
        """A session is marked completed (it went ahead) only with the client's current treatment
        consent on file or with a recorded override on this appointment (who, when, why: an
        EventKind.CONSENT_OVERRIDE row of its history). `treatment_consent` comes from the caller
        (intake knows consent; scheduling does not import it): a caller that forgets refuses."""
        if treatment_consent or self.consent_override() is not None:
            return None
        return consent_needed()

    def consent_override(self) -> AppointmentEvent | None:
        """The recorded override of the treatment-consent check for this session, if any."""
        return self.events.filter(kind=EventKind.CONSENT_OVERRIDE).order_by("at", "pk").first()

    def opens_own_records(self, now: datetime) -> bool:
        """Whether this booking's private link still opens the client's own outcome scores and
        diary figures (web/client/progress.py): while it is booked or held, and for
        OWN_RECORDS_DAYS after a completed visit. A cancelled, expired or old booking's link (an old
        email, forwarded or left in a shared inbox) does not, nor any link of a client whose contact
        details were erased on request (records/erasure.py voids their other links too)."""
        if self.client.stays_erased:
            return False
        if self.status in (Status.BOOKED, Status.HELD):
            return True
        return self.status == Status.COMPLETED and self.end > now - timedelta(days=OWN_RECORDS_DAYS)

    def can_move(self, now: datetime, *, by_client: bool = False) -> bool:
        return self.move_refusal(now, by_client=by_client) is None

    def can_cancel(self, now: datetime, *, by_client: bool = False) -> bool:
        return self.cancel_refusal(now, by_client=by_client) is None

    def can_late_cancel(self, now: datetime) -> bool:
        return self.late_cancel_refusal(now) is None

    def can_mark(self, now: datetime) -> bool:
        return self.mark_refusal(now) is None

    @property
    def version(self) -> str:
        """What a page showed: its status and how often it was moved (a form sends it back as `seen`)."""
        return f"{self.status}.{self.sequence}"

    def stale_refusal(self, seen: str | None) -> Refusal | None:
        """A change from a page that someone else's change has overtaken (None: not stale or not said)."""
        if not seen or seen == self.version:
            return None
        return Refusal(
            "changed_meanwhile",
            gettext(
                "Someone changed this appointment meanwhile (it is now %(status)s), "
                "so nothing was done. Check it below and try again."
            )
            % {"status": self.get_status_display().lower()},
        )

    def allowed_actions(self, now: datetime) -> dict[str, bool]:
        """What staff may do now (the staff page's buttons and the staff API's `actions`)."""
        return {
            "move": self.can_move(now),
            "cancel": self.can_cancel(now),
            "late_cancel": self.can_late_cancel(now),
            "mark": self.can_mark(now),
        }

    def cancel(self, *, now: datetime, decided_by: str, late: bool = False) -> None:
        """Set the cancelled status (the rules are checked by the caller): late cancellations are the
        client's; otherwise the status says who decided."""
        if self.status != Status.BOOKED:
            raise ValidationError(_("Only a booked appointment can be cancelled."))
        if late:
            self.status = Status.LATE_CANCELLED
        elif decided_by == Decider.CLIENT:
            self.status = Status.CANCELLED_CLIENT
        else:
            self.status = Status.CANCELLED_CLINIC
        self.cancelled_at = now

    def marks_change(self, status: str) -> bool:
        """Whether marking it `status` changes anything: not when it already has that status (a
        double submit or a replay is a no-op, with no history or audit row)."""
        return self.status != status

    def mark(self, status: str) -> None:
        """Record how a past appointment ended: completed or no-show."""
        if status not in (Status.COMPLETED, Status.NO_SHOW):
            raise ValidationError(_("Mark an appointment completed or no-show."))
        if self.status not in MARKABLE:
            raise ValidationError(_("A cancelled appointment cannot be marked."))
        self.status = status


def _same_name(name: str) -> str:
    return " ".join(name.casefold().split())


class EventKind(models.TextChoices):
    CREATED = "created", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Not confirmed in time")
    MOVED = "moved", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Late-cancelled")
    COMPLETED = "completed", _("Marked completed")
    NO_SHOW = "no_show", _("Marked no-show")
    CONSENT_OVERRIDE = "consent_override", _("Went ahead without current treatment consent")


class Channel(models.TextChoices):
    """Through what a change came (with the user, when a signed-in person made it)."""

    STAFF = "staff", _("Staff pages")
    ONLINE = "online", _("The client, booking online")
    MANAGE_LINK = "manage_link", _("The client via manage link")
    API = "api", _("The API")
    WAITLIST = "waitlist", _("Waitlist offer")
    SYSTEM = "system", _("System")


class AppointmentEvent(models.Model):
    """One change to an appointment, recorded in the change's own transaction
    (scheduling/history.py): who, when, what, from what to what. Never edited or deleted on its own
    (it goes only with its appointment)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person's name as it was then (kept if the account is later renamed or removed).
    by_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    from_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.CharField(max_length=10, choices=Decider.choices, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["appointment", "at"], name="appt_event_appointment_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("An appointment's history is not edited."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("An appointment's history is not deleted."))


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def live(self) -> CalendarFeedQuerySet:
        """Not revoked: a working address unless `working` says otherwise."""
        return self.filter(revoked_at__isnull=True)

    def working(self) -> CalendarFeedQuerySet:
        """Live, and still its login's: the practitioner profile is still linked to the login it
        was made for, and that login is still a member of the practice. A member removed (their
        profile unlinked) or a profile linked to someone else stops the old address at once."""
        return self.live().filter(
            practitioner__user_id=models.F("for_user_id"),
            for_user__memberships__practice_id=models.F("practitioner__practice_id"),
        )


class CalendarFeed(models.Model):
    """A practitioner's private calendar feed (scheduling/feeds.py): a secret URL a calendar program
    subscribes to. The token is HMAC(SECRET_KEY, nonce), like a manage link: the database keeps the
    nonce and the token's SHA-256, so a copy of it yields no working feed URL, while the server can
    show the practitioner their own URL again. Revoking (or replacing) it stops it at once."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="calendar_feeds")
    nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    # The login whose schedule it is: the practitioner profile's when the feed was made. The
    # address works only while the profile is still linked to it (CalendarFeedQuerySet.working).
    for_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When a calendar program last fetched it (to the minute): shows the practitioner it is in use.
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_practitioner"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.practitioner} ({'revoked' if self.revoked_at else 'live'})"


class WaitlistStatus(models.TextChoices):
    # Joined online: waits for the owner of the address to confirm from the emailed link (as a
    # booking does, docs/booking-privacy.md), so nobody is put on a list with someone else's address.
    UNCONFIRMED = "unconfirmed", _("Not confirmed yet")
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a time")
    BOOKED = "booked", _("Booked from the waitlist")
    LEFT = "left", _("Left the waitlist")
    ENDED = "ended", _("Ended: the dates passed")


class WaitlistEntry(models.Model):
    """Someone waiting for a time: a service, a practitioner or anyone, and the days and times that
    suit, in the location's local time. What was typed is kept here; no client record is made or
    changed until an offer is booked (through book_appointment, like any online booking)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="waitlist")
    # PROTECT: deleting a service must not drop the clients waiting for it (scheduling/waitlist.delete_service).
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    earliest = models.DateField()
    latest = models.DateField()
    # Days of the week that suit, Monday 0 … Sunday 6, as digits ("01234" for weekdays).
    weekdays = models.CharField(max_length=7)
    time_from = models.TimeField()
    time_to = models.TimeField()
    status = models.CharField(max_length=12, choices=WaitlistStatus.choices, default=WaitlistStatus.UNCONFIRMED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    created_at = models.DateTimeField(default=timezone.now)
    # When the place in the queue was taken: the confirmation (online) or the staff member's entry.
    queued_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The client's private link (to confirm or leave): HMAC(SECRET_KEY, nonce), stored hashed.
    nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    # The join form's one-time key: submitting it twice (back button, double click) joins once.
    form_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "created_at", "pk"]
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.CheckConstraint(condition=Q(earliest__lte=F("latest")), name="waitlist_dates_in_order"),
            models.CheckConstraint(condition=Q(time_from__lt=F("time_to")), name="waitlist_times_in_order"),
            models.UniqueConstraint(
                fields=["practice", "form_key"], condition=Q(form_key__isnull=False), name="one_entry_per_form_key"
            ),
        ]
        indexes = [models.Index(fields=["practice", "status", "queued_at"], name="waitlist_queue")]

    def __str__(self) -> str:
        return f"Waitlist entry {self.pk} for {self.service}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays]

    def suits(self, start: datetime, end: datetime, zone: ZoneInfo) -> bool:
        """Whether a visit from `start` to `end` falls in the days and times that suit."""
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        return (
            self.earliest <= local_start.date() <= self.latest
            and str(local_start.weekday()) in self.weekdays
            and local_start.date() == local_end.date()
            and self.time_from <= local_start.time()
            and local_end.time() <= self.time_to
        )


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Being offered")
    FILLED = "filled", _("Filled from the waitlist")
    CLOSED = "closed", _("Closed")


class OpeningCause(models.TextChoices):
    CANCELLATION = "cancellation", _("A cancellation")
    NEW_HOURS = "new_hours", _("New working hours")


class WaitlistOpening(models.Model):
    """Time that became free, offered to the waitlist in order (scheduling/waitlist.py): a cancelled
    visit's time (`freed_by`, offered once), or working time added by an hours change (no `freed_by`:
    offered visit by visit, as long as the time lasts). When the record of whoever cancelled is
    destroyed (records/retention.py), the opening and the offers made from it stay, belonging to the
    people on the waitlist: `freed_by` is then emptied."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    freed_by = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_opening"
    )
    cause = models.CharField(max_length=20, choices=OpeningCause.choices, default=OpeningCause.CANCELLATION)
    status = models.CharField(max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["status", "start"], name="waitlist_open_openings")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cause="new_hours", freed_by__isnull=True) | Q(cause="cancellation"),
                name="opening_cause_matches_freed_by",
            )
        ]

    def __str__(self) -> str:
        return f"Opening with {self.practitioner} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def from_new_hours(self) -> bool:
        return self.cause == OpeningCause.NEW_HOURS

    @property
    def last_start(self) -> datetime:
        """The latest moment at which the opening can still be offered (a cancelled visit's start;
        new hours' end, since any visit inside them would do)."""
        return self.end if self.from_new_hours else self.start


class WaitlistOffer(models.Model):
    """One offer of an opening to one entry: a booking held in their name (source "waitlist") until
    the practice's offer time runs out. Claiming it is confirming that booking."""

    opening = models.ForeignKey(WaitlistOpening, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="waitlist_offer")
    created_at = models.DateTimeField(default=timezone.now)
    # When the client was told the time had gone (their hold lapsed and another booking took it).
    told_gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["opening", "entry"], name="one_offer_per_entry_and_opening")]

    def __str__(self) -> str:
        return f"Offer {self.pk}"
