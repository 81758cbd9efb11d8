"""The headache diary as an installable web app that works offline (docs/outcomes.md, "The diary
offline"): the manifest, the service worker and the endpoint the phone sends offline entries to.

All three live under the diary's own address, /p/<practice>/diary/<token>/, so the service worker's
scope is that one client's diary and nothing else on the site (no staff page, no other client's
link) ever passes through it. The token in the address is the only credential, as for the diary's
pages; the sync endpoint reads no cookie and no session, so a cross-site request gains nothing a
stranger with the token could not do directly: it is exempt from the CSRF check (which would strand
entries whenever the phone's CSRF cookie was cleared) and takes only `application/json`, which a
cross-site form cannot send without the browser asking first.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from longtide.audit.models import Via
from longtide.audit.trail import Actor, Origin
from longtide.lib import bounds
from longtide.measurement import links
from longtide.measurement.actions import Refused, Synced, sync_diary_day
from longtide.measurement.models import QuestionnaireLink
from longtide.outcomes.scoring import InvalidAnswers

MAX_ENTRIES = 62  # the catch-up window (60 days) and a little more: a phone never holds more days
MAX_BODY = 64 * 1024
MAX_FIELDS = 20
FIELD_MAX = 300


def _diary_link(practice_slug: str, token: str) -> QuestionnaireLink | None:
    link = links.find(token)
    if link is None or link.client.practice.slug != practice_slug or not link.is_diary:
        return None
    return link


def _problem(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": message}, status=status)


def _base(practice_slug: str, token: str) -> str:
    return reverse("outcomes-diary", kwargs={"practice_slug": practice_slug, "token": token})


@require_GET
def manifest(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The web app manifest: installing it puts this client's diary on the home screen."""
    link = _diary_link(practice_slug, token)
    if link is None or not links.works(link, timezone.now()):
        return _problem(404, "not_found", _("This link is not valid. Please use the link in your email."))
    base = _base(practice_slug, token)
    body = {
        "name": _("Headache diary · %(practice)s") % {"practice": link.client.practice.name},
        "short_name": _("Diary"),
        "description": _("Your daily headache diary for %(practice)s.") % {"practice": link.client.practice.name},
        "id": base,
        "start_url": base,
        "scope": base,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f78",
        "icons": [
            {"src": static("longtide/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("longtide/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("longtide/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-store"
    return response


STATIC_ASSETS = (
    "longtide/site.css",
    "longtide/favicon.svg",
    "longtide/icon-192.png",
    "longtide/vendor/htmx.min.js",
    "longtide/select-on-focus.js",
    "longtide/diary-store.js",
    "longtide/diary-offline.js",
)


@require_GET
def worker(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The service worker, served from the diary's address so that its scope is this diary only."""
    link = _diary_link(practice_slug, token)
    if link is None or not links.works(link, timezone.now()):
        # A worker that cannot be fetched is removed by the browser at its next update check.
        return HttpResponse("", status=404, content_type="text/javascript; charset=utf-8")
    base = _base(practice_slug, token)
    context = {
        "base": base,
        "shell": reverse("outcomes-diary-shell", kwargs={"practice_slug": practice_slug, "token": token}),
        "manifest": reverse("outcomes-diary-manifest", kwargs={"practice_slug": practice_slug, "token": token}),
        "assets": [static(path) for path in STATIC_ASSETS],
        "store": static("longtide/diary-store.js"),
    }
    response = render(request, "web/outcomes/diary_sw.js", context, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker at each visit; no cache in between may keep it.
    response["Cache-Control"] = "no-cache, no-store, max-age=0"
    return response


def _entry(raw: Any) -> tuple[uuid.UUID, date, dict[str, str], datetime | None] | str:
    """One entry of the phone's list, checked; or the message saying what is wrong with it."""
    if not isinstance(raw, dict):
        return _("Each entry must be an object.")
    try:
        sync_id = uuid.UUID(str(raw.get("id", "")))
    except ValueError:
        return _("Each entry needs its id (a UUID).")
    try:
        day = date.fromisoformat(str(raw.get("day", "")))
    except ValueError:
        return _("Each entry needs its day as YYYY-MM-DD.")
    if not bounds.day_in_range(day):
        return _(bounds.DATE_MESSAGE)
    answers = raw.get("answers")
    if not isinstance(answers, dict) or len(answers) > MAX_FIELDS:
        return _("Each entry needs its answers as an object of at most %(n)d fields.") % {"n": MAX_FIELDS}
    data: dict[str, str] = {}
    for key, value in answers.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            return _("Each answer must be text or a whole number.")
        data[str(key).replace("\x00", "")[:60]] = str(value).replace("\x00", "")[:FIELD_MAX]
    seen_text = raw.get("seen") or ""
    seen: datetime | None = None
    if seen_text:
        try:
            seen = datetime.fromisoformat(str(seen_text))
        except ValueError:
            return _("“seen” must be a date and time (ISO 8601) or empty.")
        if seen.tzinfo is None:
            return _("“seen” must carry its time zone.")
    return sync_id, day, data, seen


@csrf_exempt
@never_cache
@require_POST
def sync(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The diary days the phone recorded offline, sent when the connection is back: one result each.

    Body: {"entries": [{"id": UUID, "day": "YYYY-MM-DD", "answers": {item: value}, "seen": ISO
    time or ""}]}. Answer: {"results": [{"id", "day", "outcome", "message", "errors"}]}, outcome
    one of saved, already (sent before: nothing changed), kept (the day was filled in elsewhere:
    that entry stays), invalid (answers that do not fit, per question) or refused (the day is not
    open). A replayed or doubled send never makes a second row (measurement.actions.sync_diary_day).
    """
    link = _diary_link(practice_slug, token)
    if link is None:
        return _problem(404, "not_found", _("This link is not valid. Please use the link in your email."))
    now = timezone.now()
    if not links.works(link, now):
        return _problem(410, "gone", _("This diary link no longer works. Please ask the practice for a new one."))
    if request.content_type != "application/json":
        return _problem(415, "unsupported_media_type", _("Send the entries as application/json."))
    if len(request.body) > MAX_BODY:
        return _problem(413, "too_large", _("Too much at once: send at most %(n)d days.") % {"n": MAX_ENTRIES})
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deeply
        return _problem(400, "malformed_json", _("The body is not valid JSON."))
    entries = body.get("entries") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        return _problem(400, "bad_request", _("Send a list of entries under “entries”."))
    if len(entries) > MAX_ENTRIES:
        return _problem(400, "too_many", _("Too much at once: send at most %(n)d days.") % {"n": MAX_ENTRIES})
    by = Actor(None, "client", Origin.of(request), Via.WEB)
    results: list[dict[str, Any]] = []
    # Every entry is checked before any is stored: a 400 means nothing of the list was taken.
    checked = [_entry(raw) for raw in entries]
    if problems := [c for c in checked if isinstance(c, str)]:
        return _problem(400, "bad_request", problems[0])
    for sync_id, day, data, seen in (c for c in checked if not isinstance(c, str)):
        result: dict[str, Any] = {"id": str(sync_id), "day": day.isoformat(), "message": "", "errors": {}}
        try:
            synced = sync_diary_day(link=link, day=day, data=data, sync_id=sync_id, seen=seen, by=by, now=now)
        except InvalidAnswers as invalid:
            result["outcome"] = "invalid"
            result["errors"] = {key: _(m.text) % dict(m.params) for key, m in invalid.problems.items()}
            result["message"] = _("Please check the answers for this day.")
        except Refused as refused:
            result["outcome"] = "refused"
            result["message"] = refused.message
        else:
            result["outcome"] = synced.outcome.value
            result["saved_at"] = synced.entry.saved_at.isoformat()
            if synced.outcome is Synced.KEPT:
                result["message"] = _(
                    "This day had been filled in elsewhere before your phone could send it: that entry is kept. "
                    "Open the day to change it."
                )
        results.append(result)
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
