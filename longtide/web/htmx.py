"""HTMX request detection (django-htmx sets request.htmx; this keeps views typed)."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request (and so wants only the fragment)."""
    return bool(getattr(request, "htmx", False))
