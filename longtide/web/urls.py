from django.contrib.auth import views as auth_views
from django.urls import path

from longtide.web import booking, calendar, manage, public, staff

urlpatterns = [
    path("", public.root, name="root"),
    path("p/<slug:practice_slug>/", public.home, name="home"),
    path("p/<slug:practice_slug>/practitioners/", public.practitioners, name="practitioners"),
    path("p/<slug:practice_slug>/practitioners/<slug:slug>/", public.practitioner, name="practitioner"),
    path("p/<slug:practice_slug>/services/", public.services, name="services"),
    # Online booking: service → practitioner → time → details → confirmed.
    path("p/<slug:practice_slug>/book/", booking.choose_service, name="book"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/", booking.choose_practitioner, name="book-practitioner"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/times/", booking.choose_time, name="book-times"),
    path("p/<slug:practice_slug>/book/<slug:service_slug>/details/", booking.details, name="book-details"),
    # The client's private manage link.
    path("p/<slug:practice_slug>/manage/<str:token>/", manage.show, name="manage-booking"),
    path("p/<slug:practice_slug>/manage/<str:token>/cancel/", manage.cancel, name="manage-cancel"),
    path("p/<slug:practice_slug>/manage/<str:token>/reschedule/", manage.reschedule, name="manage-reschedule"),
    # Staff.
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="web/staff/login.html", redirect_authenticated_user=True),
        name="staff-login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/", staff.home, name="staff-home"),
    path("staff/<slug:practice_slug>/calendar/", calendar.day_or_week, name="staff-calendar"),
    path("staff/<slug:practice_slug>/appointments/new/", calendar.new_appointment, name="staff-book"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/", calendar.appointment, name="staff-appointment"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/move/", calendar.move, name="staff-move"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/cancel/", calendar.cancel, name="staff-cancel"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/mark/", calendar.mark, name="staff-mark"),
]
