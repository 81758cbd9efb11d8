"""The client's own progress, from their booking's private manage link (no login).

- /p/<practice>/manage/<token>/progress/: per care episode, a chart per questionnaire (the same
  server-drawn SVG as the chart's, with the within-noise band and the baseline; shapes, not colours,
  carry the change) with its text table, the change in plain words, the monthly headache figures
  and the latest overall impression (PGIC); the caveat that it cannot show what caused a change.
- /p/<practice>/manage/<token>/progress/print/: the same as a printable progress report.

The client reads their own clinical answers: each look is audited (object "outcomes", by the
client; a print as "print"). Staff-only matters (who changed the questionnaire and why, crisis
marks) are not shown. The same link already reaches the client's questionnaires and diary. Only
the link of a booked or held visit, or of one completed in the last 90 days, opens it
(`Appointment.opens_own_records`): an old or cancelled booking's email does not.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, Origin, record
from longtide.measurement.actions import practice_today
from longtide.measurement.progress import EpisodeView, client_outcomes
from longtide.outcomes import wording
from longtide.scheduling.models import Appointment
from longtide.web.bad_input import bad_request_page
from longtide.web.client.manage import _appointment


def _shown(views: list[EpisodeView]) -> list[EpisodeView]:
    return [v for v in views if v.series or v.diary or v.latest_pgic]


def _page(request: HttpRequest, practice_slug: str, token: str, *, printed: bool) -> HttpResponse:
    appointment: Appointment = _appointment(practice_slug, token)
    practice, client = appointment.practice, appointment.client
    now = timezone.now()
    if not appointment.opens_own_records(now):
        message = _(
            "This link no longer opens your progress. Use the link in the email of a recent or upcoming "
            "visit, or ask the clinic to send you one."
        )
        return bad_request_page(
            request, message, status=404, back=reverse("manage-booking", args=[practice_slug, token])
        )
    today = practice_today(practice, now)
    episodes = _shown(client_outcomes(client, today))
    with transaction.atomic():
        record(
            by=Actor(None, "client", Origin.of(request), Via.WEB),
            action=Action.PRINT if printed else Action.VIEW,
            object_type="outcomes",
            practice_id=practice.pk,
            client_id=client.pk,
            detail="own progress" + (" report" if printed else ""),
        )
    context: dict[str, Any] = {
        "practice": practice,
        "client": client,
        "token": token,
        "outcome_episodes": episodes,
        "today": today,
        "caveat_title": _(wording.CLIENT_CAVEAT_TITLE),
        "caveat": [_(p) for p in wording.CLIENT_CAVEAT],
        "printed": printed,
    }
    template = "web/outcomes/client_progress_print.html" if printed else "web/outcomes/client_progress.html"
    return render(request, template, context)


@never_cache
def progress(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    return _page(request, practice_slug, token, printed=False)


@never_cache
def progress_report(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    return _page(request, practice_slug, token, printed=True)
