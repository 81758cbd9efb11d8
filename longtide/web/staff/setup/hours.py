"""Working hours: the weekly pattern per location with a preview of the bookable week, dated exceptions
and time off. Every change goes through scheduling/hours.py, which refuses to orphan booked
appointments silently: the page lists them and asks before saving."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.lib.bounds import parse_id
from longtide.lib.weeks import calendar_week
from longtide.practice.models import Location, Practice, Practitioner, Service
from longtide.scheduling.availability import WeeklyHours
from longtide.scheduling.hours import (
    HoursConflict,
    add_hours_exception,
    add_time_off,
    appointments_outside_hours,
    remove_hours_exception,
    remove_time_off,
    replace_weekly_hours,
)
from longtide.scheduling.hours import working_time_by_location as working_time
from longtide.scheduling.models import Appointment, HoursException, TimeOff
from longtide.scheduling.search import search_slots
from longtide.web.bad_input import FORM_TO_FIX, form_status
from longtide.web.staff.calendar_grid import practice_zone
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.hours_forms import (
    ExceptionForm,
    PreviewQuery,
    TimeOffForm,
    WeeklyHoursForm,
    label_time,
    week_heading,
)
from longtide.web.times import Day, day_label, group_by_day, time_label, when_label


def _location(practice: Practice, raw: str | None) -> Location | None:
    locations = practice.locations.all()
    if raw and (pk := parse_id(raw)) is not None:
        return get_object_or_404(locations, pk=pk)
    return locations.first()


def _listed(appointments: list[Appointment]) -> list[dict[str, Any]]:
    """The affected appointments as the page shows them: in their location's time zone, with a link."""
    return [
        {
            "appointment": a,
            "when": when_label(a.start, a.location.zone),
            "url": reverse("staff-appointment", args=[a.practice.slug, a.pk]),
        }
        for a in appointments
    ]


@owner_page()
def weekly_hours(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk)
    location = _location(practice, request.POST.get("location") or request.GET.get("location"))
    if location is None:
        return render(
            request,
            "web/staff/settings/hours.html",
            {"practice": practice, "section": "practitioners", "person": person},
        )
    now = timezone.now()
    saved = [WeeklyHours(h.weekday, h.start_time, h.end_time) for h in person.working_hours.filter(location=location)]
    form = WeeklyHoursForm(request.POST or None, saved=saved)
    conflict: list[Appointment] = []
    if request.method == "POST" and form.is_valid():
        try:
            left_out = replace_weekly_hours(
                practitioner=person,
                location=location,
                hours=form.hours,
                now=now,
                confirmed=form.cleaned_data["confirm"],
            )
        except HoursConflict as error:
            conflict = error.appointments
        else:
            messages.success(
                request,
                _("Saved %(name)s's hours at %(location)s.") % {"name": person.display_name, "location": location.name},
            )
            if left_out:
                messages.warning(
                    request,
                    _("%(n)d booked appointment(s) are now outside working hours; they are listed below.")
                    % {"n": len(left_out)},
                )
            return redirect(f"{request.path}?location={location.pk}")
    context = {
        "practice": practice,
        "section": "practitioners",
        "person": person,
        "location": location,
        "locations": practice.locations.all(),
        "zone_name": location.time_zone,
        "form": form,
        "conflict": _listed(conflict),
        "outside": _listed(appointments_outside_hours(person, now=now)) if not conflict else [],
        **_preview(request, practice, person, location, now),
    }
    # Hours that would leave booked appointments outside them save nothing until confirmed: the form
    # as sent is not accepted (422, like any settings form to fix), the page lists them and offers "Save anyway".
    status = FORM_TO_FIX if conflict else form_status(form)
    return render(request, "web/staff/settings/hours.html", context, status=status)


def _preview_url(location: Location, monday: date | None, service: Service | None) -> str:
    query: dict[str, str | int] = {"location": location.pk, "week": monday.isoformat() if monday else ""}
    if service is not None:
        query["service"] = service.pk
    return "?" + urlencode(query)


