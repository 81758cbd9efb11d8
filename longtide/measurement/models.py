"""Care episodes, questionnaire answers, diary days and questionnaire links.

- `Episode`: a client's course of care for one concern. The main concern (from intake) fixes the
  primary instrument (`outcomes.concerns.PLANS`); a practitioner may change it with a reason
  (`PrimaryChange`, kept). Opened at the first visit (`opened_on`, day 0 of the fixed windows);
  closed at discharge, or counted closed after the practice's inactivity days
  (`MeasurementSettings.inactivity_days`, see `Episode.is_open`). A lapsed episode is closed for
  good (`closed_on` its last session, `lapsed`) when the client's next episode opens, so that
  episode's visits never make it open again (measurement/actions.close_lapsed); an episode left
  without `closed_on` ends the day before the next episode for its concern opened
  (`actions.last_days`).
- `Response`: one filled questionnaire: the raw answers, the instrument id, version and content
  hash they were given against, and the score computed at write time (total, band, subscales, or
  why it is not scorable). Never edited.
- `DiaryEntry`: one headache-diary day per client and date (a second entry for a date replaces
  the answers of the first, which is how a client corrects a day).
- `QuestionnaireLink`: a client's private link to one questionnaire (or to their diary): only the
  hash of the token is stored; it expires, belongs to one client, and a questionnaire link works
  for one answer.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from longtide.clients.models import Client
from longtide.intake.form import REASONS
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment

# The intake's own words for each concern (outcomes.concerns.Concern keys).
CONCERN_CHOICES = [(str(key), label) for key, label in REASONS]


class Timepoint(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    BEFORE_SESSION_4 = "before_session_4", _("Before session 4")
    BEFORE_SESSION_8 = "before_session_8", _("Before session 8")
    WEEK_6 = "week_6", _("Week 6")
    WEEK_12 = "week_12", _("Week 12")
    AD_HOC = "ad_hoc", _("Sent by the practitioner")
    DIARY = "diary", _("Headache diary")


class MeasurementSettings(models.Model):
    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="measurement_settings")
    inactivity_days = models.PositiveIntegerField(
        default=120, help_text=_("An episode without a visit for this many days counts as closed.")
    )
    # PHQ-9 asks about self-harm (item 9): offered only while this is on (measurement/crisis.py).
    crisis_protocol = models.BooleanField(
        _("Crisis protocol (offer the PHQ-9)"),
        default=False,
        help_text=_(
            "The PHQ-9's last question asks about thoughts of self-harm. Switch this on only when your "
            "practice has a crisis protocol: a positive answer shows the client your emergency number and crisis "
            "line at once, raises an EMERGENCY flag on the client's intake and emails their practitioner."
        ),
    )

    def __str__(self) -> str:
        return f"Outcome settings of {self.practice}"


class Episode(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="episodes")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    concern = models.CharField(max_length=40, choices=CONCERN_CHOICES)
    primary_instrument = models.CharField(max_length=40, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)
    # Closed because it had lapsed (no visit for the inactivity days) when the client's next episode
    # opened, not discharged: nothing more is sent for it (no week 12 either).
    lapsed = models.BooleanField(default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The visit whose booking opened the episode by itself (measurement/schedule.py); unique, so
    # two planners racing over one booking open one episode. Empty for episodes opened by hand.
    opened_for = models.OneToOneField(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "-opened_on", "-pk"]
        indexes = [models.Index(fields=["practice", "concern", "opened_on"], name="episode_cohort")]

    def __str__(self) -> str:
        return f"episode {self.pk} (client {self.client_id}, {self.concern})"

    def is_open(self, today: date, *, last_visit: date | None, inactivity_days: int) -> bool:
        if self.closed_on is not None:
            return False
        latest = max(d for d in (self.opened_on, last_visit) if d is not None)
        return today - latest <= timedelta(days=inactivity_days)


class PrimaryChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="primary_changes")
    old = models.CharField(max_length=40, blank=True)
    new = models.CharField(max_length=40)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["episode", "at"]

    def __str__(self) -> str:
        return f"{self.old} -> {self.new} (episode {self.episode_id})"


class QuestionnaireLink(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="questionnaire_links")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="links")
    instrument = models.CharField(max_length=40)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    nonce = models.CharField(max_length=40)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A diary link's daily reminder email (measurement/diary_reminders.py); the client switches it
    # off (and on) on the diary page.
    diary_reminders = models.BooleanField(default=True)

    class Meta:
        ordering = ["client", "-created_at"]

    def __str__(self) -> str:
        return f"questionnaire link {self.pk} ({self.instrument}, client {self.client_id})"

    @property
    def is_diary(self) -> bool:
        return self.timepoint == Timepoint.DIARY


class Response(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="questionnaire_responses")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="responses")
    # One answer per link: a second submit of the same page finds this row (unique).
    link = models.OneToOneField(
        QuestionnaireLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    instrument = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField()
    content_hash = models.CharField(max_length=64)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    answers = models.JSONField(default=dict)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    not_scorable = models.TextField(blank=True)  # why, in words, when total is None
    alerts = models.JSONField(default=list, blank=True)
    taken_on = models.DateField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["client", "taken_on", "pk"]
        indexes = [models.Index(fields=["episode", "instrument", "taken_on"], name="response_series")]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.version} on {self.taken_on} (client {self.client_id})"


class DiaryEntry(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="diary_entries")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="diary_entries")
    day = models.DateField()
    version = models.PositiveSmallIntegerField()
    content_hash = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)
    complete = models.BooleanField(default=False)
    saved_at = models.DateTimeField()
    # The id the phone gave an entry recorded offline (static/longtide/diary-store.js) when it was
    # the last to set this day: a replayed or doubled send of that entry finds it and changes nothing.
    sync_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["client", "day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="one_diary_day_per_client")]

    def __str__(self) -> str:
        return f"diary {self.day} (client {self.client_id})"


class PlannedSend(models.Model):
    """A timepoint's questionnaires sent by the schedule (measurement/schedule.py): one row per
    episode and timepoint (unique), written before the links and the email, so a timepoint is
    never sent twice, by one worker or two."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="planned_sends")
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    planned_at = models.DateTimeField()
    send_after = models.DateTimeField()
    expires_at = models.DateTimeField()
    instruments = models.JSONField(default=list, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["episode", "send_after"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "timepoint"], name="one_planned_send_per_timepoint"),
        ]

    def __str__(self) -> str:
        return f"{self.timepoint} of episode {self.episode_id}"


class InstrumentLicence(models.Model):
    """A practice's record that it holds the licence of a licensed questionnaire (HIT-6, MIDAS, NDI …)
    and the licensed wording it supplied (outcomes/licensing.py). Never changed: new wording is a
    new row and the old one is withdrawn, so answers keep the wording they were given against (each
    response stores the SHA-256 of the filled-in instrument)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="instrument_licences")
    instrument = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    licence_reference = models.CharField(max_length=200)
    # {"instructions": str, "items": {item id: text}, "options": {item id: {value: label}}}
    wording = models.JSONField()
    sha256 = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "instrument", "version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_licence_per_instrument",
            )
        ]

    def __str__(self) -> str:
        return f"Licence for {self.instrument} v{self.version}"
