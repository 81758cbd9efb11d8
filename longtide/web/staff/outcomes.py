"""Outcomes in the staff area.

- /staff/<practice>/clients/<id>/outcomes/: the client's care episodes with their charts, and the
  practitioner's actions (open an episode, change its primary questionnaire with a reason, close
  it, send a questionnaire or the diary link). Clinical: owners and the care team (chart_access);
  a practitioner outside the care team gets a 403 that shows nothing, front desk and other
  practices a 404. Every look is audited (records/chart.py, object "outcomes").
- /staff/<practice>/reports/outcomes/ and its CSV: the owner's practice report (measurement/report.py).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from io import StringIO
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from longtide.audit.models import Action, Via
from longtide.audit.trail import Origin, record
from longtide.clients.models import Client
from longtide.lib.bounds import parse_id
from longtide.measurement import actions
from longtide.measurement.models import CONCERN_CHOICES, Episode, Timepoint
from longtide.measurement.progress import client_outcomes
from longtide.measurement.report import Filters, cohort_report
from longtide.outcomes import wording
from longtide.outcomes.concerns import Concern, measure_for
from longtide.outcomes.report import ChangeSummary, CohortReport, Count, ReportNotReady
from longtide.practice.access import Perm, acting, member_required, role_in
from longtide.practice.models import Practice, Practitioner, Service
from longtide.records.chart import access_to, open_chart

NOT_IN_CARE = gettext_lazy(
    "This client is not in your care, so their outcomes are not open to you. The client's practitioner or an "
    "owner can read them; if you need them, open the chart with a reason (break-glass)."
)
SEND_TIMEPOINTS = [
    (Timepoint.BASELINE, gettext_lazy("Baseline (before the first visit)")),
    (Timepoint.BEFORE_SESSION_4, gettext_lazy("Before session 4")),
    (Timepoint.BEFORE_SESSION_8, gettext_lazy("Before session 8")),
    (Timepoint.WEEK_6, gettext_lazy("Week 6")),
    (Timepoint.WEEK_12, gettext_lazy("Week 12")),
    (Timepoint.AD_HOC, gettext_lazy("Ad hoc")),
]


def _client(practice: Practice, pk: int) -> Client:
    return get_object_or_404(Client.objects.for_practice(practice), pk=pk)


def _clean(raw: str, limit: int = 1000) -> str:
    return raw.replace("\x00", "")[:limit]


def _parse_day(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2100, 1, 1) else None


def _act(request: HttpRequest, practice: Practice, client: Client, form: dict[str, str]) -> str:
    """Run the POSTed action; return a success message (raises actions.Refused)."""
    now = timezone.now()
    by = acting(request, role_in(request.user, practice))
    action = form.get("action", "")
    if action == "open":
        opened_on = _parse_day(form.get("opened_on", ""))
        if opened_on is None:
            raise actions.Refused(_("Enter the date of the first visit (YYYY-MM-DD)."))
        actions.open_episode(client=client, concern=form.get("concern", ""), opened_on=opened_on, by=by, now=now)
        return _("Episode opened.")
    raw = form.get("episode", "")
    episode_id = parse_id(raw)
    episode = Episode.objects.filter(client=client, pk=episode_id).first() if episode_id is not None else None
    if episode is None:
        raise actions.Refused(_("Choose an episode of this client."))
    if action == "primary":
        actions.change_primary(
            episode=episode, instrument=form.get("instrument", ""), reason=form.get("reason", ""), by=by, now=now
        )
        return _("Primary questionnaire changed; the reason is kept with the episode.")
    if action == "close":
        closed_on = _parse_day(form.get("closed_on", ""))
        if closed_on is None:
            raise actions.Refused(_("Enter the day of discharge (YYYY-MM-DD)."))
        actions.close_episode(episode=episode, on=closed_on, reason=form.get("close_reason", ""), by=by)
        return _("Episode closed.")
    if action == "send":
        instrument = form.get("instrument", "")
        timepoint = Timepoint.DIARY if instrument == actions.DIARY else form.get("timepoint", "")
        actions.send_link(episode=episode, instrument=instrument, timepoint=timepoint, by=by, now=now)
        return _("The link is on its way by email, and on the client's booking page.")
    raise actions.Refused(_("Choose what to do."))


@never_cache
@member_required(Perm.CLINICAL_READ)
def client_outcomes_page(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = _client(practice, pk)
    now = timezone.now()
    form: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        access, _grant = access_to(request.user, practice, client, now)
        if access is None:
            raise Http404("No such client")
        if not access.clinical:
            return render(
                request, "web/staff/notes/not_in_care.html", {"practice": practice, "why": NOT_IN_CARE}, status=403
            )
        form = {key: _clean(request.POST.get(key, "")) for key in list(request.POST)[:30]}
        try:
            done = _act(request, practice, client, form)
        except actions.Refused as refused:
            error = refused.message
        else:
            messages.success(request, done)
            return redirect("staff-client-outcomes", practice_slug=practice.slug, pk=client.pk)
    chart = open_chart(
        user=request.user,
        practice=practice,
        client=client,
        origin=Origin.of(request),
        via=Via.WEB,
        now=now,
        object_type="outcomes",
    )
    if chart is None:
        raise Http404("No such client")
    if not chart.clinical:
        return render(
            request, "web/staff/notes/not_in_care.html", {"practice": practice, "why": NOT_IN_CARE}, status=403
        )
    today = actions.practice_today(practice, now)
    concern = actions.main_concern(client)
    context: dict[str, Any] = {
        "practice": practice,
        "client": client,
        "outcome_episodes": client_outcomes(client, today),
        "error": error,
        "form": form,
        "concerns": CONCERN_CHOICES,
        "main_concern": concern.value if concern else "",
        "first_visit": (actions.first_visit_day(client) or today).isoformat(),
        "today": today.isoformat(),
        "offered": sorted(actions.offered(practice), key=lambda i: i.short_title),
        "timepoints": SEND_TIMEPOINTS,
        "diary": actions.DIARY,
    }
    return render(request, "web/staff/outcomes.html", context, status=400 if error else 200)


# The practice report.


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f} %"


# A number an export hides only so that a small one cannot be worked out from it (it is 5 or more).
HIDDEN_LABEL = gettext_lazy("hidden")


def hidden_text(protects: bool) -> str:
    """The label of a hidden number: "fewer than 5", or "hidden" when it protects another."""
    return str(HIDDEN_LABEL) if protects else _(wording.SUPPRESSED_LABEL)


def total_text(value: int | None, protects: bool) -> str:
    return hidden_text(protects) if value is None else str(value)


def count_text(count: Count, counts_only: bool) -> str:
    if count.suppressed or count.count is None:
        return hidden_text(count.protects)
    if count.n is None:
        return str(count.count)
    if counts_only or count.share is None:
        return _("%(count)d of %(n)d") % {"count": count.count, "n": count.n}
    return _("%(count)d of %(n)d (%(share)s; 95 %% CI %(low)s to %(high)s)") % {
        "count": count.count,
        "n": count.n,
        "share": _pct(count.share),
        "low": _pct(count.low),
        "high": _pct(count.high),
    }


def _number(value: float) -> str:
    """A median or quartile for the CSV: -1, -2.75, 0.5 (no trailing zeros)."""
    return f"{round(value, 4):g}"


def spread_cells(summary: ChangeSummary) -> list[str]:
    """The CSV's median change, lower and upper quartile and n of one analysis."""
    n = total_text(summary.n, summary.n_protects)
    if summary.median_change is None or summary.quartiles is None:
        why = _("counts only (fewer than 10)") if summary.counts_only else str(HIDDEN_LABEL)
        return [why, "", "", n]
    low, high = summary.quartiles
    return [_number(summary.median_change), _number(low), _number(high), n]


