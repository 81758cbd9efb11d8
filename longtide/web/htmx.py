"""HTMX request detection (django-htmx sets request.htmx; this keeps views typed)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request and wants only the fragment. A history restore (the
    back button, with htmx's history cache off) is sent by HTMX but needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render the template's `fragment` (a partial) for an HTMX swap, else the whole page. The answer
    varies with HX-Request, so that no cache hands the fragment to a plain visit (or the reverse)."""
    response = render(request, f"{template}#{fragment}" if is_htmx(request) else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
