"""One JSON error shape for the whole API: {"detail": str, "code": str, "errors": {field: [str]}}."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from longtide.api.types import SPECIFIC_CODES
from longtide.lib import bounds

NULL_CHARACTER = gettext_lazy("Null characters (\\u0000) are not allowed.")


class ApiError(Exception):
    """Raise from an endpoint to answer with a specific status and error code."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra or {}
        self.headers = headers or {}


def is_json(content_type: str | None) -> bool:
    """Return whether a media type (without its parameters) is JSON: application/json or application/*+json."""
    kind = (content_type or "").strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def not_json(request: HttpRequest) -> ApiError:
    """The answer to a body that is not sent as JSON: a form-encoded body (curl -d, an HTML form) is
    not JSON with a typo, so say what to send instead."""
    return ApiError(
        415,
        "unsupported_media_type",
        _("Send the body as JSON with the header Content-Type: application/json (this one was %(type)s).")
        % {"type": request.content_type or _("not given")},
    )


def empty_body(request: HttpRequest) -> ApiError:
    """The answer to a request with no body where one is needed (ninja does not parse an empty body:
    its validation finds the whole body missing): 415 if it was not sent as JSON, as a body that was."""
    if not is_json(request.content_type):
        return not_json(request)
    return ApiError(400, "invalid_json", _("The body is empty: send a JSON object."))


def _whole_body_missing(error: dict[str, Any]) -> bool:
    """Whether a validation error of ninja's says that the body itself is missing (loc ("body", its name))."""
    loc = tuple(error.get("loc", ()))
    return error.get("type") == "missing" and len(loc) == 2 and loc[0] == "body"


class JsonParser(Parser):
    """The API's JSON bodies: valid UTF-8 JSON with no NUL byte in any string or property name."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not is_json(request.content_type):
            raise not_json(request)
        try:
            data = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_json", _("The body is not valid JSON: %(error)s.") % {"error": exc}) from None
        except RecursionError:
            raise ApiError(400, "invalid_json", _("The body is nested too deeply.")) from None
        if not isinstance(data, dict):
            # Every body here is an object; ninja's validation said of null, a list, a string or a
            # number "Input should be a valid dictionary" under a field called "request".
            raise ApiError(
                400,
                "invalid_json",
                _("The body must be a JSON object ({...}), not %(kind)s.") % {"kind": _json_kind(data)},
            )
        found = bounds.nul_paths(data) if bounds.may_hold_nul(request.body) else []
        if found:
            raise ApiError(
                422,
                "null_character",
                _("The body contains a null character (\\u0000), which is never valid."),
                {path: [str(NULL_CHARACTER)] for path in found},
            )
        return data


def _json_kind(value: Any) -> str:
    """What a parsed JSON value is, as the message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(_("true or false"))
    if isinstance(value, (int, float)):
        return str(_("a number"))
    if isinstance(value, str):
        return str(_("a string"))
    return str(_("an array"))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja reports ("body", "payload", "client", "email"); callers want "client.email".
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload", "params")]
    return ".".join(parts) or "request"


def install(api: NinjaAPI) -> None:
    """Register the error handlers on the API."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.detail, "code": exc.code}
        if exc.errors:
            body["errors"] = exc.errors
        body.update(exc.extra)
        response = api.create_response(request, body, status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # An empty body (ninja does not parse one): alone, the answer a parsed body would get; with
        # other errors (a bad header, a bad path), said as such beside them.
        empty = next((error for error in exc.errors if _whole_body_missing(error)), None)
        said = empty_body(request) if empty is not None and not request.body else None
        if said is not None and len(exc.errors) == 1:
            return api_error(request, said)
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
            if said is not None and error is empty:
                message = said.detail
            errors.setdefault(_field_name(error.get("loc", ())), []).append(message)
        # One kind of problem with a code of its own (api/types.py) answers with that code.
        kinds = {str(error.get("type", "")) for error in exc.errors}
        code = next(iter(kinds)) if len(kinds) == 1 and kinds <= SPECIFIC_CODES else "invalid"
        body = {"detail": _("Some fields are not valid."), "code": code, "errors": errors}
        return api.create_response(request, body, status=422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ApiError):  # ninja wraps what the body parser (JsonParser) raises
            return api_error(request, exc.__cause__)
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return api.create_response(request, {"detail": exc.message, "code": code}, status=exc.status_code)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": _("Sign in first."), "code": "unauthenticated"}, status=401)
