"""The practice and what it is made of: locations, rooms, practitioners, services, staff."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from longtide.lib import retention
from longtide.lib.formats import CLOCK_12, CLOCK_24, LOCALES, Formats, is_currency

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)r is not an IANA time zone (e.g. America/New_York)."), code="time_zone", params={"value": value}
        )


# The rules themselves are in longtide/lib/retention.py; these are their names on screen.
RETENTION_CHOICES = [
    (retention.LONGEST, _("The longest of these rules (16 years; minors at least until 35)")),
    ("ontario_rmt", _("Ontario, massage therapists: 10 years; minors at least until 28")),
    ("british_columbia_rmt", _("British Columbia, massage therapists: 16 years; minors at least until 35")),
    ("england", _("England: 8 years; children at least until 25")),
    ("new_york", _("New York: 6 years; minors at least until 22")),
]


# The booking policies' bounds (one place: the model's validators and constraint, and the forms).
NOTICE_MAX_HOURS = 24 * 30
HORIZON_MAX_DAYS = 730
STEP_CHOICES = [5, 10, 15, 20, 30, 60]
CANCEL_MAX_HOURS = 24 * 14


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(
            _("%(value)s is not a currency code we know. Use a three-letter ISO 4217 code such as USD, EUR or GBP."),
            code="unknown_currency",
            params={"value": value},
        )


class TwoFactorPolicy(models.TextChoices):
    OFF = "off", _("Not required")
    CLINICAL = "clinical", _("Required for staff who can see clinical data (owners and practitioners)")
    ALL = "all", _("Required for all staff")


DEFAULT_IDLE_MINUTES = 30
MAX_REMINDER_HOURS = 336


class FeedNames(models.TextChoices):
    """What a practitioner's calendar feed calls a client (docs/notifications.md, "Calendar feeds")."""

    LABEL = "label", _("The practice's label only (no names)")
    INITIALS = "initials", _("The client's initials")


class PracticeQuerySet(models.QuerySet["Practice"]):
    def for_user(self, user: User | AnonymousUser) -> PracticeQuerySet:
        """Practices the user is staff of. A superuser is no member by default (practice/access.py)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def idle_minutes_for(self, user: User | AnonymousUser) -> int:
        """Minutes a session of this user may stay idle: the strictest of the user's practices."""
        found = self.for_user(user).aggregate(minutes=models.Min("idle_timeout_minutes"))["minutes"]
        return int(found) if found is not None else DEFAULT_IDLE_MINUTES


def first_public_version() -> int:
    return secrets.randbits(62)


