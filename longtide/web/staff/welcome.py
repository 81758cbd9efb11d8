"""Setting a password from a one-time link (an invitation, or a new practice's owner)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.accounts.two_factor import has_two_factor
from longtide.practice.access import Perm, can
from longtide.practice.invitations import InvitationUnusable, accept_invitation, find_usable
from longtide.web.staff.signin import finish_sign_in


@never_cache
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_usable(token, now=timezone.now())
    if invitation is None:
        response = render(request, "web/staff/welcome_unusable.html", status=404)
    else:
        form = SetPasswordForm(invitation.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                accepted = accept_invitation(
                    token=token, password=form.cleaned_data["new_password1"], now=timezone.now()
                )
            except InvitationUnusable:
                response = render(request, "web/staff/welcome_unusable.html", status=404)
            else:
                user = accepted.user
                if has_two_factor(user):
                    # A login that already has an authenticator signs in through both steps.
                    messages.success(request, _("Your password is set. Sign in with it and your authenticator code."))
                    return redirect("staff-login")
                user.backend = settings.AUTHENTICATION_BACKENDS[0]
                finish_sign_in(request, user)
                messages.success(
                    request, _("Your password is set. Welcome to %(practice)s.") % {"practice": accepted.practice.name}
                )
                if can(accepted.user, Perm.PRACTICE_CONFIGURE, accepted.practice):
                    return redirect("settings-overview", accepted.practice.slug)
                return redirect("staff-home")
        else:
            response = render(request, "web/staff/welcome.html", {"form": form, "invitation": invitation})
    # The token is in the address: keep it out of Referer headers sent to other sites.
    # (Not "no-referrer": browsers then send "Origin: null" with the form, and CSRF refuses it.)
    response["Referrer-Policy"] = "same-origin"
    return response
