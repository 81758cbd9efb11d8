"""Admin for practice configuration, scoped: staff see and edit only their own practices."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from longtide.practice.models import Location, Practice, Practitioner, Role, Room, Service, StaffMembership


class PracticeScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Filter rows and foreign-key choices to the user's practices; only owners may change."""

    practice_path = "practice"

    def _practice_ids(self, request: HttpRequest, owner_only: bool = False) -> QuerySet[Practice, int]:
        practices = Practice.objects.for_user(request.user)
        if owner_only and not request.user.is_superuser:
            practices = practices.filter(memberships__user_id=int(request.user.pk or 0), memberships__role=Role.OWNER)
        return practices.values_list("pk", flat=True)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.practice_path}__in": self._practice_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser or self._practice_ids(request, owner_only=True).exists()

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_field(field, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_field(field, request)
        return field

    def _scope_field(self, field: Any, request: HttpRequest) -> None:
        if field is None or request.user.is_superuser:
            return
        model = field.queryset.model
        owned = self._practice_ids(request, owner_only=True)
        if model is Practice:
            field.queryset = field.queryset.filter(pk__in=owned)
        elif model in (Location, Practitioner, Service):
            field.queryset = field.queryset.filter(practice__in=owned)
        elif model is Room:
            field.queryset = field.queryset.filter(location__practice__in=owned)


@admin.register(Practice)
class PracticeAdmin(PracticeScopedAdmin):
    practice_path = "pk"
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
        ("Clinical records", {"fields": ["shared_care", "episode_inactivity_days", "retention_rule"]}),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Location)
class LocationAdmin(PracticeScopedAdmin):
    list_display = ["name", "practice", "city", "time_zone"]


@admin.register(Room)
class RoomAdmin(PracticeScopedAdmin):
    practice_path = "location__practice"
    list_display = ["name", "location", "active"]


@admin.register(Practitioner)
class PractitionerAdmin(PracticeScopedAdmin):
    list_display = ["display_name", "practice", "style", "credentials", "active"]
    list_filter = ["style"]
    prepopulated_fields = {"slug": ["display_name"]}


@admin.register(Service)
class ServiceAdmin(PracticeScopedAdmin):
    list_display = ["name", "practice", "duration_minutes", "price", "is_first_visit", "active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["practitioners", "rooms"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(PracticeScopedAdmin):
    list_display = ["user", "practice", "role"]
