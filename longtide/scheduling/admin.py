"""Admin for hours, exceptions and time off (scoped to the user's practices). Appointments are
booked, moved and cancelled in the staff calendar, through the booking actions; the admin shows
them read-only so no edit can bypass the overlap rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from longtide.practice.admin import PracticeScopedAdmin
from longtide.scheduling.models import Appointment, HoursException, TimeOff, WorkingHours


@admin.register(WorkingHours)
class WorkingHoursAdmin(PracticeScopedAdmin):
    practice_path = "practitioner__practice"
    list_display = ["practitioner", "location", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]


@admin.register(HoursException)
class HoursExceptionAdmin(PracticeScopedAdmin):
    practice_path = "practitioner__practice"
    list_display = ["practitioner", "date", "available", "start_time", "end_time", "reason"]


@admin.register(TimeOff)
class TimeOffAdmin(PracticeScopedAdmin):
    practice_path = "practitioner__practice"
    list_display = ["practitioner", "start", "end", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(PracticeScopedAdmin):
    list_display = ["start", "practitioner", "room", "service", "status", "source"]
    list_filter = ["status", "source"]
    exclude = ["manage_token_hash", "idempotency_key", "note"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