def _preview(
    request: HttpRequest, practice: Practice, person: Practitioner, location: Location, now: datetime
) -> dict[str, Any]:
    """The week as clients would see it online: working time per day and the free start times."""
    zone = location.zone
    today = now.astimezone(zone).date()
    query = PreviewQuery(person, request.GET or None)
    monday, service = query.values(today)
    week = calendar_week(monday)
    days = week.days
    working = working_time([person.pk], days[0], days[-1]).get((person.pk, location.pk), [])
    grouped: list[Day] = []
    if service is not None:
        # As clients would see it: nothing when the practitioner is not active.
        found = search_slots(
            practice=practice,
            service=service,
            practitioner_id=person.pk,
            first_day=days[0],
            last_day=days[-1],
            now=now,
        )
        slots = [s for s in found.slots if found.location_of.get(s.room_id) == location.pk]
        grouped = group_by_day(slots, zone, days, {person.pk: person.display_name})
    else:
        grouped = [Day(d, day_label(d)) for d in days]
    preview_days = []
    for day in grouped:
        start = datetime.combine(day.day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day.day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        spans = [
            f"{time_label(max(i.start, start), zone)}–{time_label(min(i.end, end), zone)}"
            for i in working
            if i.start < end and i.end > start
        ]
        preview_days.append({"day": day, "working": spans})
    horizon_end = (now + practice.horizon).astimezone(zone).date()
    return {
        "preview_query": query,
        "preview_service": service,
        "preview_days": preview_days,
        "preview_title": week_heading(monday),
        "preview_prev_url": _preview_url(location, week.previous, service),
        "preview_next_url": _preview_url(location, week.following, service),
        "preview_beyond_horizon": days[-1] > horizon_end,
        "preview_horizon_end": day_label(horizon_end),
    }


def _time_off_zone(practice: Practice, person: Practitioner) -> ZoneInfo:
    hours = person.working_hours.select_related("location").first()
    return hours.location.zone if hours else practice_zone(practice)


@owner_page()
def time_off(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk)
    zone = _time_off_zone(practice, person)
    now = timezone.now()
    today = now.astimezone(zone).date()
    action = request.POST.get("action") if request.method == "POST" else None
    exception_form = ExceptionForm(
        person, today, request.POST if action == "exception" else None, initial={"location": practice.locations.first()}
    )
    off_form = TimeOffForm(zone, today, request.POST if action == "time_off" else None)
    conflict: list[Appointment] = []
    if action == "exception" and exception_form.is_valid():
        data = exception_form.cleaned_data
        try:
            with transaction.atomic():
                _lock_person(person)
                if not _same_exception(person, data).exists():  # else a double submit: answered as the first was
                    add_hours_exception(
                        practitioner=person,
                        day=data["day"],
                        available=data["kind"] == "extra",
                        start=data["start"],
                        end=data["end"],
                        location=data["location"] if data["kind"] == "extra" else None,
                        reason=data["reason"],
                        now=now,
                        confirmed=data["confirm"],
                    )
        except HoursConflict as error:
            conflict = error.appointments
        else:
            messages.success(request, _("Saved the change on %(day)s.") % {"day": day_label(data["day"])})
            return redirect(request.path)
    if action == "time_off" and off_form.is_valid():
        data = off_form.cleaned_data
        same = TimeOff.objects.filter(practitioner=person, start=data["start"], end=data["end"], reason=data["reason"])
        try:
            with transaction.atomic():
                _lock_person(person)
                if not same.exists():  # else a double submit: answered as the first was
                    add_time_off(
                        practitioner=person,
                        start=data["start"],
                        end=data["end"],
                        reason=data["reason"],
                        now=now,
                        confirmed=data["confirm"],
                    )
        except HoursConflict as error:
            conflict = error.appointments
        else:
            messages.success(request, _("Saved the time off."))
            return redirect(request.path)
    context = {
        "practice": practice,
        "section": "practitioners",
        "person": person,
        "zone_name": str(zone),
        "exception_form": exception_form,
        "off_form": off_form,
        "action": action,
        "conflict": _listed(conflict),
        "exceptions": _exceptions(person, today),
        "time_off": _time_off_rows(person, zone, now),
    }
    status = FORM_TO_FIX if conflict else form_status(exception_form, off_form)  # not saved until confirmed
    return render(request, "web/staff/settings/time_off.html", context, status=status)


def _lock_person(person: Practitioner) -> None:
    """Hold the practitioner's row until the transaction ends: the lock scheduling/hours.py's changes
    take, taken here before the double-submit check, so the check and the insert are one step (two
    simultaneous posts of the same exception or time off both passed an unlocked check and both
    added it). On SQLite the IMMEDIATE transaction alone serializes them."""
    list(Practitioner.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


def _same_exception(person: Practitioner, data: dict[str, Any]) -> QuerySet[HoursException]:
    """The exception this form would add, if it is already there (every field the same)."""
    extra = data["kind"] == "extra"
    return person.hours_exceptions.filter(
        date=data["day"],
        available=extra,
        start_time=data["start"],
        end_time=data["end"],
        location=data["location"] if extra else None,
        reason=data["reason"],
    )


def _exceptions(person: Practitioner, today: date) -> list[dict[str, Any]]:
    rows = []
    for exception in (
        person.hours_exceptions.filter(date__gte=today).select_related("location").order_by("date", "start_time")
    ):
        if exception.start_time and exception.end_time:
            span = f"{label_time(exception.start_time)}–{label_time(exception.end_time)}"
        else:
            span = _("whole day")
        kind = _("Extra hours at %(place)s") % {"place": exception.location} if exception.available else _("Off")
        rows.append({"exception": exception, "day": day_label(exception.date), "span": span, "kind": kind})
    return rows


def _time_off_rows(person: Practitioner, zone: ZoneInfo, now: datetime) -> list[dict[str, Any]]:
    return [
        {"off": off, "start": when_label(off.start, zone), "end": when_label(off.end, zone)}
        for off in TimeOff.objects.filter(practitioner=person, end__gt=now).order_by("start")
    ]


@owner_page()
@require_POST
def exception_delete(request: HttpRequest, practice: Practice, pk: int, exception_pk: int) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk)
    get_object_or_404(person.hours_exceptions, pk=exception_pk)
    try:
        remove_hours_exception(
            practitioner=person,
            exception_id=exception_pk,
            now=timezone.now(),
            confirmed=bool(request.POST.get("confirm")),
        )
    except HoursConflict as error:
        messages.error(
            request,
            _(
                "Removing these extra hours would leave %(n)d booked appointment(s) outside working hours; "
                "move or cancel them first."
            )
            % {"n": len(error.appointments)},
        )
    else:
        messages.success(request, _("Removed the change."))
    return redirect("settings-time-off", practice.slug, person.pk)


@owner_page()
@require_POST
def time_off_delete(request: HttpRequest, practice: Practice, pk: int, off_pk: int) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk)
    if not remove_time_off(practitioner=person, time_off_id=off_pk, now=timezone.now()):
        raise Http404
    messages.success(request, _("Removed the time off."))
    return redirect("settings-time-off", practice.slug, person.pk)
