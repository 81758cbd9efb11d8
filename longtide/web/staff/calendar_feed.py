"""A practitioner's private calendar feed: see its address, replace it, stop it. Owners see every
practitioner's feed and can stop any of them (someone left, a phone was lost).

The address is a secret: whoever has it reads the practitioner's schedule (times, services, a label
or initials: nothing clinical). It is shown only to the practitioner it belongs to.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.practice.access import Perm, can, member_required
from longtide.practice.models import Practice, Practitioner
from longtide.scheduling.feeds import feed_url, live_feed, new_feed, revoke_feed, token_for
from longtide.scheduling.models import CalendarFeed
from longtide.web.staff.calendar_grid import practice_zone


def _own_practitioner(request: HttpRequest, practice: Practice) -> Practitioner | None:
    if not request.user.is_authenticated:
        return None
    return Practitioner.objects.filter(practice=practice, user_id=request.user.pk).first()


@never_cache
@member_required(Perm.CALENDAR_FEED_OWN)
def calendar_feed(request: HttpRequest, practice: Practice) -> HttpResponse:
    mine = _own_practitioner(request, practice)
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("new", "stop") and mine is None:
            messages.error(request, _("Only practitioners have a calendar feed."))
        elif action == "new":
            new_feed(mine, by=user)  # type: ignore[arg-type]
            messages.success(request, _("Your calendar feed has a new address. The old one no longer works."))
        elif action == "stop":
            if revoke_feed(mine, by=user):  # type: ignore[arg-type]
                messages.success(request, _("Your calendar feed is stopped: its address no longer works."))
            else:
                messages.info(request, _("Your calendar feed was already stopped."))
        else:
            messages.error(request, _("Choose what to do with the feed."))
        return redirect("staff-calendar-feed", practice_slug=practice.slug)
    feed = live_feed(mine) if mine is not None else None
    token = token_for(feed) if feed is not None else None
    may_manage = can(request.user, Perm.PRACTICE_CONFIGURE, practice)
    others = []
    if may_manage:
        live = {f.practitioner_id: f for f in CalendarFeed.objects.working().filter(practitioner__practice=practice)}
        others = [(p, live.get(p.pk)) for p in Practitioner.objects.filter(practice=practice).order_by("display_name")]
    context = {
        "practice": practice,
        "mine": mine,
        "feed": feed,
        "url": feed_url(token) if token else "",
        "may_manage": may_manage,
        "others": others,
        "zone_name": str(practice_zone(practice)),
    }
    return render(request, "web/staff/calendar_feed.html", context)


@never_cache
@member_required(Perm.PRACTICE_CONFIGURE)
def stop_feed(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """An owner stops a practitioner's feed (POST only)."""
    practitioner = get_object_or_404(Practitioner, practice=practice, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    user = request.user if request.user.is_authenticated else None
    if revoke_feed(practitioner, by=user):
        messages.success(request, _("%(name)s's calendar feed is stopped.") % {"name": practitioner.display_name})
    else:
        messages.info(request, _("%(name)s has no calendar feed.") % {"name": practitioner.display_name})
    return redirect("staff-calendar-feed", practice_slug=practice.slug)
