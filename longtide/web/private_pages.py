"""`Cache-Control: no-store` on every page that shows private data, decided by address, not view by view.

Staff pages and the staff API (clients, charts, notes, appointments, reports), the operator's
admin, a client's manage link (page and API), intake forms, outcome
questionnaires and the headache diary (its pages, manifest, service worker and sync), waitlist
entries, calendar feeds, the booking details form and the page that shows a booking request just
made: neither the browser's cache (a shared computer, the back button after
signing out) nor any cache in between may keep a copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PRIVATE = re.compile(
    r"^/(?:staff/|admin/|calendar-feed/|api/v1/bookings/|api/v1/p/[^/]+/(?:clients|appointments|reports)/?"
    r"|p/[^/]+/(?:manage/|intake/|waitlist/|booking-request/|questions/|diary/|book/[^/]+/details/))"
)


def is_private(path: str) -> bool:
    return PRIVATE.match(path) is not None


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request.path_info):
            add_never_cache_headers(response)
        return response
