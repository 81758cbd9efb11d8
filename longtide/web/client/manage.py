"""The client's private manage link: confirm a booking made online, see, cancel or reschedule it.

The link reaches only the email address the booking was made with, so whoever holds it may see what
was typed and confirm the booking (docs/booking-privacy.md)."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.checkins.actions import state_for_client
from longtide.intake.status import client_panel
from longtide.lib import bounds
from longtide.lib.weeks import bookable_week
from longtide.measurement.links import live_links, path_of
from longtide.measurement.progress import has_answers
from longtide.practice.models import Practice
from longtide.scheduling.booking import (
    cancel_appointment,
    confirm_booking,
    move_appointment,
    release_hold,
)
from longtide.scheduling.booking_messages import calendar_file, visit_fields
from longtide.scheduling.booking_rules import BookingError, first_visit_services
from longtide.scheduling.manage_links import find_by_token
from longtide.scheduling.models import Appointment, Source, Status
from longtide.scheduling.search import search_slots
from longtide.web.bad_input import bad_request_page, query_without
from longtide.web.client.manage_forms import CancelForm
from longtide.web.htmx import page_or_fragment
from longtide.web.times import group_by_day, parse_day, parse_slot, when_label, zone_abbreviation


def _appointment(practice_slug: str, token: str) -> Appointment:
    appointment = find_by_token(token)
    if appointment is None or appointment.practice.slug != practice_slug:
        raise Http404(_("This link is not valid. Please use the link in your confirmation email."))
    return appointment


def contact_line(practice: Practice) -> str:
    """How to reach the practice, for the client's pages: "<phone> or <email>", either alone, or ""."""
    if practice.phone and practice.email:
        return _("%(phone)s or %(email)s") % {"phone": practice.phone, "email": practice.email}
    return practice.phone or practice.email


def _context(appointment: Appointment, token: str) -> dict[str, object]:
    zone = appointment.location.zone
    practice = appointment.practice
    now = timezone.now()
    # The client's diary and questionnaire links, like their progress, only from a booking whose
    # link still opens their own records: not from an old, cancelled or expired booking's email.
    opens_records = appointment.opens_own_records(now)
    return {
        "practice": practice,
        "appointment": appointment,
        "token": token,
        "when": when_label(appointment.start, zone),
        "hold_until": when_label(appointment.hold_until, zone) if appointment.hold_until else "",
        "may_change": appointment.client_may_change(timezone.now()),
        "contact": contact_line(practice),
        "intake": client_panel(appointment),
        "checkin": state_for_client(appointment, timezone.now()),
        "outcome_links": [{"path": path_of(link), "diary": link.is_diary} for link in live_links(appointment.client_id)]
        if opens_records
        else [],
        "outcome_progress": opens_records and has_answers(appointment.client_id),
        "google_calendar": google_calendar_link(appointment) if appointment.status == Status.BOOKED else "",
    }


