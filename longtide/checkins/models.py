"""One after-session check-in per completed visit: what the client answered (effects.py holds the
questions). Written once by the client from the visit's private link; never edited."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from longtide.checkins import effects as questions
from longtide.clients.models import Client
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def for_practice(self, practice: Practice) -> CheckInQuerySet:
        return self.filter(practice=practice)


class CheckIn(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="checkins")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="checkins")
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="checkin")
    # effect key → severity (questions.EFFECTS, questions.SEVERITIES); empty: no after-effect.
    effects = models.JSONField(default=dict, blank=True)
    other = models.CharField(max_length=questions.OTHER_MAX, blank=True)
    sought_care = models.BooleanField(help_text=_("Needed medical care because of how they felt (a serious event)."))
    contact_me = models.BooleanField(help_text=_("Asked the clinic to get in touch."))
    answered_at = models.DateTimeField()

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at"]

    def __str__(self) -> str:
        return f"Check-in for appointment {self.appointment_id}"

    @property
    def after_effect(self) -> bool:
        return bool(self.effects)

    @property
    def serious(self) -> bool:
        return self.sought_care

    def rows(self) -> list[tuple[str, str]]:
        """(after-effect, severity) in the form's order, in words."""
        severity = dict(questions.SEVERITIES)
        return [(label, severity[self.effects[key]]) for key, label in questions.EFFECTS if key in self.effects]
