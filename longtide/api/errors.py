"""One JSON error shape for the whole API: {"detail": str, "code": str, "errors": {field: [str]}}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


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
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
            errors.setdefault(_field_name(error.get("loc", ())), []).append(message)
        body = {"detail": "Some fields are not valid.", "code": "invalid", "errors": errors}
        return api.create_response(request, body, status=422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message, "code": "error"}, status=exc.status_code)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": "Sign in first.", "code": "unauthenticated"}, status=401)