def calendar(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The booked visit as an .ics to add to a calendar (PUBLISH, the same entry as the emails':
    same UID, so a later change updates it). No manage link in it: calendars are often shared."""
    appointment = _appointment(practice_slug, token)
    if appointment.status != Status.BOOKED:
        raise Http404(_("Only a booked appointment can be added to a calendar."))
    fields = visit_fields(appointment, now=timezone.now(), has_link=False)
    ics, _method = calendar_file(appointment, fields, cancelled=False)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


def google_calendar_link(appointment: Appointment) -> str:
    """A link that opens Google Calendar's "new event" form filled in with the visit (what, when,
    where; nothing clinical, no manage link)."""
    practice, location = appointment.practice, appointment.location
    stamp = "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": f"{appointment.service.name} — {practice.name}",
        "dates": f"{appointment.start.astimezone(UTC):{stamp}}/{appointment.end.astimezone(UTC):{stamp}}",
        "location": ", ".join(part for part in (location.name, location.one_line_address) if part),
        "details": _("With %(who)s. To change it, use the link in your confirmation email.")
        % {"who": appointment.practitioner.display_name},
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def show(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    appointment = _appointment(practice_slug, token)
    return render(request, "web/client/show.html", _context(appointment, token))


@require_POST
def confirm(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    appointment = _appointment(practice_slug, token)
    try:
        confirm_booking(appointment=appointment)
    except BookingError as exc:
        refused = exc.code == "first_visit_required"
        message = exc.message
        if exc.code == "hold_released" and appointment.source == Source.WAITLIST:
            message = _("Sorry, this time has gone: someone else on the waitlist took it.")
        context = {
            **_context(appointment, token),
            "error": message,
            "first_visits": first_visit_services(appointment.practice) if refused else [],
        }
        return render(request, "web/client/show.html", context, status=409)
    messages.success(
        request,
        _("You're booked. A confirmation with a calendar file is on its way to %(email)s.")
        % {"email": appointment.client.email},
    )
    return redirect("manage-booking", practice_slug=practice_slug, token=token)


@require_POST
def release(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    appointment = _appointment(practice_slug, token)
    try:
        release_hold(appointment=appointment)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The time is released and nothing is booked. Thank you for telling us."))
    return redirect("manage-booking", practice_slug=practice_slug, token=token)


def cancel(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """GET asks the client to confirm (a tap on "Cancel appointment" is easy to make by mistake);
    POST cancels within the practice's policy."""
    appointment = _appointment(practice_slug, token)
    if request.method != "POST":
        if appointment.status != Status.BOOKED:
            return redirect("manage-booking", practice_slug=practice_slug, token=token)
        return render(request, "web/client/cancel.html", {**_context(appointment, token), "form": CancelForm()})
    form = CancelForm(request.POST)
    if not form.is_valid():
        # A reason too long or with a NUL byte: say so on the same page, keeping what was typed.
        context = {**_context(appointment, token), "form": form}
        return render(request, "web/client/cancel.html", context, status=400)
    try:
        # The optional reason goes to the appointment's history (decided by the client).
        cancel_appointment(appointment=appointment, by_client=True, reason=form.cleaned_data["reason"])
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your appointment is cancelled. A confirmation email is on its way."))
    return redirect("manage-booking", practice_slug=practice_slug, token=token)


def reschedule(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    appointment = _appointment(practice_slug, token)
    practice, zone = appointment.practice, appointment.location.zone
    error = None
    if request.method == "POST":
        parsed = parse_slot(request.POST.get("slot", ""))
        if parsed is None:
            error = _("Please choose one of the free times below.")
        else:
            try:
                move_appointment(
                    appointment=appointment, start=parsed[0], by_client=True, seen=request.POST.get("seen") or None
                )
            except BookingError as exc:
                error = exc.message
            else:
                messages.success(
                    request, _("Your appointment is moved to %(when)s.") % {"when": when_label(appointment.start, zone)}
                )
                return redirect("manage-booking", practice_slug=practice_slug, token=token)
    now = timezone.now()
    today = now.astimezone(zone).date()
    last_bookable = (now + practice.horizon).astimezone(zone).date()
    asked = request.GET.get("from")
    if asked and parse_day(asked) is None:
        return bad_request_page(request, _(bounds.DATE_MESSAGE), back=query_without(request, "from"))
    week = bookable_week(parse_day(asked), today, last_bookable)
    days = week.days
    # The appointment's own practitioner, as move_appointment books it.
    found = search_slots(
        practice=practice,
        service=appointment.service,
        practitioner_id=appointment.practitioner_id,
        offered_only=False,
        first_day=days[0],
        last_day=days[-1],
        now=now,
        ignore_appointment=appointment.pk,
    )
    path = reverse("manage-reschedule", args=[practice.slug, token])
    context = {
        **_context(appointment, token),
        "error": error,
        "days": group_by_day(found.slots, zone, days, {}),
        "zone_name": zone_abbreviation(zone, days[0]),
        "prev_url": f"{path}?{urlencode({'from': week.previous.isoformat()})}" if week.previous else None,
        "next_url": f"{path}?{urlencode({'from': week.following.isoformat()})}" if week.following else None,
    }
    return page_or_fragment(request, "web/client/reschedule.html", "week", context, status=409 if error else 200)
