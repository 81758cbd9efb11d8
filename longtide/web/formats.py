"""The formats of the practice a request is about, for everything that writes a price or a time.

`PracticeFormatsMiddleware` reads the practice named by the address (its `practice_slug`) before the
view runs and makes its formats current for the request, as Django does with the time zone; the
template filters (templatetags/practice_formats.py) and web/times.py write with `current()`. Pages
about no practice use the defaults (en-US, USD, 12-hour). Messages never rely on this: they are
written by the worker, outside any request, from the appointment's practice (booking_messages.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from longtide.lib.formats import Formats
from longtide.practice.models import Practice

DEFAULT = Formats()  # frozen: safe to share


class _PracticeFormats:
    """The formats of the practice with this slug, read from the database on first use only (a page
    served from the public page cache writes no price or time, so it costs no query)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.formats: Formats | None = None

    def get(self) -> Formats:
        if self.formats is None:
            row = Practice.objects.filter(slug=self.slug).values_list("locale", "currency", "clock_hours").first()
            self.formats = Formats(locale=row[0], currency=row[1], clock_hours=row[2]) if row else DEFAULT
        return self.formats


_current: ContextVar[Formats | _PracticeFormats] = ContextVar("practice_formats", default=DEFAULT)


def current() -> Formats:
    value = _current.get()
    return value.get() if isinstance(value, _PracticeFormats) else value


@contextmanager
def using(formats: Formats) -> Iterator[None]:
    token = _current.set(formats)
    try:
        yield
    finally:
        _current.reset(token)


class PracticeFormatsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(DEFAULT)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        slug = kwargs.get("practice_slug")
        if isinstance(slug, str):
            _current.set(_PracticeFormats(slug))
