"""The staff area (signed-in practice members): sign-in, their own account, calendar, appointments."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from longtide.web.staff import (
    account,
    audit,
    calendar,
    calendar_feed,
    chart,
    client_reminders,
    clients,
    erasure,
    home,
    intake,
    message_settings,
    notes,
    outbox,
    outcomes,
    sign_in_settings,
    signin,
    waitlist,
    welcome,
)

urlpatterns = [
    path("staff/login/", signin.StaffLoginView.as_view(), name="staff-login"),
    path("staff/login/code/", signin.login_code, name="staff-login-code"),
    path("staff/login/recovery/", signin.login_recovery, name="staff-login-recovery"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/", home.home, name="staff-home"),
    path("staff/account/", account.account, name="staff-account"),
    path("staff/account/password/", account.password_change, name="staff-password"),
    path("staff/account/two-factor/", account.two_factor_setup, name="staff-two-factor-setup"),
    path("staff/account/two-factor/recovery-codes/", account.new_recovery_codes, name="staff-recovery-codes"),
    path("staff/account/two-factor/off/", account.two_factor_off, name="staff-two-factor-off"),
    path("staff/account/sessions/<slug:handle>/end/", account.end_one_session, name="staff-session-end"),
    path("staff/account/sessions/end-others/", account.end_others, name="staff-sessions-end-others"),
    path(
        "staff/<slug:practice_slug>/settings/sign-in/", sign_in_settings.sign_in_settings, name="staff-sign-in-settings"
    ),
    # Outside /staff/<practice>/, so no practice slug can shadow it.
    path("welcome/<str:token>/", welcome.welcome, name="staff-welcome"),
    path("staff/<slug:practice_slug>/settings/", include("longtide.web.staff.setup.urls")),
    path("staff/<slug:practice_slug>/outbox/", outbox.outbox, name="staff-outbox"),
    path("staff/<slug:practice_slug>/outbox/<int:pk>/", outbox.message, name="staff-outbox-message"),
    path("staff/<slug:practice_slug>/outbox/<int:pk>/send-again/", outbox.send_again, name="staff-outbox-send-again"),
    path("staff/<slug:practice_slug>/messages/", message_settings.message_settings, name="staff-message-settings"),
    path(
        "staff/<slug:practice_slug>/messages/<str:key>/", message_settings.message_wording, name="staff-message-wording"
    ),
    path("staff/<slug:practice_slug>/clients/", clients.client_list, name="staff-clients"),
    path("staff/<slug:practice_slug>/clients/new/", clients.client_new, name="staff-client-new"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/", clients.client_page, name="staff-client"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/edit/", clients.client_edit, name="staff-client-edit"),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/reminders/",
        client_reminders.reminders,
        name="staff-client-reminders",
    ),
    path("staff/<slug:practice_slug>/clients/<int:pk>/intake/", intake.client_intake, name="staff-client-intake"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/intake/send/", intake.send_link, name="staff-intake-send"),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/intake/flags/<int:flag_pk>/acknowledge/",
        intake.acknowledge,
        name="staff-flag-acknowledge",
    ),
    path("staff/<slug:practice_slug>/audit/", audit.audit_trail, name="staff-audit"),
    path("staff/<slug:practice_slug>/audit/monthly/", audit.audit_monthly, name="staff-audit-monthly"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/chart/", chart.chart, name="staff-chart"),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/chart/break-glass/",
        chart.chart_break_glass,
        name="staff-chart-break-glass",
    ),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/chart/access/",
        chart.chart_access_report,
        name="staff-chart-access",
    ),
    path("staff/<slug:practice_slug>/clients/<int:pk>/chart/export/", chart.chart_export, name="staff-chart-export"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/chart/erase/", erasure.erase, name="staff-chart-erase"),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/chart/export.json",
        chart.chart_export_json,
        name="staff-chart-export-json",
    ),
    path("staff/<slug:practice_slug>/calendar/", calendar.day_or_week, name="staff-calendar"),
    path("staff/<slug:practice_slug>/waitlist/", waitlist.waitlist, name="staff-waitlist"),
    path("staff/<slug:practice_slug>/waitlist/<int:pk>/remove/", waitlist.remove, name="staff-waitlist-remove"),
    path("staff/<slug:practice_slug>/calendar-feed/", calendar_feed.calendar_feed, name="staff-calendar-feed"),
    path(
        "staff/<slug:practice_slug>/calendar-feed/<int:pk>/stop/",
        calendar_feed.stop_feed,
        name="staff-calendar-feed-stop",
    ),
    path("staff/<slug:practice_slug>/appointments/new/", calendar.new_appointment, name="staff-book"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/", calendar.appointment, name="staff-appointment"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/move/", calendar.move, name="staff-move"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/cancel/", calendar.cancel, name="staff-cancel"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/mark/", calendar.mark, name="staff-mark"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/note/", notes.note, name="staff-note"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/note/sign/", notes.sign, name="staff-note-sign"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/note/addenda/", notes.addendum, name="staff-note-addendum"),
    path("staff/<slug:practice_slug>/clients/<int:pk>/notes/", notes.client_notes, name="staff-client-notes"),
    path("staff/<slug:practice_slug>/notes/", notes.to_write, name="staff-notes-to-write"),
    path(
        "staff/<slug:practice_slug>/clients/<int:pk>/outcomes/",
        outcomes.client_outcomes_page,
        name="staff-client-outcomes",
    ),
    path("staff/<slug:practice_slug>/reports/outcomes/", outcomes.practice_report_page, name="staff-outcomes-report"),
    path(
        "staff/<slug:practice_slug>/reports/outcomes.csv",
        outcomes.practice_report_csv,
        name="staff-outcomes-report-csv",
    ),
]