def adverse_cells(label: str, count: Count, *, with_share: bool) -> list[str]:
    """An after-effects row of the CSV: label, count, out of how many, share and its interval."""
    if count.suppressed or count.count is None:
        return [label, hidden_text(count.protects), "", "", "", ""]
    shares = (count.share, count.low, count.high) if with_share else (None, None, None)
    n = "" if count.n is None else str(count.n)
    return [label, str(count.count), n, *("" if value is None else f"{value:.4f}" for value in shares)]


REPORT_CONCERNS = [(c.value, label) for c, label in ((Concern(v), lbl) for v, lbl in CONCERN_CHOICES) if measure_for(c)]


def _filters(request: HttpRequest, practice: Practice, today: date) -> tuple[Filters, dict[str, str], list[str]]:
    raw = {k: _clean(request.GET.get(k, ""), 40) for k in ("concern", "from", "to", "style", "service")}
    problems = []
    concern_value = raw["concern"] or Concern.NECK_BACK_PAIN.value
    try:
        concern = Concern(concern_value)
        if measure_for(concern) is None:
            raise ValueError(concern_value)
    except ValueError:
        problems.append(_("Choose a concern from the list."))
        concern = Concern.NECK_BACK_PAIN
    first = _parse_day(raw["from"]) if raw["from"] else today - timedelta(days=365)
    last = _parse_day(raw["to"]) if raw["to"] else today
    if first is None or last is None:
        problems.append(_("Enter the dates as YYYY-MM-DD, between 2000 and 2100."))
        first, last = first or today - timedelta(days=365), last or today
    if last < first:
        problems.append(_("The period ends before it starts."))
        first, last = last, first
    service_id = parse_id(raw["service"])
    if raw["service"] and (service_id is None or not Service.objects.filter(practice=practice, pk=service_id).exists()):
        problems.append(_("Choose a service from the list."))
        service_id = None
    styles = set(Practitioner.objects.filter(practice=practice).values_list("style", flat=True))
    style = raw["style"] if raw["style"] in styles else ""
    if raw["style"] and not style:
        problems.append(_("Choose a practitioner style from the list."))
    shown = {"concern": concern.value, "from": first.isoformat(), "to": last.isoformat(), "style": style}
    shown["service"] = str(service_id or "")
    return Filters(concern, first, last, style, service_id), shown, problems