class Practice(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    # Raised by the database on every change to the practice, its practitioners, services (and who
    # offers them) and locations (triggers, practice migration 0010), whatever code or SQL made it:
    # the public pages' cache keys include it (web/public/page_cache.py). It starts at a random
    # number, so a practice made again under a deleted one's slug never meets its cached pages.
    public_version = models.PositiveBigIntegerField(default=first_public_version, editable=False)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. USD, CAD, GBP, EUR."),
    )
    # How prices and times are written on every page and in every message (lib/formats.py).
    locale = models.CharField(
        _("Formats (language and region)"),
        max_length=10,
        choices=LOCALES,
        default="en-US",
        db_default="en-US",
        help_text=_("Prices follow this region's conventions ($150, 150 €). Page text is in English."),
    )
    clock_hours = models.PositiveSmallIntegerField(
        _("Clock"),
        choices=[(CLOCK_12, _("12-hour (2:00 PM)")), (CLOCK_24, _("24-hour (14:00)"))],
        default=CLOCK_12,
        db_default=CLOCK_12,
        help_text=_("How times are written on your pages and in emails and texts."),
    )

    # Public home page, in the clinic's own words (domain.md §6: "may help some people").
    intro = models.TextField(blank=True, help_text=_("Opening paragraph of the home page."))
    about_cst = models.TextField(_("What CST is"), blank=True)
    styles_text = models.TextField(_("Styles of practice"), blank=True)
    reasons_text = models.TextField(_("What clients come for"), blank=True)
    session_text = models.TextField(_("What to expect in a session"), blank=True)
    evidence_text = models.TextField(_("About the evidence"), blank=True)

    # Booking policies, with bounds wide enough for any real clinic and narrow enough that no value
    # breaks booking (a horizon of 999999999 days would overflow every date computed from it). The
    # model's validators hold them for the forms and the admin.
    min_notice_hours = models.PositiveIntegerField(
        default=12,
        validators=[MaxValueValidator(NOTICE_MAX_HOURS)],
        help_text=format_lazy(_("Clients cannot book sooner than this (0 to {max} hours)."), max=NOTICE_MAX_HOURS),
    )
    booking_horizon_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(HORIZON_MAX_DAYS)],
        help_text=format_lazy(_("How far ahead clients can book (1 to {max} days)."), max=HORIZON_MAX_DAYS),
    )
    slot_step_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(STEP_CHOICES[0]), MaxValueValidator(STEP_CHOICES[-1])],
        help_text=_("Start times are offered on this grid."),
    )
    cancellation_window_hours = models.PositiveIntegerField(
        default=24,
        validators=[MaxValueValidator(CANCEL_MAX_HOURS)],
        help_text=format_lazy(
            _("Clients may cancel or reschedule online until this long before the start (0 to {max} hours)."),
            max=CANCEL_MAX_HOURS,
        ),
    )
    new_clients_first_visit = models.BooleanField(
        default=True, help_text=_("New clients must book a first-visit service first.")
    )
    cancellation_policy = models.TextField(blank=True)
    # Online bookings (docs/booking-privacy.md): held until the owner of the email address confirms
    # them from the emailed link, and limited per address and per network address. The limits
    # count bookings made, so a lost race for a time never counts against anyone.
    booking_hold_minutes = models.PositiveIntegerField(
        _("Hold an unconfirmed online booking for (minutes)"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
        help_text=_("The time stays held for the client this long (15 to 1440) while they confirm from the email."),
    )
    online_bookings_per_email_per_day = models.PositiveIntegerField(
        _("Online bookings per email address per day"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("More online bookings for one email address within 24 hours are refused (1 to 50)."),
    )
    online_bookings_per_ip_per_hour = models.PositiveIntegerField(
        _("Online bookings per network address per hour"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "More online bookings from one network (IP) address within an hour are refused (1 to 1000). "
            "Several people behind one office or home router share an address."
        ),
    )

    # Messages (docs/notifications.md): reminders before each visit, a check-in after it.
    reminder_hours_first = models.PositiveSmallIntegerField(
        _("First reminder (hours before)"),
        default=48,
        validators=[MaxValueValidator(MAX_REMINDER_HOURS)],
        help_text=_("Hours before the visit; 0 for none. At most two weeks (336)."),
    )
    reminder_hours_second = models.PositiveSmallIntegerField(
        _("Second reminder (hours before)"),
        default=24,
        validators=[MaxValueValidator(MAX_REMINDER_HOURS)],
        help_text=_("Hours before the visit; 0 for none. At most two weeks (336)."),
    )
    send_checkins = models.BooleanField(
        _("After-session check-ins"),
        default=True,
        help_text=_("A day after a completed session, ask the client how they have been (a short form)."),
    )

    # Practitioners' calendar feeds: what an entry calls the client. A subscribed calendar lives with
    # Google, Apple or Microsoft and is often shared, so the default names nobody.
    calendar_feed_names = models.CharField(
        _("Clients in calendar feeds"),
        max_length=10,
        choices=FeedNames.choices,
        default=FeedNames.LABEL,
        help_text=_(
            "Practitioners' subscribed calendars live with Google, Apple or Microsoft and are often "
            "shared with family or colleagues. Entries never show notes, contact details or full names."
        ),
    )
    calendar_feed_label = models.CharField(
        _("Label for a client in calendar feeds"),
        max_length=40,
        default="Client",
        help_text=_('Shown before the service, e.g. "Client · Follow-up session".'),
    )

    # The waitlist (docs/notifications.md, "Waitlist"): how long a freed time is held for the
    # waitlisted client it is offered to before it goes to the next.
    waitlist_offer_minutes = models.PositiveIntegerField(
        _("Hold an offered time for (minutes)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(1440)],
        help_text=_(
            "A time freed by a cancellation is offered to the first matching client on the waitlist and "
            "held for them this long (10 to 1440), then offered to the next."
        ),
    )

    # Clinical records (docs/records.md).
    shared_care = models.BooleanField(
        default=False,
        help_text=_(
            "Every practitioner of the practice may read every client's chart. Off: only the client's "
            "care team and owners; anyone else must state a reason (break-glass), which is audited."
        ),
    )
    # Unused: episodes close after MeasurementSettings.inactivity_days (Settings → Outcome
    # questionnaires), the one rule. Kept only until a migration drops it (on SQLite dropping a
    # column of this table must keep the public-version triggers of practice 0010).
    episode_inactivity_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(1095)],
        help_text=_("A care episode with no visit for this many days is closed as inactive."),
    )
    note_overdue_days = models.PositiveSmallIntegerField(
        _("A session note is overdue after (days)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Unsigned notes of sessions more than this many days ago are listed as overdue (1 to 30)."),
    )
    retention_rule = models.CharField(
        max_length=30,
        choices=RETENTION_CHOICES,
        default=retention.LONGEST,
        help_text=_("How long records are kept after the last entry (and for minors, until which age)."),
    )

    # Sign-in safety.
    two_factor_policy = models.CharField(
        _("Two-factor sign-in"),
        max_length=10,
        choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.OFF,
        help_text=_("Who must use an authenticator app to sign in."),
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("Sign out after idle minutes"),
        default=DEFAULT_IDLE_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(720)],
        help_text=_("Staff are signed out after this many minutes without activity (5 to 720)."),
    )
    backup_max_age_hours = models.PositiveSmallIntegerField(
        _("Warn when the last backup is older than (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 31)],
        help_text=_("`longtide backup --check` fails when the newest backup is older than this."),
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reminder_hours_first__lte=MAX_REMINDER_HOURS)
                & models.Q(reminder_hours_second__lte=MAX_REMINDER_HOURS),
                name="practice_reminder_hours_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def formats(self) -> Formats:
        """How this practice writes prices and times (lib/formats.py)."""
        return Formats(locale=self.locale, currency=self.currency, clock_hours=self.clock_hours)

    @property
    def reminder_offsets(self) -> list[int]:
        """The reminder offsets in hours, largest first, without zeros, repeats or out-of-bounds values."""
        hours = {self.reminder_hours_first, self.reminder_hours_second}
        return sorted((h for h in hours if 0 < h <= MAX_REMINDER_HOURS), reverse=True)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(hours=self.min_notice_hours)

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.booking_horizon_days)

    @property
    def slot_step(self) -> timedelta:
        return timedelta(minutes=self.slot_step_minutes)

    @property
    def booking_hold(self) -> timedelta:
        return timedelta(minutes=self.booking_hold_minutes)

    @property
    def waitlist_offer(self) -> timedelta:
        return timedelta(minutes=self.waitlist_offer_minutes)

    @property
    def cancellation_window(self) -> timedelta:
        return timedelta(hours=self.cancellation_window_hours)

    def membership_for(self, user: User | AnonymousUser) -> StaffMembership | None:
        if not user.is_authenticated:
            return None
        return self.memberships.filter(user=user).first()


