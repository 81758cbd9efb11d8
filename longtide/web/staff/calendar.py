"""The staff calendar: day and week grids per practitioner or per room, an appointment's page, and
booking, moving, cancelling and marking appointments for clients — through the same booking actions
as the public flow, so every scheduling rule is applied once, in longtide/scheduling/booking.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.models import User
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from longtide.clients.directory import clean_query, search_clients
from longtide.intake.session import mark_session, session_consent
from longtide.lib.weeks import monday_of
from longtide.practice.access import (
    Perm,
    acting,
    alert_reader,
    may_override_consent,
    may_read_booking_note,
    member_required,
    role_in,
)
from longtide.practice.models import Practice, Practitioner, Room
from longtide.scheduling.booking import (
    REASON_LENGTH,
    ClientDetails,
    book_appointment,
    cancel_appointment,
    move_appointment,
)
from longtide.scheduling.booking_messages import confirmation_goes_to
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.history import ChangedBy, who
from longtide.scheduling.models import (
    Appointment,
    AppointmentEvent,
    AppointmentQuerySet,
    EventKind,
    Source,
    Status,
)
from longtide.web.bad_input import bad_request_page, query_without
from longtide.web.htmx import page_or_fragment
from longtide.web.staff.calendar_blocks import describe_columns
from longtide.web.staff.calendar_forms import (
    CalendarQuery,
    CancelForm,
    MarkForm,
    MoveForm,
    MoveSearchForm,
    PractitionerTimes,
    SlotSearchForm,
    StaffBookingForm,
    free_times,
)
from longtide.web.staff.calendar_grid import build_grid, day_sources, practice_zone, team_week_sources, week_sources
from longtide.web.staff.calendar_links import calendar_url, own_practitioner
from longtide.web.staff.checkins import checkin_panel
from longtide.web.staff.intake import appointment_panel, calendar_badges
from longtide.web.staff.notes import calendar_note_marks, note_panel
from longtide.web.staff.outbox import messages_about
from longtide.web.times import day_year_label, when_label

NOTE_WITHHELD = gettext_lazy("The client left a note for the practitioner.")


def _scoped(practice: Practice) -> AppointmentQuerySet:
    return Appointment.objects.for_practice(practice).select_related(
        "practice", "location", "service", "practitioner", "room", "client", "created_by"
    )


@member_required(Perm.SCHEDULE_VIEW)
def day_or_week(request: HttpRequest, practice: Practice) -> HttpResponse:
    zone = practice_zone(practice)
    today = timezone.now().astimezone(zone).date()
    asked = CalendarQuery(request.GET)
    if "date" in asked.data and asked.data["date"] and not asked.is_valid() and "date" in asked.errors:
        # A date no calendar can show (year 9999, 0001, 2026-02-30): say so rather than guess.
        return bad_request_page(request, str(asked.errors["date"][0]), back=query_without(request, "date"))
    query = asked.values()
    view, by, day = query["view"] or "day", query["by"] or "practitioner", query["date"] or today
    practitioner, room = None, None
    if view == "week":
        day = monday_of(day)
    if view == "week" and by == "team":
        sources = team_week_sources(practice, zone, day)
    elif view == "week":
        practitioner, room = _week_subject(request, practice, by, query)
        sources = week_sources(practice, zone, day, practitioner=practitioner, room=room)
    else:
        # A day by practitioner shows everyone side by side, or one practitioner's day ("my day").
        sources = day_sources(practice, zone, day, by="room" if by == "room" else "practitioner")
        if by != "room" and query["practitioner"]:
            practitioner = get_object_or_404(practice.practitioners.all(), pk=query["practitioner"])
            sources = [s for s in sources if s.practitioner is not None and s.practitioner.pk == practitioner.pk]
    grid = build_grid(sources, zone, today)
    shown = [b.appointment for c in grid.columns for b in c.blocks if b.appointment is not None]
    calendar_badges(request, practice, shown)
    overdue_notes = calendar_note_marks(request, practice, shown)
    # Reversed once, not once per block: a busy week has ~700 links (bench/team_week.py).
    appointment_url_prefix = reverse("staff-appointment", args=[practice.slug, 0]).removesuffix("0/")
    book_url = reverse("staff-book", args=[practice.slug])
    describe_columns(grid, view=view, by=by, book_url=book_url, appointment_url_prefix=appointment_url_prefix)
    context = {
        "practice": practice,
        "grid": grid,
        "overdue_notes": overdue_notes,
        "zone_name": str(zone),
        "appointment_url_prefix": appointment_url_prefix,
        **_navigation(
            practice,
            view=view,
            by=by,
            day=day,
            today=today,
            practitioner=practitioner,
            room=room,
            own=own_practitioner(practice, request.user),
        ),
    }
    # An HTMX navigation swaps just the grid; a history restore after a cache miss needs the page.
    return page_or_fragment(request, "web/staff/calendar.html", "calendar", context)


def _week_subject(
    request: HttpRequest, practice: Practice, by: str, query: dict[str, Any]
) -> tuple[Practitioner | None, Room | None]:
    """Return whose week to show: the one asked for, else the user's own, else the first."""
    if by == "room":
        rooms = Room.objects.filter(location__practice=practice)
        if query["room"]:
            return None, get_object_or_404(rooms, pk=query["room"])
        return None, rooms.filter(active=True).first()
    people = practice.practitioners.all()
    if query["practitioner"]:
        return get_object_or_404(people, pk=query["practitioner"]), None
    own = people.active().filter(user=request.user).first() if request.user.is_authenticated else None
    return own or people.active().first(), None


