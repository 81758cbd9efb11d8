"""Locations (address and time zone) and their rooms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from longtide.practice.models import Location, Practice, Room
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.practice_forms import LocationForm, RoomForm


@owner_page()
def location_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    locations = practice.locations.prefetch_related("rooms")
    return render(
        request,
        "web/staff/settings/locations.html",
        {"practice": practice, "section": "locations", "locations": locations},
    )


@owner_page()
def location_edit(request: HttpRequest, practice: Practice, pk: int | None = None) -> HttpResponse:
    location = get_object_or_404(practice.locations, pk=pk) if pk else Location(practice=practice)
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        zone_changed = bool(pk) and "time_zone" in form.changed_data
        saved = form.save()
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
        saved = form.save()
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
