"""The owner's audit pages (Perm.AUDIT_READ): the practice's whole trail with filters, and the
monthly access report. `?format=csv` downloads either; each download is an audited export."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from longtide.audit.models import Action, AuditEvent, Via
from longtide.audit.trail import record
from longtide.practice.access import Perm, acting, member_required, role_in
from longtide.practice.models import Practice
from longtide.records.audit_reports import (
    TrailFilter,
    client_names,
    monthly,
    monthly_csv,
    trail,
    trail_csv,
)
from longtide.web.staff.calendar_grid import practice_zone

PAGE_SIZE = 100
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
BIGGEST_ID = 2**63 - 1


class TrailQuery(forms.Form):
    who = forms.ChoiceField(label=_("Who"), required=False)
    client = forms.IntegerField(label=_("Client number"), required=False, min_value=1, max_value=BIGGEST_ID)
    action = forms.ChoiceField(label=_("What"), required=False, choices=[("", _("Anything")), *Action.choices])
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = [("", _("Anyone")), ("0", _("Clients and the system")), *people]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in ("start", "end"):
            day = data.get(key)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(key, _("Give a date between 1900 and 2999."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def wanted(self) -> TrailFilter:
        data = self.cleaned_data
        return TrailFilter(
            actor_id=int(data["who"]) if data.get("who") else None,
            client_id=data.get("client"),
            action=data.get("action") or "",
            start=data.get("start"),
            end=data.get("end"),
        )


def _people(practice: Practice) -> list[tuple[str, str]]:
    """Everyone who has acted in the practice's trail (members past and present), by name."""
    found = (
        AuditEvent.objects.for_practice(practice.pk)
        .filter(actor_id__isnull=False)
        .order_by()
        .values_list("actor_id", "actor_label")
        .distinct()
    )
    names: dict[int, str] = {}
    for actor_id, label in found:
        if actor_id is not None:
            names.setdefault(int(actor_id), label or str(actor_id))
    return sorted(((str(pk), label) for pk, label in names.items()), key=lambda item: item[1].lower())


def _download(
    request: HttpRequest, practice: Practice, lines: Any, filename: str, detail: str
) -> StreamingHttpResponse:
    with transaction.atomic():
        record(
            by=acting(request, role_in(request.user, practice), via=Via.WEB),
            action=Action.EXPORT,
            object_type="audit_trail",
            practice_id=practice.pk,
            detail=detail,
        )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@member_required(Perm.AUDIT_READ)
def audit_trail(request: HttpRequest, practice: Practice) -> HttpResponseBase:
    zone = practice_zone(practice)
    form = TrailQuery(request.GET or None, people=_people(practice))
    context: dict[str, Any] = {"practice": practice, "form": form, "zone": zone}
    if request.GET and not form.is_valid():
        return render(request, "web/staff/audit_trail.html", {**context, "events": None}, status=400)
    wanted = form.wanted() if request.GET else TrailFilter()
    events = trail(practice, wanted, zone)
    if request.GET.get("format") == "csv":
        used = [key for key in ("who", "client", "action", "start", "end") if request.GET.get(key)]
        detail = f"csv; filters: {', '.join(used) or 'none'}"
        return _download(request, practice, trail_csv(practice, events, zone), f"audit-{practice.slug}.csv", detail)
    page = Paginator(events, PAGE_SIZE).get_page(form.cleaned_data.get("page") if form.is_bound else 1)
    names = client_names(practice, page.object_list)
    rows = [(e, names.get(e.client_id or 0, "")) for e in page.object_list]
    context.update({"events": page, "rows": rows, "query": _query(request)})
    return render(request, "web/staff/audit_trail.html", context)


def _query(request: HttpRequest) -> str:
    """The filters as a query string, without the page (for the page links and the CSV link)."""
    kept = request.GET.copy()
    kept.pop("page", None)
    kept.pop("format", None)
    return kept.urlencode()


MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


def _month(raw: str | None, today: date) -> date | None:
    if not raw:
        return today.replace(day=1)
    found = MONTH.fullmatch(raw)
    if not found:
        return None
    year, month = int(found["year"]), int(found["month"])
    if not (EARLIEST.year <= year <= LATEST.year and 1 <= month <= 12):
        return None
    return date(year, month, 1)


@member_required(Perm.AUDIT_READ)
def audit_monthly(request: HttpRequest, practice: Practice) -> HttpResponseBase:
    zone = practice_zone(practice)
    today = timezone.now().astimezone(zone).date()
    month = _month(request.GET.get("month"), today)
    context: dict[str, Any] = {"practice": practice, "zone": zone, "typed": request.GET.get("month", "")}
    if month is None:
        context["error"] = _("Give a month as YYYY-MM, between 1900-01 and 2999-12.")
        return render(request, "web/staff/audit_monthly.html", context, status=400)
    report = monthly(practice, month, zone)
    if request.GET.get("format") == "csv":
        name = f"access-report-{practice.slug}-{month:%Y-%m}.csv"
        return _download(request, practice, monthly_csv(report, zone), name, f"csv; access report {month:%Y-%m}")
    previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    context.update({"report": report, "month": month, "previous": previous, "following": following})
    return render(request, "web/staff/audit_monthly.html", context)
