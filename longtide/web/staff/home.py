"""The staff workspace, and where a member lands after signing in."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from longtide.practice.access import Perm, can, may_use_admin, role_can, roles_in
from longtide.practice.models import Practice
from longtide.scheduling.readiness import setup_progress
from longtide.web.staff.calendar_links import calendar_url, own_day_urls, own_practitioner


@dataclass(frozen=True)
class Card:
    """One practice on the staff home, with what the member may open there."""

    practice: Practice
    sees_schedule: bool
    configures: bool
    own_day: str


def _cards(user: User | AnonymousUser) -> list[Card]:
    # The roles and the practitioner profiles of every card in one query each, not one per card.
    practices = list(Practice.objects.for_user(user))
    roles = roles_in(user, practices)
    own_days = own_day_urls(practices, user)
    return [
        Card(
            practice=p,
            sees_schedule=role_can(roles.get(p.pk), Perm.SCHEDULE_VIEW),
            configures=role_can(roles.get(p.pk), Perm.PRACTICE_CONFIGURE),
            own_day=own_days.get(p.pk, ""),
        )
        for p in practices
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/staff/home.html", {"cards": _cards(request.user), "operator": may_use_admin(request.user)}
    )


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
