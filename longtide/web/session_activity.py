"""Ends staff sessions left idle longer than their practices allow, on the server, so that it holds
for every request (pages, HTMX fragments, the admin) whatever the browser does; and records each
session's activity for the staff member's list of sessions (see longtide/accounts/sessions.py)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from longtide.accounts.sessions import is_idle_too_long, touch, touch_is_due
from longtide.audit.trail import Origin
from longtide.practice.models import Practice

IDLE_SIGNOUT_KEY = "_longtide_idle_signout"
STAFF_PREFIXES = ("/staff/", "/admin/")


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            if limit := is_idle_too_long(request.session, now):
                signed_out = self.sign_out(request, int(limit.total_seconds() // 60))
                if signed_out is not None:
                    return signed_out
            elif touch_is_due(request.session, now):
                touch(
                    request.session,
                    now=now,
                    ip=Origin.of(request).ip,
                    agent=Origin.of(request).user_agent,
                    idle_minutes=Practice.objects.idle_minutes_for(request.user),
                )
        return self.get_response(request)

    @staticmethod
    def sign_out(request: HttpRequest, minutes: int) -> HttpResponse | None:
        """End the session; send staff pages to the sign-in page, which says why."""
        logout(request)
        request.session[IDLE_SIGNOUT_KEY] = minutes
        if not request.path.startswith(STAFF_PREFIXES):
            return None  # a public page goes on, for an anonymous visitor
        url = f"{reverse('staff-login')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
