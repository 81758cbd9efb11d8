"""JSON API v1. Endpoints are thin: they call the same queries and actions as the HTML views."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from longtide.api import errors
from longtide.api.bookings import router as bookings_router
from longtide.api.outcomes import router as outcomes_router
from longtide.api.public import router as public_router
from longtide.api.staff import router as staff_router

api = NinjaAPI(
    title="Longtide API",
    version="1",
    description="Public and client endpoints of a Longtide clinic, and staff endpoints (tag `staff`) with a "
    "staff API token as `Authorization: Bearer <token>` (`longtide token create`). Errors are JSON: "
    '`{"detail": "...", "code": "...", "errors": {"field": ["..."]}}`. Request bodies are JSON with '
    "`Content-Type: application/json` (anything else: 415 `unsupported_media_type`); a boolean is JSON `true` or "
    '`false`, never "yes" or 1.',
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=errors.JsonParser(),
)
errors.install(api)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not found."), "code": "not_found"}, status=404)


api.add_router("/", public_router)
api.add_router("/", bookings_router)
api.add_router("/", staff_router)
api.add_router("/", outcomes_router)
