"""The client's private links (a token in the URL, no login): manage a booking, fill in the intake."""

from django.urls import path

from longtide.web.client import checkin, diary_offline, feed, intake, manage, outcomes, progress

urlpatterns = [
    path("p/<slug:practice_slug>/manage/<str:token>/", manage.show, name="manage-booking"),
    path("p/<slug:practice_slug>/manage/<str:token>/confirm/", manage.confirm, name="manage-confirm"),
    path("p/<slug:practice_slug>/manage/<str:token>/release/", manage.release, name="manage-release"),
    path("p/<slug:practice_slug>/manage/<str:token>/cancel/", manage.cancel, name="manage-cancel"),
    path("p/<slug:practice_slug>/manage/<str:token>/appointment.ics", manage.calendar, name="manage-calendar"),
    path("p/<slug:practice_slug>/manage/<str:token>/reschedule/", manage.reschedule, name="manage-reschedule"),
    # A practitioner's private calendar feed (scheduling/feeds.py): no practice in the address.
    path("calendar-feed/<str:token>.ics", feed.calendar_feed, name="calendar-feed"),
    path("p/<slug:practice_slug>/manage/<str:token>/intake/", intake.from_booking, name="manage-intake"),
    path("p/<slug:practice_slug>/manage/<str:token>/check-in/", checkin.checkin, name="manage-checkin"),
    path("p/<slug:practice_slug>/manage/<str:token>/progress/", progress.progress, name="manage-progress"),
    path(
        "p/<slug:practice_slug>/manage/<str:token>/progress/print/",
        progress.progress_report,
        name="manage-progress-print",
    ),
    path("p/<slug:practice_slug>/manage/<str:token>/anything-new/", intake.anything_new, name="manage-anything-new"),
    path("p/<slug:practice_slug>/intake/<str:token>/", intake.start, name="intake-start"),
    path("p/<slug:practice_slug>/intake/<str:token>/done/", intake.done, name="intake-done"),
    path("p/<slug:practice_slug>/intake/<str:token>/sign-again/", intake.sign_again, name="intake-sign-again"),
    path("p/<slug:practice_slug>/intake/<str:token>/<slug:step>/", intake.step, name="intake-step"),
    path("p/<slug:practice_slug>/questions/<str:token>/", outcomes.questionnaire, name="outcomes-questionnaire"),
    path("p/<slug:practice_slug>/diary/<str:token>/", outcomes.diary, name="outcomes-diary"),
    path(
        "p/<slug:practice_slug>/diary/<str:token>/reminders/",
        outcomes.diary_reminders,
        name="outcomes-diary-reminders",
    ),
    # The diary offline (client/diary_offline.py): all under the diary's address, the worker's scope.
    path("p/<slug:practice_slug>/diary/<str:token>/sw.js", diary_offline.worker, name="outcomes-diary-worker"),
    path(
        "p/<slug:practice_slug>/diary/<str:token>/manifest.webmanifest",
        diary_offline.manifest,
        name="outcomes-diary-manifest",
    ),
    path("p/<slug:practice_slug>/diary/<str:token>/offline/", outcomes.diary_shell, name="outcomes-diary-shell"),
    path("p/<slug:practice_slug>/diary/<str:token>/sync/", diary_offline.sync, name="outcomes-diary-sync"),
    path("p/<slug:practice_slug>/diary/<str:token>/<str:day>/", outcomes.diary_day, name="outcomes-diary-day"),
]
