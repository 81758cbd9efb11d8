"""The after-session check-in, from the visit's private link (/p/<practice>/manage/<token>/check-in/).

Open while the visit is marked completed and for a week after it (checkins/actions.py); answered
once — a second submit shows the first answer's thanks, while the booking's link still opens the
client's own records (`Appointment.opens_own_records`; after that, the closed page, 410). Nothing
typed is lost on an error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from longtide.audit.trail import Origin
from longtide.checkins import actions, effects
from longtide.checkins.models import CheckIn
from longtide.intake.actions import intake_settings
from longtide.scheduling.models import Status
from longtide.web.client.manage import _appointment, contact_line
from longtide.web.times import when_label


def _form_rows(data: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    ticked = set(data.get("effects", []))
    return [
        {
            "key": key,
            "label": label,
            "checked": key in ticked,
            "severity": data.get(f"severity_{key}", ""),
            "error": errors.get(f"severity_{key}", ""),
        }
        for key, label in effects.EFFECTS
    ]


def checkin(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    appointment = _appointment(practice_slug, token)
    practice = appointment.practice
    now = timezone.now()
    context: dict[str, Any] = {
        "practice": practice,
        "token": token,
        "when": when_label(appointment.start, appointment.location.zone),
        "practitioner": appointment.practitioner.display_name,
        "contact": contact_line(practice),
        "emergency_number": intake_settings(practice).emergency_number,
        "severities": effects.SEVERITIES,
    }
    answered = CheckIn.objects.filter(appointment=appointment).first()
    if answered is not None:
        # The answer's page says whether the client asked for contact or needed medical care: like
        # their progress, only from a booking whose link still opens their own records (not an
        # old, cancelled or forwarded booking email, nor after their contact details were erased).
        if not appointment.opens_own_records(now):
            return render(request, "web/client/checkin_closed.html", context, status=410)
        return render(request, "web/client/checkin_done.html", {**context, "answer": answered})
    if not actions.is_open(appointment, now):
        gone = appointment.status == Status.COMPLETED and appointment.end <= now  # open once, closed since
        return render(request, "web/client/checkin_closed.html", context, status=410 if gone else 404)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {key: request.POST.get(key, "") for key in request.POST if key != "effects"}
        data["effects"] = request.POST.getlist("effects")
        checked = effects.check(data)
        if checked.answer is not None:
            stored, _created = actions.answer(appointment, checked.answer, origin=Origin.of(request), now=now)
            return render(request, "web/client/checkin_done.html", {**context, "answer": stored})
        errors = checked.errors
    context.update(
        {
            "rows": _form_rows(data, errors),
            "data": data,
            "errors": errors,
            "other_max": effects.OTHER_MAX,
            "closes": when_label(actions.closes_at(appointment), appointment.location.zone),
        }
    )
    return render(request, "web/client/checkin.html", context, status=422 if errors else 200)
