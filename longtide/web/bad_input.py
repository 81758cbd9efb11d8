"""Bad input gets a clear answer, never a 500 (docs/security.md, "Bad input").

One layer for each class of bad input that no form owns:

- NUL bytes (``\\x00``) in the path, the query string, a header or a cookie: PostgreSQL cannot
  store them and no one types them. ``BadInputMiddleware`` answers before any view runs: 404 for
  the path (no page has such an address), 400 for the rest, as a page or, under ``/api/``, as JSON
  with the code ``null_character``. Form fields keep their own message ("Null characters are not
  allowed.", Django's validator on every CharField) so that what was typed is kept; JSON bodies are
  checked by the API's parser (api/errors.py), which names the property.
- Errors under ``/api/`` are JSON in production too: a 400, 404, 405, 413 or 500 that Django (not
  the API) answers, e.g. an unknown address or a method the endpoint does not take, is rewritten
  to ``{"detail": ..., "code": ...}``.

Dates and ids use the one rule of lib/bounds.py; ``BoundedDateField`` is its form field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from longtide.lib import bounds
from longtide.lib.text import CONTROL_MESSAGE, has_control

NUL = "\x00"
NUL_MESSAGE = gettext_noop("The address contains a null character (\\x00), which is never valid here.")
API_PREFIX = "/api/"
# The API's own pages that are not JSON.
API_NOT_JSON = ("/api/v1/docs",)

# Details in English as written here; gettext translates them when answered.
API_CODES = {
    400: ("bad_request", gettext_noop("The request is not valid.")),
    401: ("unauthenticated", gettext_noop("Sign in first.")),
    403: ("forbidden", gettext_noop("You may not do this.")),
    404: ("not_found", gettext_noop("Not found.")),
    405: ("method_not_allowed", gettext_noop("This address does not take that method.")),
    413: ("too_large", gettext_noop("The request is too large.")),
    429: ("rate_limited", gettext_noop("Too many requests; try again later.")),
    500: (
        "server_error",
        gettext_noop("Something went wrong on our side. Nothing was changed; try again in a minute."),
    ),
}


class BoundedDateField(forms.DateField):
    """A date from 1900-01-01 to 2999-12-31 (lib/bounds.py), with that rule as its message."""

    def to_python(self, value: Any) -> Any:
        day = super().to_python(value)
        if day is not None and not bounds.day_in_range(day):
            raise forms.ValidationError(_(bounds.DATE_MESSAGE), code="date_out_of_range")
        return day


FORM_TO_FIX = 422


def form_status(*forms_shown: forms.BaseForm) -> int:
    """The status of a page that shows forms: 422 when one that was sent needs fixing (the page says
    what, field by field, with what was typed), else 200. The house answer to a form POST that saves
    nothing (tests/badinput, the intake and check-in pages, the settings pages)."""
    return FORM_TO_FIX if any(form.is_bound and form.errors for form in forms_shown) else 200


def bound_text(fields: dict[str, forms.Field], limits: dict[str, int]) -> None:
    """Give a ModelForm's text fields of unbounded model TextFields a maximum (message and `maxlength`)."""
    for name, limit in limits.items():
        field = fields[name]
        if isinstance(field, forms.CharField):
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) and not request.path_info.startswith(API_NOT_JSON)


def bad_request_page(request: HttpRequest, message: str, *, status: int = 400, back: str = "") -> HttpResponse:
    """A page that says what was wrong with the address (its query) and where to go instead."""
    html = render_to_string("400.html", {"message": message, "back": back}, request=request)
    return HttpResponse(html, status=status)


def api_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _has_nul_outside_path(request: HttpRequest) -> str | None:
    """Return what held a NUL byte (query string, a header or cookie), or None."""
    if NUL in request.META.get("QUERY_STRING", "") or any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    ):
        return "query"
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) and NUL in str(value):
            return "header"
    return None


class BadInputMiddleware:
    """Refuse NUL bytes in the address and headers; keep errors under /api/ in JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400:
            return _as_json(response)
        return response

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        if NUL in request.path_info:
            if is_api(request):
                return api_error(404, "not_found", _("Not found: the address contains a null character."))
            return bad_request_page(
                request, _("We couldn't find that page: %(why)s") % {"why": _(NUL_MESSAGE)}, status=404
            )
        where = _has_nul_outside_path(request)
        if where is None:
            return None
        if where == "header":
            detail = _("A request header contains a null character (\\x00), which is never valid.")
        else:
            detail = _(NUL_MESSAGE)
        if is_api(request):
            return api_error(400, "null_character", detail)
        return bad_request_page(request, detail, back=request.path_info)


def _as_json(response: HttpResponse) -> HttpResponse:
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    status = response.status_code
    code, detail = API_CODES.get(status, ("error", gettext_noop("The request could not be answered.")))
    rewritten = api_error(status, code, _(detail))
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            rewritten[header] = response[header]
    return rewritten


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's path with its query string minus `names`: where a 400 page sends one back."""
    kept = [(k, v) for k, values in request.GET.lists() if k not in names for v in values]
    return request.path_info + (f"?{urlencode(kept)}" if kept else "")


def no_control_characters(value: str) -> None:
    """A form field's validator for free text (lib/text.py's one rule): no control character but tab
    and new lines. NUL keeps Django's own message ("Null characters are not allowed.")."""
    if has_control(value.replace(NUL, "")):
        raise ValidationError(_(CONTROL_MESSAGE), code="control_characters")
