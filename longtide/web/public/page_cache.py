"""A cache of the rendered public pages (home, practitioners, a practitioner, services).

Keyed by the practice's `public_version`, which the database raises on every change those pages
show (triggers on the practice, its practitioners, services, who offers them, and locations:
practice migration 0010), so the request after an owner's edit renders afresh; one indexed
one-column read per request checks it. Nothing private is ever kept or served from here:

- only GET and HEAD, only for visitors sending no cookie but the CSRF one (no session, so nobody
  signed in, and no pending messages), never for htmx requests;
- only answers 200 that set no cookie, used no CSRF token and ask not to be kept (Cache-Control
  private / no-store), and never a path that private_pages.is_private names.

The cache lives in each process's memory (at most MAX_PAGES pages, least recently used out first):
a page is rendered once per process per version. Middleware runs on every answer as usual
(security headers, CSP), so a cached page gets fresh headers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from longtide.practice.models import Practice
from longtide.web.private_pages import is_private

MAX_PAGES = 512

type _Key = tuple[str, int, str, str]  # slug, version, method-independent full path, view


class _Pages:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[_Key, tuple[bytes, str]] = OrderedDict()

    def get(self, key: _Key) -> tuple[bytes, str] | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: _Key, page: tuple[bytes, str]) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = _Pages()


def _may_use_cache(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "HTTP_HX_REQUEST" in request.META or is_private(request.path_info):
        return False
    return all(name == settings.CSRF_COOKIE_NAME for name in request.COOKIES)


def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "CSRF_COOKIE" not in request.META
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not getattr(response, "streaming", False)
    )


_VERSION_SQL = f'SELECT public_version FROM "{Practice._meta.db_table}" WHERE slug = %s'  # noqa: S608 (our table)


def _version(slug: str) -> int | None:
    """The practice's public version: the one query of a cache hit, on every request for a page.

    On PostgreSQL it runs on the driver's own cursor as a prepared statement (parsed and planned
    once per connection): Django's cursor wrapper and its client-side binding cost a cache hit more
    CPU than everything else it does (bench/public_pages.py). Errors still pass through Django's
    wrapper (a lost connection is noticed and replaced as usual), and the query is logged when
    queries are (DEBUG, CaptureQueriesContext)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL, [slug])
            row = cursor.fetchone()
        return None if row is None else int(row[0])
    import psycopg  # only on PostgreSQL

    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_VERSION_SQL, [slug], prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:
        sql = _VERSION_SQL.replace("%s", "'" + slug.replace("'", "''") + "'")
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return None if row is None else int(row[0])


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache while the practice's public version is unchanged."""

    @wraps(view)
    def wrapper(request: HttpRequest, practice_slug: str, **kwargs: Any) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, practice_slug, **kwargs)
        version = _version(practice_slug)
        if version is None:  # no such practice: the view answers 404
            return view(request, practice_slug, **kwargs)
        key = (practice_slug, version, request.get_full_path(), view.__name__)
        page = pages.get(key)
        if page is not None:
            content, content_type = page
            return HttpResponse(content, content_type=content_type)
        response = view(request, practice_slug, **kwargs)
        if _may_keep(request, response):
            pages.put(key, (response.content, response["Content-Type"]))
        return response

    return wrapper
