"""Invitations to join a practice, for someone who already has a login: see them, accept, decline.

Only the invited user reaches their invitation: every query is scoped to request.user, and anyone
else's invitation, an unknown id and one already answered or withdrawn are the same 404 (so a second
submit or the back button acts once). The workflows are in practice/staff.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.lib.bounds import id_in_range
from longtide.practice.models import Role, StaffInvitation
from longtide.practice.staff import accept_staff_invitation, decline_staff_invitation, invitations_for


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required let only signed-in users through
    return request.user


@login_required
@never_cache
def invitations(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff/invitations.html", {"invitations": invitations_for(_me(request))})


def _answered(pk: int) -> None:
    if not id_in_range(pk):
        raise Http404("No such invitation")


@login_required
@never_cache
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    _answered(pk)
    try:
        membership = accept_staff_invitation(invitation_id=pk, user=_me(request))
    except StaffInvitation.DoesNotExist:
        raise Http404("No such invitation") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staff-invitations")
    messages.success(
        request,
        _("You joined %(practice)s as %(role)s.")
        % {"practice": membership.practice.name, "role": Role(membership.role).label},
    )
    return redirect("staff-home")


@login_required
@never_cache
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    _answered(pk)
    try:
        practice = decline_staff_invitation(invitation_id=pk, user=_me(request))
    except StaffInvitation.DoesNotExist:
        raise Http404("No such invitation") from None
    messages.success(request, _("You declined the invitation to %(practice)s.") % {"practice": practice.name})
    return redirect("staff-invitations")
