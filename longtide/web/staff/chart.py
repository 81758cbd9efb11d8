"""A client's chart (/staff/<practice>/clients/<id>/chart/) and its break-glass opening.

What a member sees is decided by practice/access.py through longtide.records.chart; every opening
is audited there. A client of another practice, or a member of another practice, gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from longtide.audit.models import Via
from longtide.audit.trail import Origin
from longtide.clients.models import Client
from longtide.measurement.progress import client_outcomes
from longtide.practice.access import Basis, Perm, can, member_required
from longtide.practice.models import Practice
from longtide.records.access_report import access_report
from longtide.records.chart import (
    BREAK_GLASS_HOURS,
    REASON_MAX,
    REASON_MIN,
    BreakGlassRefused,
    access_to,
    break_glass,
    open_chart,
)
from longtide.records.export import export_record
from longtide.scheduling.care_team import first_self_booked
from longtide.web.staff.calendar_grid import practice_zone

BASIS_LABELS = {
    Basis.OWNER: gettext_lazy("You are an owner of the practice: you read every chart."),
    Basis.CARE_TEAM: gettext_lazy("You are in this client's care team."),
    Basis.SHARED_CARE: gettext_lazy("The practice shares every chart with its practitioners (shared care)."),
    Basis.BREAK_GLASS: gettext_lazy("You opened this chart with break-glass; the owner sees it in the access report."),
    Basis.FRONT_DESK: gettext_lazy("Front desk: contact details and the schedule only."),
    Basis.NOT_IN_CARE: gettext_lazy("This client is not in your care: contact details and the schedule only."),
}


def _client(practice: Practice, pk: int) -> Client:
    return get_object_or_404(Client.objects.for_practice(practice), pk=pk)


@never_cache
@member_required(Perm.CHART_OPEN)
def chart(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = _client(practice, pk)
    found = open_chart(
        user=request.user, practice=practice, client=client, origin=Origin.of(request), via=Via.WEB, now=timezone.now()
    )
    if found is None:
        raise Http404("No such client")
    context = {
        "practice": practice,
        "client": client,
        "chart": found,
        "basis_label": BASIS_LABELS[found.access.basis],
        # A session they booked themselves opens the chart when it starts (scheduling/care_team.py).
        "opens_at": first_self_booked(client.pk, request.user.pk)
        if found.access.may_break_glass and request.user.pk is not None
        else None,
        "zone": practice_zone(practice),
        "perms_access_report": can(request.user, Perm.AUDIT_READ, practice),
        "perms_export": found.clinical and can(request.user, Perm.RECORDS_EXPORT, practice),
        "perms_erase": can(request.user, Perm.RECORDS_ERASE, practice),
        # Outcomes are clinical: only built (and shown) for those who may read them.
        "outcome_episodes": client_outcomes(client) if found.clinical else None,
    }
    return render(request, "web/staff/chart.html", context)


@never_cache
@member_required(Perm.BREAK_GLASS)
def chart_break_glass(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = _client(practice, pk)
    now = timezone.now()
    access, _grant = access_to(request.user, practice, client, now)
    if access is None:
        raise Http404("No such client")
    if access.clinical:
        return redirect("staff-chart", practice_slug=practice.slug, pk=client.pk)
    reason, error = "", ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            grant = break_glass(
                user=request.user,  # type: ignore[arg-type]
                practice=practice,
                client=client,
                reason=reason,
                origin=Origin.of(request),
                via=Via.WEB,
                now=now,
            )
        except BreakGlassRefused as refused:
            error = refused.message
        else:
            if grant is None:
                raise Http404("No such client")
            opened = _("Chart opened with break-glass for %(hours)s hours.") % {"hours": BREAK_GLASS_HOURS}
            messages.warning(request, opened)
            return redirect("staff-chart", practice_slug=practice.slug, pk=client.pk)
    context = {
        "practice": practice,
        "client": client,
        "reason": reason.replace("\x00", ""),
        "error": error,
        "hours": BREAK_GLASS_HOURS,
        "reason_min": REASON_MIN,
        "reason_max": REASON_MAX,
    }
    return render(request, "web/staff/chart_break_glass.html", context)


@never_cache
@member_required(Perm.AUDIT_READ)
def chart_access_report(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """Who read this client's record: every audited look and change, break-glass openings first."""
    client = _client(practice, pk)
    report = access_report(practice, client)
    context = {"practice": practice, "client": client, "report": report, "zone": practice_zone(practice)}
    return render(request, "web/staff/chart_access.html", context)


def _export(request: HttpRequest, practice: Practice, pk: int, fmt: str) -> dict[str, Any]:
    data = export_record(
        user=request.user,  # type: ignore[arg-type]
        practice=practice,
        client=_client(practice, pk),
        fmt=fmt,
        origin=Origin.of(request),
        via=Via.WEB,
        now=timezone.now(),
    )
    if data is None:
        raise Http404("No such client")
    return data


@never_cache
@member_required(Perm.RECORDS_EXPORT)
def chart_export(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """The client's full record as a printable page (an access request's answer)."""
    data = _export(request, practice, pk, "html")
    return render(request, "web/staff/chart_export.html", {"practice": practice, "record": data})


@never_cache
@member_required(Perm.RECORDS_EXPORT)
def chart_export_json(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """The client's full record as a JSON bundle (schema in docs/records.md)."""
    data = _export(request, practice, pk, "json")
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{practice.slug}-client-{pk}-record.json"'
    return response
