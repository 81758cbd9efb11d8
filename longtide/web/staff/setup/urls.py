"""The settings area: /staff/<practice>/settings/…"""

from django.urls import path

from longtide.web.staff.setup import (
    hours,
    intake_pages,
    licences,
    locations,
    note_checklists,
    note_fields,
    outcome_settings,
    overview,
    practice_pages,
    practitioners,
    services,
    team,
)

urlpatterns = [
    path("", overview.overview, name="settings-overview"),
    path("practice/", practice_pages.details, name="settings-practice"),
    path("policies/", practice_pages.policies, name="settings-policies"),
    path("home-page/", practice_pages.home_page, name="settings-home-page"),
    path("outcomes/", outcome_settings.outcome_settings, name="settings-outcomes"),
    path("intake/", intake_pages.intake_settings, name="settings-intake"),
    path("intake/questions/", intake_pages.questions, name="settings-intake-questions"),
    path("intake/consent/<slug:kind>/", intake_pages.consent_document, name="settings-consent-document"),
    path("locations/", locations.location_list, name="settings-locations"),
    path("locations/new/", locations.location_edit, name="settings-location-new"),
    path("locations/<int:pk>/", locations.location_edit, name="settings-location"),
    path("locations/<int:location_pk>/rooms/new/", locations.room_edit, name="settings-room-new"),
    path("rooms/<int:pk>/", locations.room_edit, name="settings-room"),
    path("services/", services.service_list, name="settings-services"),
    path("services/new/", services.service_edit, name="settings-service-new"),
    path("services/<int:pk>/", services.service_edit, name="settings-service"),
    path("services/<int:pk>/move/", services.service_move, name="settings-service-move"),
    path("services/<int:pk>/delete/", services.service_delete, name="settings-service-delete"),
    path("practitioners/", practitioners.practitioner_list, name="settings-practitioners"),
    path("practitioners/new/", practitioners.practitioner_edit, name="settings-practitioner-new"),
    path("practitioners/<int:pk>/", practitioners.practitioner_edit, name="settings-practitioner"),
    path("practitioners/<int:pk>/move/", practitioners.practitioner_move, name="settings-practitioner-move"),
    path("practitioners/<int:pk>/hours/", hours.weekly_hours, name="settings-hours"),
    path("practitioners/<int:pk>/time-off/", hours.time_off, name="settings-time-off"),
    path(
        "practitioners/<int:pk>/time-off/exceptions/<int:exception_pk>/delete/",
        hours.exception_delete,
        name="settings-exception-delete",
    ),
    path(
        "practitioners/<int:pk>/time-off/<int:off_pk>/delete/", hours.time_off_delete, name="settings-time-off-delete"
    ),
    path("outcomes/licensed/", licences.licence_list, name="settings-licences"),
    path("outcomes/licensed/<slug:instrument_id>/", licences.licence_edit, name="settings-licence"),
    path("note-checklists/", note_checklists.note_checklists, name="settings-note-checklists"),
    path("note-fields/", note_fields.note_fields, name="settings-note-fields"),
    path("staff/", team.staff_list, name="settings-staff"),
    path("staff/invited/", team.staff_pending, name="settings-staff-pending"),
    path("staff/<int:pk>/role/", team.staff_role, name="settings-staff-role"),
    path("staff/<int:pk>/remove/", team.staff_remove, name="settings-staff-remove"),
    path("staff/<int:pk>/resend/", team.staff_resend, name="settings-staff-resend"),
]
