"""The clinic's public site and the online booking pages (anonymous visitors)."""

from django.urls import path

from longtide.web.public import booking, media, site, waitlist

urlpatterns = [
    path("", site.root, name="root"),
    # Uploads: only practitioners' photos are public (web/public/media.py); MEDIA_URL is "media/".
    path("media/practitioners/<str:name>", media.practitioner_photo, name="practitioner-photo"),
    path("p/<slug:practice_slug>/", site.home, name="home"),
    path("p/<slug:practice_slug>/practitioners/", site.practitioners, name="practitioners"),
    path("p/<slug:practice_slug>/practitioners/<slug:slug>/", site.practitioner, name="practitioner"),
    path("p/<slug:practice_slug>/services/", site.services, name="services"),
    # Online booking: service → practitioner → time → details → confirmed.
    path("p/<slug:practice_slug>/book/", booking.choose_service, name="book"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/", booking.choose_practitioner, name="book-practitioner"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/times/", booking.choose_time, name="book-times"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/details/", booking.details, name="book-details"),
    path("p/<slug:practice_slug>/booking-request/<str:key>/", booking.requested, name="book-requested"),
    # The waitlist: join (public), then the private emailed link to confirm or leave.
    path("p/<slug:practice_slug>/waitlist/", waitlist.join_waitlist, name="waitlist"),
    path("p/<slug:practice_slug>/waitlist/sent/", waitlist.sent, name="waitlist-sent"),
    path("p/<slug:practice_slug>/waitlist/<str:token>/", waitlist.show, name="waitlist-entry"),
    path("p/<slug:practice_slug>/waitlist/<str:token>/confirm/", waitlist.confirm, name="waitlist-confirm"),
    path("p/<slug:practice_slug>/waitlist/<str:token>/leave/", waitlist.leave_waitlist, name="waitlist-leave"),
]
