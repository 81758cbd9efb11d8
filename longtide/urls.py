from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from longtide.api.v1 import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("longtide.web.urls")),
]
