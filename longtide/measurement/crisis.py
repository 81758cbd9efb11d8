"""The crisis route for a questionnaire answer about self-harm (PHQ-9 item 9), reusing the intake's.

PHQ-9 is offered only while the practice's crisis protocol is on (`MeasurementSettings
.crisis_protocol`, the owner's "Outcome questionnaires" settings page). When a client's stored
answers raise the self-harm alert (`outcomes.scoring.alerts`: any answer above "Not at all", also in
an incomplete questionnaire), in the same transaction as the answers:

- the client's current intake gets an EMERGENCY flag with `crisis=True` (the intake's own self-harm
  route: it holds the client's bookings and reminders until a practitioner acknowledges it and
  records what was done, and shows on the intake page and the chart);
- the client's practitioners (their upcoming visits', else their last visit's; else the practice's
  address) get an email that says nothing about the client, with the page to open;
- the client's page shows the intake's crisis text at once, with the practice's emergency number
  and crisis line (`crisis_text`), on the thank-you page and whenever they come back to it.

A client with no submitted intake gets no flag (there is nothing to hang it on); the email and the
stored alert on the outcomes page still tell the practitioner.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.intake import screening
from longtide.intake.actions import current_intake, intake_settings
from longtide.intake.models import Flag, FlagLevel
from longtide.measurement.models import Response
from longtide.notifications.models import Channel
from longtide.notifications.outbox import NewMessage, queue
from longtide.outcomes.instruments.definition import AlertKind
from longtide.practice.models import Practice, Practitioner
from longtide.scheduling.models import Appointment, Status

ALERT_PURPOSE = "outcomes.alert"
FLAG_LABEL = "Thoughts of self-harm (PHQ-9 question 9): crisis protocol"


def raises_self_harm(alerts: Iterable[Any]) -> bool:
    """Whether stored alerts (`Response.alerts`) hold a self-harm alert."""
    return any(isinstance(a, dict) and a.get("kind") == str(AlertKind.SELF_HARM) for a in alerts)


def crisis_text(practice: Practice) -> str:
    """The intake's crisis text with the practice's emergency number and crisis line."""
    found = intake_settings(practice)
    return _(screening.CRISIS_TEXT) % {"number": found.emergency_number, "crisis_line": found.crisis_line}


def raise_crisis(response: Response, *, now: datetime) -> Flag | None:
    """Flag the client's intake and alert their practitioners (in the caller's transaction)."""
    client = response.client
    intake = current_intake(client)
    flag: Flag | None = None
    if intake is not None:
        flag, _created = Flag.objects.get_or_create(
            intake=intake,
            item_key=f"phq9_q9:{response.pk}",
            defaults={
                "practice_id": response.practice_id,
                "client_id": client.pk,
                "level": int(FlagLevel.EMERGENCY),
                "staff_label": FLAG_LABEL,
                "urgent": True,
                "crisis": True,
            },
        )
        record(
            by=Actor.system(),
            action=Action.CREATE,
            object_type="intake_flag",
            practice_id=response.practice_id,
            client_id=client.pk,
            object_id=flag.pk,
            detail="self-harm answer in a questionnaire",
        )
    _queue_alerts(response, now=now, flagged=flag is not None)
    return flag


def _people(response: Response, now: datetime) -> list[Practitioner]:
    visits = Appointment.objects.filter(client_id=response.client_id)
    upcoming = list(
        visits.filter(start__gte=now, status__in=[Status.BOOKED, Status.HELD])
        .values_list("practitioner_id", flat=True)
        .distinct()
    )
    if not upcoming:
        last = visits.filter(status=Status.COMPLETED).order_by("-start").values_list("practitioner_id", flat=True)
        upcoming = list(last[:1])
    return list(Practitioner.objects.filter(pk__in=upcoming).select_related("user"))


def _queue_alerts(response: Response, *, now: datetime, flagged: bool) -> int:
    practice = response.client.practice
    name = "staff-client-intake" if flagged else "staff-client-outcomes"
    page = f"{settings.PUBLIC_BASE_URL}{reverse(name, args=[practice.slug, response.client_id])}"
    addresses = {p.user.email for p in _people(response, now) if p.user and p.user.email}
    if not addresses and practice.email:
        addresses = {practice.email}
    made = [
        NewMessage(
            purpose=ALERT_PURPOSE,
            channel=Channel.EMAIL,
            recipient=address,
            dedupe_key=f"outcomes-alert:{response.pk}:{address.lower()}"[:160],
            about=f"outcomes-alert:{response.pk}",
            subject=_("A client's answers need your attention today"),
            body_text=_(
                "A client's answers to a questionnaire need your attention today, under your practice's crisis "
                "protocol. Sign in to see them and record what you did:\n\n%(page)s\n\n"
                "(This email says nothing about the client on purpose.)"
            )
            % {"page": page},
            send_after=now,
        )
        for address in sorted(addresses)
    ]
    queue(practice_id=response.practice_id, messages=made)
    return len(made)