def report_rows(report: CohortReport) -> list[dict[str, str]]:
    """The report's figures as rows (the page's tables and the CSV share them)."""
    rows = []
    for w in report.windows:
        for group, summary in (("all", w.all_starters), ("completers", w.completers)):
            for key, label in (
                ("improved", _("Improved by at least the minimal important change")),
                ("unchanged", _("Within measurement noise")),
                ("worse", _("Worse by at least the minimal important change")),
                ("responders", _("Responders (improved from a baseline with room)")),
            ):
                count: Count = getattr(summary, key)
                rows.append(
                    {
                        "window": _(w.window.label),
                        "window_key": w.window.key,
                        "analysis": _(summary.label),
                        "group": group,
                        "category": label,
                        "key": key,
                        "text": count_text(count, summary.counts_only),
                        "count": "" if count.count is None else str(count.count),
                        "count_label": total_text(count.count, count.protects),
                        "n": "" if count.n is None else str(count.n),
                        "n_label": total_text(summary.n, summary.n_protects),
                        "share": "" if count.share is None else f"{count.share:.4f}",
                        "low": "" if count.low is None else f"{count.low:.4f}",
                        "high": "" if count.high is None else f"{count.high:.4f}",
                    }
                )
    return rows


def _audit_report(request: HttpRequest, practice: Practice, shown: dict[str, str], detail: str) -> None:
    from django.db import transaction

    with transaction.atomic():
        record(
            by=acting(request, role_in(request.user, practice)),
            action=Action.VIEW if detail == "page" else Action.EXPORT,
            object_type="outcomes_report",
            practice_id=practice.pk,
            object_id=shown["concern"],
            detail=f"{detail} {shown['from']}..{shown['to']}",
        )


