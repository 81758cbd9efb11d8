"""Who may do what in which practice. Every staff view goes through here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from longtide.practice.models import Practice, Role, StaffMembership

# What each role may do. Clinical permissions arrive with the records app; front desk never gets them.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"practice.configure", "schedule.view", "schedule.book", "clients.view"}),
    Role.PRACTITIONER: frozenset({"schedule.view", "schedule.book", "clients.view"}),
    Role.FRONT_DESK: frozenset({"schedule.view", "schedule.book", "clients.view"}),
}


def role_in(user: User | AnonymousUser, practice: Practice) -> str | None:
    """Return the user's role in the practice, or None for outsiders."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.OWNER
    membership = StaffMembership.objects.filter(practice=practice, user=user).only("role").first()
    return membership.role if membership else None


def can(user: User | AnonymousUser, permission: str, practice: Practice) -> bool:
    """Return whether the user holds `permission` in this practice."""
    role = role_in(user, practice)
    return role is not None and permission in PERMISSIONS[role]


type StaffView = Callable[Concatenate[HttpRequest, Practice, ...], HttpResponse]


def member_required(permission: str) -> Callable[[StaffView], Callable[..., HttpResponse]]:
    """Guard a staff view taking `practice_slug`: outsiders get a 404, never a hint the practice exists."""

    def decorator(view: StaffView) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, practice_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            practice = get_object_or_404(Practice, slug=practice_slug)
            if not can(request.user, permission, practice):
                raise Http404("No such practice")
            return view(request, practice, *args, **kwargs)

        return wrapper

    return decorator
