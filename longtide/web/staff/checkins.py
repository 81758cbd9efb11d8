"""The after-session check-in on the staff appointment page: its answer for those who read the
client's clinical record (records/chart.py's rule; each showing audited), nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from longtide.audit.models import Action
from longtide.audit.trail import record
from longtide.checkins.models import CheckIn
from longtide.practice.access import acting
from longtide.practice.models import Practice
from longtide.records import chart
from longtide.scheduling.models import Appointment, Status


def checkin_panel(request: HttpRequest, practice: Practice, appointment: Appointment) -> dict[str, Any] | None:
    if appointment.status != Status.COMPLETED:
        return None
    access, _grant = chart.access_to(request.user, practice, appointment.client, timezone.now())
    if access is None or not access.clinical:
        return None
    found = CheckIn.objects.filter(appointment=appointment).first()
    if found is not None:
        with transaction.atomic():
            record(
                by=acting(request, access.role),
                action=Action.VIEW,
                object_type="checkin",
                practice_id=practice.pk,
                client_id=appointment.client_id,
                object_id=found.pk,
                basis=str(access.basis),
            )
    return {"answers": [found] if found else []}