@never_cache
@member_required(Perm.OUTCOMES_REPORT)
def practice_report_page(request: HttpRequest, practice: Practice) -> HttpResponse:
    today = actions.practice_today(practice)
    filters, shown, problems = _filters(request, practice, today)
    report = cohort_report(practice, filters, as_of=today)
    _audit_report(request, practice, shown, "page")
    assert report is not None
    context = {
        "practice": practice,
        "report": report,
        "shown": shown,
        "problems": problems,
        "concerns": REPORT_CONCERNS,
        "styles": sorted(set(Practitioner.objects.filter(practice=practice).values_list("style", flat=True)) - {""}),
        "services": Service.objects.filter(practice=practice).order_by("name"),
        "rows": report_rows(report),
        "caveat_title": _(report.caveat_title),
        "caveat": [_(p) for p in report.caveat],
        "measure_label": report.measure.label,
        "adverse_sessions": report.adverse.sessions,
        "adverse_checkins": count_text(report.adverse.checkins_answered, True),
        "adverse_effects": count_text(report.adverse.after_effects, False),
        "adverse_serious": count_text(report.adverse.serious, True),
        "counts_only_note": _(wording.COUNTS_ONLY_NOTE),
    }
    return render(request, "web/staff/outcomes_report.html", context, status=400 if problems else 200)


@never_cache
@member_required(Perm.OUTCOMES_REPORT)
def practice_report_csv(request: HttpRequest, practice: Practice) -> HttpResponse:
    """The report for sharing outside the practice: small cells hidden, the caveat in the file."""
    today = actions.practice_today(practice)
    filters, shown, problems = _filters(request, practice, today)
    if problems:
        return HttpResponse(" ".join(problems), status=400, content_type="text/plain; charset=utf-8")
    try:
        report = cohort_report(practice, filters, as_of=today, exported=True)
    except ReportNotReady:
        message = _(
            "Not ready to export: some clients' 12-week window has not closed yet. Choose a period that ended "
            "at least 15 weeks ago, or read the figures on the page."
        )
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    assert report is not None
    _audit_report(request, practice, shown, "csv")
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([_(report.caveat_title)])
    for paragraph in report.caveat:
        writer.writerow([_(paragraph)])
    writer.writerow([])
    writer.writerow(["practice", practice.name])
    writer.writerow(["concern", shown["concern"], "measure", report.measure.label])
    writer.writerow(["period", shown["from"], shown["to"], "as of", today.isoformat()])
    writer.writerow(["style", shown["style"] or "all", "service", shown["service"] or "all"])
    # Hidden numbers are labelled "fewer than 5", or "hidden" when hidden only so that a small one
    # cannot be worked out from them (outcomes/report.py, joint suppression).
    n_started = total_text(report.n_started, report.n_started_protects)
    n_base = total_text(report.n_with_baseline, report.n_with_baseline_protects)
    writer.writerow(["started", n_started, "with baseline", n_base])
    for w in report.windows:
        writer.writerow([f"with {w.window.key} follow-up", total_text(w.followed.count, w.followed.protects)])
    writer.writerow([])
    writer.writerow(["window", "analysis", "category", "count", "n", "share", "ci95_low", "ci95_high"])
    for row in report_rows(report):
        writer.writerow(
            [
                row["window"],
                row["analysis"],
                row["category"],
                row["count_label"],
                row["n_label"],
                row["share"],
                row["low"],
                row["high"],
            ]
        )
    writer.writerow([])
    # Median change from baseline (follow-up minus baseline, in the measure's units) and its
    # quartiles, per window and analysis: under 10 counts only; in an export shown only beside
    # shown improved, unchanged and worse counts (outcomes/report.py), else "hidden".
    writer.writerow(["window", "analysis", "median change", "lower quartile", "upper quartile", "n"])
    for w in report.windows:
        for summary in (w.all_starters, w.completers):
            writer.writerow([_(w.window.label), _(summary.label), *spread_cells(summary)])
    writer.writerow([])
    # After-effects over every session of every episode started in the period (as on the page: a
    # share for the after-effects only, of the sessions with an answered check-in).
    adverse = report.adverse
    writer.writerow(["after-effects", "count", "of", "share", "ci95_low", "ci95_high"])
    writer.writerow([_("Sessions"), total_text(adverse.sessions, adverse.sessions_protects), "", "", "", ""])
    for label, count, with_share in (
        (_("Check-ins answered"), adverse.checkins_answered, False),
        (_("Sessions with an after-effect reported (of answered check-ins)"), adverse.after_effects, True),
        (_("Needed medical care afterwards (serious)"), adverse.serious, False),
    ):
        writer.writerow(adverse_cells(label, count, with_share=with_share))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{practice.slug}-outcomes-{shown["concern"]}.csv"'
    return response
