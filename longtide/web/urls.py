from django.contrib.auth import views as auth_views
from django.urls import path

from longtide.web import public, staff

urlpatterns = [
    path("", public.root, name="root"),
    path("p/<slug:practice_slug>/", public.home, name="home"),
    path("p/<slug:practice_slug>/practitioners/", public.practitioners, name="practitioners"),
    path("p/<slug:practice_slug>/practitioners/<slug:slug>/", public.practitioner, name="practitioner"),
    path("p/<slug:practice_slug>/services/", public.services, name="services"),
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="web/staff/login.html", redirect_authenticated_user=True),
        name="staff-login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/", staff.home, name="staff-home"),
]
