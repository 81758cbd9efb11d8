"""The staff area (signed-in practice members): calendar, appointments."""

from django.contrib.auth import views as auth_views
from django.urls import path

from longtide.web.staff import calendar, home

urlpatterns = [
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="web/staff/login.html", redirect_authenticated_user=True),
        name="staff-login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/", home.home, name="staff-home"),
    path("staff/<slug:practice_slug>/calendar/", calendar.day_or_week, name="staff-calendar"),
    path("staff/<slug:practice_slug>/appointments/new/", calendar.new_appointment, name="staff-book"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/", calendar.appointment, name="staff-appointment"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/move/", calendar.move, name="staff-move"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/cancel/", calendar.cancel, name="staff-cancel"),
    path("staff/<slug:practice_slug>/appointments/<int:pk>/mark/", calendar.mark, name="staff-mark"),
]
