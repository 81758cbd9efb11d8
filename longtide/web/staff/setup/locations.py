"""Locations (address and time zone) and their rooms."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from longtide.practice.models import Location, Practice, Practitioner, Room
from longtide.scheduling.hours import appointments_outside_hours
from longtide.scheduling.models import Appointment
from longtide.web.bad_input import FORM_TO_FIX, form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.hours import _listed
from longtide.web.staff.setup.practice_forms import LocationForm, RoomForm, lock_practice


@owner_page()
def location_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    locations = practice.locations.prefetch_related("rooms")
    return render(
        request,
        "web/staff/settings/locations.html",
        {"practice": practice, "section": "locations", "locations": locations},
    )


def _outside_hours_at(location: Location) -> dict[int, Appointment]:
    """The upcoming booked appointments outside working time of the practitioners with hours at the
    location, as the database holds it now."""
    now = timezone.now()
    people = Practitioner.objects.filter(working_hours__location=location).distinct()
    return {a.pk: a for person in people for a in appointments_outside_hours(person, now=now)}


@owner_page()
def location_edit(request: HttpRequest, practice: Practice, pk: int | None = None) -> HttpResponse:
    location = get_object_or_404(practice.locations, pk=pk) if pk else Location(practice=practice)
    form = LocationForm(request.POST or None, instance=location)
    conflict: list[Appointment] = []
    if request.method == "POST" and form.is_valid():
        zone_changed = bool(pk) and "time_zone" in form.changed_data
        # A new time zone keeps the working hours' clock times and the appointments' moments, so
        # booked sessions can fall outside the hours: as with a change of hours, nothing is saved
        # until the owner has seen which and saves anyway (found by a review: it saved at once).
        with transaction.atomic():
            lock_practice(practice)  # the name checked again and saved under one lock
            if form.name_still_free():
                before = _outside_hours_at(location) if zone_changed else {}
                saved = form.save()
                if zone_changed and request.POST.get("confirm") != "1":
                    conflict = [a for key, a in _outside_hours_at(saved).items() if key not in before]
                    if conflict:
                        transaction.set_rollback(True)
    if conflict:
        context = {
            "practice": practice,
            "section": "locations",
            "form": form,
            "location": location,
            "rooms": location.rooms.all(),
            "conflict": _listed(conflict),
        }
        return render(request, "web/staff/settings/location_form.html", context, status=FORM_TO_FIX)
    if request.method == "POST" and form.is_valid():
        messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
        if zone_changed:
            messages.warning(
                request,
                _(
                    "The time zone changed: working hours keep their clock times in the new zone, "
                    "and booked appointments keep their moment in time."
                ),
            )
        if not pk and not saved.rooms.exists():
            return redirect("settings-room-new", practice.slug, saved.pk)
        return redirect("settings-location", practice.slug, saved.pk)
    context = {
        "practice": practice,
        "section": "locations",
        "form": form,
        "location": location if pk else None,
        "rooms": location.rooms.all() if pk else [],
    }
    return render(request, "web/staff/settings/location_form.html", context, status=form_status(form))


@owner_page()
def room_edit(
    request: HttpRequest, practice: Practice, location_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    if pk:
        room = get_object_or_404(Room.objects.filter(location__practice=practice).select_related("location"), pk=pk)
    else:
        location = get_object_or_404(practice.locations, pk=location_pk)
        room = Room(location=location, sort_order=location.rooms.count())
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            lock_practice(practice)  # the name checked again and saved under one lock
            saved = form.save() if form.name_still_free() else None
        if saved is not None:
            messages.success(request, _("Saved the room %(name)s.") % {"name": saved.name})
            return redirect("settings-location", practice.slug, saved.location_id)
    context = {
        "practice": practice,
        "section": "locations",
        "form": form,
        "room": room if pk else None,
        "location": room.location,
    }
    return render(request, "web/staff/settings/room_form.html", context, status=form_status(form))
