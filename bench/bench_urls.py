"""Longtide's URLs plus the benchmark floor: a minimal Django JSON view that runs one query."""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path

from longtide.practice.models import Practice


def minimal(request: HttpRequest, slug: str) -> JsonResponse:
    """The cheapest honest Django endpoint: same middleware, one indexed query, a small JSON body."""
    row = Practice.objects.filter(slug=slug).values("pk", "name", "slot_step_minutes").first()
    return JsonResponse({"practice": row})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/minimal/<slug:slug>", minimal),
    path("", include("longtide.urls")),
]
