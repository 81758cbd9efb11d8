"""Who may do what in which practice. The one place that decides: every staff view, API endpoint,
admin object and export asks here, and nowhere else holds a rule.

Permissions are a typed enum; each role holds a fixed set. Rules that depend on more than the role
(a practitioner's own clients, a note's author) are functions here too, taking the objects they
judge. Outsiders (no role in the practice) are answered with a 404 by the guards, never a 403, so
that a login of another practice learns nothing about this one.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from longtide.practice.models import Practice, Role, StaffMembership


class Perm(StrEnum):
    """What a member may do in a practice."""

    # The schedule and contact details: every role.
    SCHEDULE_VIEW = "schedule.view"
    SCHEDULE_BOOK = "schedule.book"
    CLIENTS_VIEW = "clients.view"
    # Configuration of the practice: owners.
    PRACTICE_CONFIGURE = "practice.configure"
    # Booking notes may hold health information (see may_read_booking_note).
    BOOKING_NOTE_READ = "booking_note.read"


_EVERYONE = frozenset({Perm.SCHEDULE_VIEW, Perm.SCHEDULE_BOOK, Perm.CLIENTS_VIEW})

# What each role may do. Front desk never holds a clinical permission.
ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: _EVERYONE | {Perm.PRACTICE_CONFIGURE, Perm.BOOKING_NOTE_READ},
    Role.PRACTITIONER: _EVERYONE | {Perm.BOOKING_NOTE_READ},
    Role.FRONT_DESK: _EVERYONE,
}


def role_in(user: User | AnonymousUser, practice: Practice) -> Role | None:
    """Return the user's role in the practice, or None for outsiders."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.OWNER
    membership = StaffMembership.objects.filter(practice=practice, user=user).only("role").first()
    return Role(membership.role) if membership else None


def can(user: User | AnonymousUser, permission: Perm, practice: Practice) -> bool:
    """Return whether the user holds `permission` in this practice."""
    role = role_in(user, practice)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def may_read_booking_note(user: User | AnonymousUser, practice: Practice, practitioner_user_id: int | None) -> bool:
    """A booking note may hold health information: owners, and the appointment's own practitioner."""
    role = role_in(user, practice)
    if role is None or Perm.BOOKING_NOTE_READ not in ROLE_PERMISSIONS[role]:
        return False
    return role == Role.OWNER or (practitioner_user_id is not None and practitioner_user_id == user.pk)


type StaffView = Callable[Concatenate[HttpRequest, Practice, ...], HttpResponse]


def member_required(permission: Perm) -> Callable[[StaffView], Callable[..., HttpResponse]]:
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
