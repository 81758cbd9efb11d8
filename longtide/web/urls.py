"""Web pages, by who uses them: the public site and booking, the client's links, the staff area."""

from django.urls import include, path

urlpatterns = [
    path("", include("longtide.web.public.urls")),
    path("", include("longtide.web.client.urls")),
    path("", include("longtide.web.staff.urls")),
]
