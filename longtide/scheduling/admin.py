"""Admin for hours, exceptions and time off (the operator's tool, see practice/admin.py).
Appointments are booked, moved and cancelled in the staff calendar, through the booking actions;
the admin shows them read-only, without the client or the note, so no edit can bypass the overlap
rules and no list can be searched, filtered or sorted by private data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from longtide.practice.admin import OperatorAdmin
from longtide.scheduling.models import Appointment, HoursException, TimeOff, WorkingHours


@admin.register(WorkingHours)
class WorkingHoursAdmin(OperatorAdmin):
    list_display = ["practitioner", "location", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]


@admin.register(HoursException)
class HoursExceptionAdmin(OperatorAdmin):
    list_display = ["practitioner", "date", "available", "start_time", "end_time", "reason"]


@admin.register(TimeOff)
class TimeOffAdmin(OperatorAdmin):
    list_display = ["practitioner", "start", "end", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(OperatorAdmin):
    list_display = ["start", "practitioner", "room", "service", "status", "source"]
    list_filter = ["status", "source"]
    fields = readonly_fields = (
        "practice",
        "location",
        "service",
        "practitioner",
        "room",
        "start",
        "end",
        "blocked_start",
        "blocked_end",
        "status",
        "source",
        "created_at",
        "updated_at",
        "cancelled_at",
        "sequence",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