def _navigation(
    practice: Practice,
    *,
    view: str,
    by: str,
    day: date,
    today: date,
    practitioner: Practitioner | None,
    room: Room | None,
    own: Practitioner | None,
) -> dict[str, Any]:
    step = timedelta(days=7 if view == "week" else 1)
    url = _calendar_urls(practice)
    subject = {"practitioner": practitioner.pk if practitioner else None, "room": room.pk if room else None}
    # A week always has a subject; a day has one only when it is one practitioner's day.
    here = {"view": view, "by": by, **subject}
    one_day = view == "day" and practitioner is not None
    if view == "week":
        title = str(_("Week of %(day)s") % {"day": day_year_label(day)})
        if practitioner or room:
            title += f" · {practitioner.display_name if practitioner else room.name if room else ''}"
        elif by == "team":
            title += " · " + str(_("Everyone"))
    else:
        title = day_year_label(day) + (" · " + str(_("Today")) if day == today else "")
        if one_day and practitioner is not None:
            title += f" · {practitioner.display_name}"
    return {
        "view": view,
        "by": by,
        "day": day,
        "title": title,
        "earlier": _("Previous week") if view == "week" else _("Previous day"),
        "later": _("Next week") if view == "week" else _("Next day"),
        "subject_practitioner": practitioner,
        "subject_room": room,
        # Called by the template only where it lists them (a practitioner's or a room's week): building
        # the room query (a join) cost more than the rest of the navigation on every other view.
        "rooms": lambda: Room.objects.filter(location__practice=practice),
        "practitioners": lambda: practice.practitioners.all(),
        "prev_url": url(**here, date=day - step),
        "next_url": url(**here, date=day + step),
        "today_url": url(**here, date=today),
        "day_url": url(
            view="day",
            by="practitioner" if by == "team" else by,
            date=day,
            practitioner=practitioner.pk if by == "practitioner" and practitioner is not None else None,
        ),
        "week_url": url(view="week", by=by, date=day, **subject),
        "by_practitioner_url": url(view=view, by="practitioner", date=day),
        "by_room_url": url(view=view, by="room", date=day),
        "team_week_url": url(view="week", by="team", date=day),
        "one_practitioner_day": one_day,
        "my_day_url": url(view="day", by="practitioner", practitioner=own.pk, date=day) if own is not None else None,
        "is_my_day": one_day and own is not None and practitioner == own,
    }


def _calendar_urls(practice: Practice) -> Callable[..., str]:
    """Return calendar_url for this practice with the calendar's address reversed once, not once per
    link (the navigation writes nine)."""
    base = calendar_url(practice)  # no parameters: the address alone

    def url(**params: Any) -> str:
        query = urlencode({key: value for key, value in params.items() if value not in (None, "")})  # as calendar_url
        return base + (f"?{query}" if query else "")

    return url


