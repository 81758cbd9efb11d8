"""Admin for practice configuration. The admin is the operator's tool (superusers only, see
practice/access.py and web/admin_site.py); practice staff work in the staff area."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from longtide.practice.access import PRIVATE_ADMIN_FIELDS, may_use_admin
from longtide.practice.models import Location, Practice, Practitioner, Room, Service, StaffMembership


class OperatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every Longtide ModelAdmin: the operator only, and no query on private fields.

    The admin site already turns away everyone but the operator; these checks repeat the rule per
    model so that a ModelAdmin registered on another site cannot open a hole.

    Django allows a changelist lookup on any local field by default (`?note__icontains=migraine`
    answers "1 appointment", which reads a note letter by letter). Here only the lookups of the
    declared `list_filter` are allowed; anything else is refused with a 400.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_use_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_use_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_use_admin(request.user)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        allowed = set()
        for item in self.get_list_filter(request):
            name = item[0] if isinstance(item, (list, tuple)) else getattr(item, "parameter_name", item)
            allowed.add(str(name))
        first = lookup.split("__", 1)[0]
        private = PRIVATE_ADMIN_FIELDS.get(self.model._meta.label_lower, frozenset())
        return first in allowed and first not in private and super().lookup_allowed(lookup, value, request)


@admin.register(Practice)
class PracticeAdmin(OperatorAdmin):
    list_display = ["name", "slug", "email", "phone"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "email", "phone", "website", "currency"]}),
        (
            "Public home page",
            {"fields": ["intro", "about_cst", "styles_text", "reasons_text", "session_text", "evidence_text"]},
        ),
        (
            "Booking policies",
            {
                "fields": [
                    "min_notice_hours",
                    "booking_horizon_days",
                    "slot_step_minutes",
                    "cancellation_window_hours",
                    "new_clients_first_visit",
                    "cancellation_policy",
                ]
            },
        ),
        ("Clinical records", {"fields": ["shared_care", "retention_rule"]}),
    ]


@admin.register(Location)
class LocationAdmin(OperatorAdmin):
    list_display = ["name", "practice", "city", "time_zone"]


@admin.register(Room)
class RoomAdmin(OperatorAdmin):
    list_display = ["name", "location", "active"]


@admin.register(Practitioner)
class PractitionerAdmin(OperatorAdmin):
    list_display = ["display_name", "practice", "style", "credentials", "active"]
    list_filter = ["style"]
    prepopulated_fields = {"slug": ["display_name"]}
    # An id box, not a drop-down of every account in the deployment.
    raw_id_fields = ["user"]


@admin.register(Service)
class ServiceAdmin(OperatorAdmin):
    list_display = ["name", "practice", "duration_minutes", "price", "is_first_visit", "active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["practitioners", "rooms"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(OperatorAdmin):
    list_display = ["user", "practice", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user"]