class Location(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. US."))
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])

    class Meta:
        ordering = ["practice", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def one_line_address(self) -> str:
        return ", ".join(p for p in [self.address, self.city, self.region, self.postal_code] if p)


class Room(models.Model):
    """A treatment room with its table: a bookable resource."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["location", "sort_order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class Style(models.TextChoices):
    BIOMECHANICAL = "biomechanical", _("Biomechanical")
    BIODYNAMIC = "biodynamic", _("Biodynamic")
    INTEGRATIVE = "integrative", _("Integrative")


# In the practitioners' own terms, attributed (domain.md §6): the mechanisms are not established.
STYLE_DESCRIPTIONS = {
    Style.BIOMECHANICAL: _(
        "Practitioners describe working with physical structures: membranes, fascia, bones and joints."
    ),
    Style.BIODYNAMIC: _(
        "Practitioners describe following rhythms they sense in the body, which they call 'tides', and stillness."
    ),
    Style.INTEGRATIVE: _("Practitioners draw on both approaches, session by session."),
}


class PractitionerQuerySet(models.QuerySet["Practitioner"]):
    def active(self) -> PractitionerQuerySet:
        return self.filter(active=True)


class Practitioner(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="practitioners")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="practitioner"
    )
    display_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    credentials = models.CharField(max_length=200, blank=True, help_text=_("e.g. LMT, CST-D"))
    style = models.CharField(max_length=20, choices=Style.choices)
    training = models.TextField(blank=True)
    bio = models.TextField(blank=True)
    # Always a JPEG we wrote ourselves (practice/photos.py): resized, metadata stripped, random name.
    photo = models.ImageField(upload_to="practitioners/", blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "sort_order", "display_name"]
        constraints = [models.UniqueConstraint(fields=["practice", "slug"], name="practitioner_slug_per_practice")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.display_name.split()[:2]).upper()


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(active=True)


# A session's length and its buffers, bounded so that an appointment's blocked range (buffer
# before, session, buffer after) stays under a day (scheduling.models.MAX_BLOCK): overlap queries
# bound their index scans by it, and a booking's read ahead keeps a session's hours within a day
# (scheduling.search._LONGEST). Checked in the database too (Service.Meta), whatever writes it.
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES, MAX_BUFFER_MINUTES = 5, 720, 240


class Service(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(MIN_SESSION_MINUTES), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)], help_text=_("Preparation time before.")
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)], help_text=_("Turnover time after.")
    )
    practitioners = models.ManyToManyField(Practitioner, related_name="services", blank=True)
    rooms = models.ManyToManyField(
        Room, related_name="services", blank=True, help_text=_("Rooms that can host it; none chosen means any room.")
    )
    is_first_visit = models.BooleanField(
        _("First-visit service"), default=False, help_text=_("Includes intake; new clients start here.")
    )
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "slug"], name="service_slug_per_practice"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=MIN_SESSION_MINUTES)
                & models.Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="service_length_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_before_minutes__lte=MAX_BUFFER_MINUTES)
                & models.Q(buffer_after_minutes__lte=MAX_BUFFER_MINUTES),
                name="service_buffers_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    def blocked_range(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """Return the time a session from start to end holds: the session plus both buffers."""
        return start - self.buffer_before, end + self.buffer_after


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    PRACTITIONER = "practitioner", _("Practitioner")
    FRONT_DESK = "front_desk", _("Front desk")
    # A practitioner in training: sees only the clients of their own sessions, and every note they
    # sign waits for their supervisor's co-signature (docs/notes.md, "Students").
    STUDENT = "student", _("Student")


def joined(path: str = "") -> Q:
    """Users (through `path`, e.g. "user__") who have joined: they can sign in, i.e. chose a password.
    An invited new address is a user without one until then (practice/staff.py, has_login)."""
    return ~Q(**{f"{path}password__startswith": UNUSABLE_PASSWORD_PREFIX})


class StaffMembership(models.Model):
    """A user's role in one practice. A user may belong to several practices."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # A student's supervising practitioner (an owner or practitioner of the same practice with a
    # practitioner profile), who co-signs the student's notes. Empty for every other role.
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="supervised"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_role_per_practice"),
            models.CheckConstraint(
                condition=Q(role="student", supervisor__isnull=False)
                | (~Q(role="student") & Q(supervisor__isnull=True)),
                name="student_iff_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.practice}"

    def clean(self) -> None:
        super().clean()
        if self.role == Role.STUDENT:
            why = supervisor_problem(self.practice_id, self.user_id, self.supervisor_id)
            if why:
                raise ValidationError({"supervisor": why})
        elif self.supervisor_id is not None:
            raise ValidationError({"supervisor": _("Only a student has a supervisor.")})

    def check_may_leave_owners(self) -> None:
        """Refuse to remove or demote the practice's last owner (someone must be able to configure it).

        Callers hold the practice's row lock (practice/staff.py), so two owners removing each other at
        the same moment cannot both pass this check.
        """
        if self.role != Role.OWNER:
            return
        # Only owners who have joined (can sign in): an invited owner who has not chosen a password
        # yet may never do so, and counting them told the owner which invited address had no login.
        others = (
            StaffMembership.objects.filter(practice_id=self.practice_id, role=Role.OWNER)
            .exclude(pk=self.pk)
            .filter(joined("user__"))
        )
        if not others.exists():
            raise ValidationError(
                _("%(name)s is the practice's only owner. Make someone else an owner first.")
                % {"name": self.user.get_full_name() or self.user.get_username()}
            )


def supervisor_problem(practice_id: int | None, student_id: int | None, supervisor_id: int | None) -> str:
    """Why `supervisor_id` cannot supervise a student of the practice ("" when they can): a supervisor
    is someone else, an owner or practitioner there, with a practitioner profile of that practice (the
    credential the co-signature records)."""
    if supervisor_id is None:
        return str(_("Choose the student's supervising practitioner."))
    if supervisor_id == student_id:
        return str(_("A student cannot supervise themselves."))
    if practice_id is None:
        return str(_("Choose the practice first."))
    member = StaffMembership.objects.filter(
        practice_id=practice_id, user_id=supervisor_id, role__in=[Role.OWNER, Role.PRACTITIONER]
    ).exists()
    profile = Practitioner.objects.filter(practice_id=practice_id, user_id=supervisor_id).exists()
    if not (member and profile):
        return str(_("The supervisor must be a practitioner or owner of this practice with a practitioner profile."))
    return ""


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self, now: datetime) -> InvitationQuerySet:
        """Unused, unexpired, and its user still on the practice's staff (a removed invitee's link is dead)."""
        return self.filter(used_at__isnull=True, expires_at__gt=now, user__memberships__practice=F("practice"))


class Invitation(models.Model):
    """A one-time link for a staff member to set their password (an invitation, or a new practice's owner).

    Only the SHA-256 of the token is stored; the link itself exists in the email (or the operator's
    terminal) and nowhere else. It expires, and it works once.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(created_at__lt=F("expires_at")), name="invitation_expires_after_made")
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.practice}"


class StaffInvitation(models.Model):
    """An invitation for someone who already has a Longtide login (practice/staff.py, invite_staff).

    Nothing is granted by it: no membership, no access, and the practice's session rules do not
    apply, until the invitee, signed in, accepts it (which makes the StaffMembership and deletes the
    invitation). Declining or the owner's withdrawing deletes it. The staff list shows what the owner
    typed (the address and the name), never the login's own name, so that a pending invitation reads
    the same as one to a new address.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff_invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations")
    # The address the owner typed (normalised) and the name they typed: what the staff list shows.
    email = models.CharField(max_length=150)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_staff_invitation_per_practice"),
            models.CheckConstraint(
                condition=Q(role="student", supervisor__isnull=False)
                | (~Q(role="student") & Q(supervisor__isnull=True)),
                name="staff_invitation_student_iff_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"Staff invitation {self.pk} to {self.practice}"