@member_required(Perm.SCHEDULE_VIEW)
def appointment(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    found = get_object_or_404(_scoped(practice), pk=pk)
    return render(request, "web/staff/appointment.html", _appointment_context(request, practice, found))


def _appointment_context(
    request: HttpRequest,
    practice: Practice,
    found: Appointment,
    *,
    cancel_form: CancelForm | None = None,
    late_form: CancelForm | None = None,
    override_form: MarkForm | None = None,
    override_error: str = "",
) -> dict[str, Any]:
    zone = found.location.zone
    now = timezone.now()
    seen = {"seen": found.version}
    return {
        "practice": practice,
        "appointment": found,
        "zone_name": str(zone),
        "when": when_label(found.start, zone),
        "until": when_label(found.end, zone),
        "may_read_note": may_read_booking_note(request.user, practice, found.practitioner.user_id),
        "note_withheld": NOTE_WITHHELD,
        # What may be done now: the model's rules (Appointment.can_*), asked once for the buttons.
        "actions": found.allowed_actions(now),
        "mark_refusal": found.mark_refusal(now),
        "cancel_form": cancel_form or CancelForm(initial={**seen, "late": False}, prefix="cancel"),
        "late_form": late_form or CancelForm(initial={**seen, "late": True}, prefix="late"),
        "seen": found.version,
        "window_hours": practice.cancellation_window_hours,
        "history": history_rows(found, zone),
        "calendar_link": calendar_url(practice, date=found.start.astimezone(zone).date()),
        "sent_messages": messages_about(found, alert_reader(request.user, practice)),
        "intake": appointment_panel(request, practice, found),
        "session_note": note_panel(request, practice, found),
        "checkin": checkin_panel(request, practice, found),
        # Consent for this session: marking it completed needs a current treatment consent or an override.
        "session_consent": session_consent(found),
        "may_override_consent": may_override_consent(request.user, practice, found.practitioner.user_id),
        "override_form": override_form or MarkForm(initial={**seen, "status": Status.COMPLETED}),
        "override_error": override_error,
    }


def history_rows(found: Appointment, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The appointment's history for the page, oldest first, with times in the clinic's zone."""
    rows = []
    events = list(found.events.select_related("from_practitioner", "to_practitioner"))
    if not any(e.kind == EventKind.CREATED for e in events):
        # The booking itself, from the appointment's own row (booking.py records no row for it).
        first_move = next((e for e in events if e.kind == EventKind.MOVED), None)
        start = first_move.from_start if first_move and first_move.from_start else found.start
        person = first_move.from_practitioner if first_move else found.practitioner
        creator = found.created_by
        by = (creator.get_full_name() or creator.get_username()) if creator else ""
        channel = {Source.STAFF: "staff", Source.API: "api", Source.WAITLIST: "waitlist"}.get(
            Source(found.source), "online"
        )
        rows.append(
            {
                "at": found.created_at,
                "what": _("Booked"),
                "who": who(AppointmentEvent(channel=channel, by_name=by)),
                "change": _booked_for(when_label(start, zone), person),
                "decided_by": "",
                "reason": "",
            }
        )
    for event in events:
        change = ""
        if event.from_start and event.to_start:
            change = _("from %(before)s to %(after)s") % {
                "before": when_label(event.from_start, zone),
                "after": when_label(event.to_start, zone),
            }
            if event.from_practitioner_id != event.to_practitioner_id:
                change += f"; {event.from_practitioner} → {event.to_practitioner}"
        elif event.to_start:
            change = _booked_for(when_label(event.to_start, zone), event.to_practitioner)
        elif event.from_status and event.from_status != "booked" and event.kind in ("completed", "no_show"):
            change = _("was %(status)s") % {"status": Status(event.from_status).label.lower()}
        rows.append(
            {
                "at": event.at,
                "what": event.get_kind_display(),
                "who": who(event),
                "change": change,
                "decided_by": event.get_decided_by_display() if event.decided_by else "",
                "reason": event.reason,
            }
        )
    return rows


def _booked_for(when: str, person: object) -> str:
    if person:
        return _("for %(when)s with %(person)s") % {"when": when, "person": person}
    return _("for %(when)s") % {"when": when}


def _add_booking_error(form: Form, error: BookingError) -> None:
    form.add_error("slot" if error.field == "start" else None, error.message)


@member_required(Perm.SCHEDULE_BOOK)
def new_appointment(request: HttpRequest, practice: Practice) -> HttpResponse:
    zone = practice_zone(practice)
    now = timezone.now()
    booking = request.method == "POST" and request.POST.get("action") == "book"
    data = request.POST if request.method == "POST" else request.GET
    search = SlotSearchForm(practice, data, defaults=_search_defaults(practice, now.astimezone(zone).date()))
    form = StaffBookingForm(practice, request.POST if booking else None, initial=_client_initial(data))
    if booking and search.is_valid() and form.is_valid():
        start, practitioner = form.cleaned_data["slot"]
        try:
            booked = book_appointment(
                practice=practice,
                service=search.cleaned_data["service"],
                practitioner=practitioner,
                start=start,
                client=_details(form),
                note=form.cleaned_data["note"],
                source=Source.STAFF,
                by=request.user if isinstance(request.user, User) else None,
                now=now,
            )
        except BookingError as error:
            _add_booking_error(form, error)
        else:
            client = booked.appointment.client
            text = _("Booked %(client)s for %(when)s.") % {"client": client, "when": when_label(start, zone)}
            if not confirmation_goes_to(booked.appointment):
                text += " " + _("No confirmation was sent: %(client)s has no email address, so tell them the time.") % {
                    "client": client
                }
            messages.success(request, text)
            return redirect("staff-appointment", practice_slug=practice.slug, pk=booked.appointment.pk)
    client_query = clean_query(data.get("client_q", ""))
    context = {
        "practice": practice,
        "zone_name": str(zone),
        "search": search,
        "form": form,
        "chosen_client": form.chosen_client,
        "client_query": client_query,
        "client_matches": list(search_clients(practice, client_query)[:CLIENT_MATCHES]) if client_query else None,
        "chosen_slot": data.get("slot", ""),
        "times": _times_for(search, practice, zone, now),
    }
    # A search no calendar can answer (year 9999, an unknown service) says why, with what was typed.
    return render(request, "web/staff/book.html", context, status=200 if search.is_valid() else 400)


# Matches shown when booking starts from a search: enough to pick from, few enough to read.
CLIENT_MATCHES = 8


def _details(form: StaffBookingForm) -> ClientDetails:
    """The client as the booking records them: the one chosen from the list, or what was typed."""
    chosen = form.chosen_client
    if chosen is not None:
        return ClientDetails(chosen.first_name, chosen.last_name, chosen.email, chosen.phone, client_id=chosen.pk)
    return ClientDetails(**{k: form.cleaned_data[k] for k in ("first_name", "last_name", "email", "phone")})


def _search_defaults(practice: Practice, today: date) -> dict[str, Any]:
    first = practice.services.active().first()
    return {"service": first.pk if first else None, "date": today}


def _client_initial(data: Any) -> dict[str, Any]:
    """Keep what was typed across "show times" and client searches; `?client=<id>` books a client
    from the list (the form checks the id belongs to this practice)."""
    return {key: data.get(key, "") for key in ("first_name", "last_name", "email", "phone", "note", "client")}


def _times_for(search: SlotSearchForm, practice: Practice, zone: ZoneInfo, now: datetime) -> list[PractitionerTimes]:
    if not search.is_valid():
        return []
    return free_times(
        practice=practice,
        service=search.cleaned_data["service"],
        practitioner=search.cleaned_data["practitioner"],
        day=search.cleaned_data["date"],
        zone=zone,
        now=now,
    )


@member_required(Perm.SCHEDULE_BOOK)
def move(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    found = get_object_or_404(_scoped(practice), pk=pk)
    zone = found.location.zone
    now = timezone.now()
    choosing = request.method == "POST" and request.POST.get("action") == "move"
    data = request.POST if request.method == "POST" else request.GET
    local_day = max(found.start, now).astimezone(zone).date()
    search = MoveSearchForm(found.service, data, defaults={"practitioner": found.practitioner_id, "date": local_day})
    # Showing other times (or Enter in the reason field: the form's first button) keeps the reason typed.
    typed = {"reason": str(data.get("reason", ""))[:REASON_LENGTH]}
    form = MoveForm(practice, request.POST if choosing else None, initial={"seen": found.version, **typed})
    if choosing and search.is_valid() and form.is_valid():
        start, practitioner = form.cleaned_data["slot"]
        try:
            move_appointment(
                appointment=found,
                start=start,
                practitioner=practitioner,
                by_client=False,
                by=ChangedBy.staff(request.user),
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"] or None,
                now=now,
            )
        except BookingError as error:
            _add_booking_error(form, error)
        else:
            messages.success(
                request,
                _("Moved to %(when)s with %(practitioner)s.")
                % {"when": when_label(start, zone), "practitioner": practitioner},
            )
            return redirect("staff-appointment", practice_slug=practice.slug, pk=found.pk)
    refusal = found.move_refusal(now)
    times: list[PractitionerTimes] = []
    if refusal is None and search.is_valid():
        times = free_times(
            practice=practice,
            service=found.service,
            practitioner=search.cleaned_data["practitioner"],
            day=search.cleaned_data["date"],
            zone=zone,
            now=now,
            ignore_appointment=found.pk,
        )
    context = {
        "practice": practice,
        "appointment": found,
        "when": when_label(found.start, zone),
        "zone_name": str(zone),
        "search": search,
        "form": form,
        "refusal": refusal,
        "chosen_slot": data.get("slot", ""),
        "times": times,
    }
    return render(request, "web/staff/move.html", context, status=400 if form.errors or not search.is_valid() else 200)


@member_required(Perm.SCHEDULE_BOOK)
@require_POST
def cancel(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    found = get_object_or_404(_scoped(practice), pk=pk)
    late = request.POST.get("late-late") in ("True", "true", "1", "on")
    form = CancelForm(request.POST, prefix="late" if late else "cancel")
    if form.is_valid():
        try:
            cancel_appointment(
                appointment=found,
                by_client=False,
                late=late,
                reason=form.cleaned_data["reason"],
                decided_by=form.cleaned_data["decided_by"] or None,
                by=ChangedBy.staff(request.user),
                seen=form.cleaned_data["seen"] or None,
            )
        except BookingError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            if late:
                done = _("Recorded as a late cancellation.")
            elif found.status == Status.CANCELLED_CLIENT:
                done = _("Cancelled by the client.")
            else:
                done = _("Cancelled by the clinic.")
            messages.success(request, done)
            return redirect("staff-appointment", practice_slug=practice.slug, pk=found.pk)
    found.refresh_from_db()
    # The page shows the appointment as it is now: sent again, the form is judged against that (a
    # refusal for a change made meanwhile is then not repeated forever), with what was typed kept.
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    data[form.add_prefix("seen")] = found.version
    form.data = data
    context = _appointment_context(
        request, practice, found, late_form=form if late else None, cancel_form=None if late else form
    )
    return render(request, "web/staff/appointment.html", context, status=400)


@member_required(Perm.SCHEDULE_BOOK)
@require_POST
def mark(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """Mark a started session completed or no-show. Completed needs the client's current treatment
    consent, or an override (`override_reason`) by the session's practitioner or an owner
    (intake.session.mark_session; Appointment.completion_refusal)."""
    found = get_object_or_404(_scoped(practice), pk=pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        if "override_reason" in form.errors:
            return _mark_refused(request, practice, found, form, str(form.errors["override_reason"][0]))
        messages.error(request, _("Say whether the appointment was completed or a no-show."))
        return redirect("staff-appointment", practice_slug=practice.slug, pk=pk)
    reason = form.cleaned_data["override_reason"]
    if reason and not may_override_consent(request.user, practice, found.practitioner.user_id):
        return _mark_refused(
            request,
            practice,
            found,
            form,
            _("Only the session's practitioner or an owner can record that a session went ahead without consent."),
            status=403,
        )
    try:
        changed = mark_session(
            found,
            form.cleaned_data["status"],
            by=ChangedBy.staff(request.user),
            actor=acting(request, role_in(request.user, practice)),
            seen=form.cleaned_data["seen"] or None,
            override_reason=reason,
        )
    except BookingError as error:
        if error.field == "override_reason" or (reason and error.code == "consent_needed"):
            return _mark_refused(request, practice, found, form, error.message)
        messages.error(request, error.message)
    else:
        shown = {"status": found.get_status_display().lower()}
        if changed:
            messages.success(request, _("Marked %(status)s.") % shown)
        else:
            messages.info(request, _("It was already marked %(status)s, so nothing changed.") % shown)
    return redirect("staff-appointment", practice_slug=practice.slug, pk=pk)


def _mark_refused(
    request: HttpRequest, practice: Practice, found: Appointment, form: MarkForm, message: str, *, status: int = 400
) -> HttpResponse:
    """The appointment page again with the override form as typed and what to fix."""
    found.refresh_from_db()
    context = _appointment_context(request, practice, found, override_form=form, override_error=message)
    return render(request, "web/staff/appointment.html", context, status=status)
