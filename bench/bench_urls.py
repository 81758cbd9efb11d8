"""Longtide's URLs plus the benchmark floors: a minimal Django JSON view that runs one query, and a hello-world view."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path

from longtide.practice.models import Practice


def minimal(request: HttpRequest, slug: str) -> JsonResponse:
    """The cheapest honest Django endpoint: same middleware, one indexed query, a small JSON body."""
    row = Practice.objects.filter(slug=slug).values("pk", "name", "slot_step_minutes").first()
    return JsonResponse({"practice": row})


def hello(request: HttpRequest) -> HttpResponse:
    """The floor for public pages: a hello-world Django view (same middleware, no query, no template)."""
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/minimal/<slug:slug>", minimal),
    path("bench/hello", hello),
    path("", include("longtide.urls")),
]
