"""A practitioner's calendar feed, for calendar programs (no login: the secret in the URL is the key).

An unknown, stopped or replaced address is a plain 404: the answer says nothing about whether it
ever worked. The feed holds no clinical content (scheduling/feeds.py).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from longtide.scheduling.feeds import find_live, render_feed


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = find_live(token)
    if feed is None:
        raise Http404("No such calendar feed")
    response = HttpResponse(render_feed(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="longtide.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
