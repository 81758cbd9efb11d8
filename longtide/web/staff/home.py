"""The staff workspace, and where a member lands after signing in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from longtide.practice.access import Perm, can, may_use_admin
from longtide.practice.models import Practice
from longtide.scheduling.readiness import setup_progress
from longtide.web.staff.calendar_links import calendar_url, own_practitioner


@login_required
def home(request: HttpRequest) -> HttpResponse:
    practices = Practice.objects.for_user(request.user)
    return render(request, "web/staff/home.html", {"practices": practices, "operator": may_use_admin(request.user)})


def landing_url(user: User | AnonymousUser) -> str:
    """Where signing in leads when no page was asked for: a member of one practice goes straight to
    their work — a practitioner to their own day, the front desk to everyone's day, a student to
    their sessions' notes, an owner whose practice is not yet open for booking to the setup steps.
    Staff of several practices (and operators) choose on the staff home."""
    home_url = reverse("staff-home")
    if not user.is_authenticated or may_use_admin(user):
        return home_url
    practices = list(Practice.objects.for_user(user)[:2])
    if len(practices) != 1:
        return home_url
    practice = practices[0]
    if can(user, Perm.PRACTICE_CONFIGURE, practice) and not setup_progress(practice).ready:
        return reverse("settings-overview", args=[practice.slug])
    if not can(user, Perm.SCHEDULE_VIEW, practice):
        return reverse("staff-notes-to-write", args=[practice.slug])
    own = own_practitioner(practice, user)
    if own is not None:
        return calendar_url(practice, view="day", by="practitioner", practitioner=own.pk)
    return calendar_url(practice)
