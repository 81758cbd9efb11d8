"""The owner's sign-in settings for a practice: who must use two-factor sign-in, how long an idle
session lasts, and how old the newest backup may be before `longtide backup --check` complains."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.accounts.two_factor import has_two_factor
from longtide.practice.access import Perm, member_required, needs_two_factor
from longtide.practice.models import Practice
from longtide.practice.staff import has_login
from longtide.web.bad_input import form_status
from longtide.web.staff.account_forms import SignInSettingsForm


@member_required(Perm.PRACTICE_CONFIGURE)
@never_cache
def sign_in_settings(request: HttpRequest, practice: Practice) -> HttpResponse:
    form = SignInSettingsForm(request.POST if request.method == "POST" else None, instance=practice)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Sign-in settings saved."))
        return redirect("staff-sign-in-settings", practice_slug=practice.slug)
    members = practice.memberships.select_related("user").order_by("user__username")
    # Those who have joined. Someone invited and not joined yet is on the staff page's list of
    # invitations, whichever kind of invitation it is: listed here only when it was a membership
    # (a new address), they would tell the owner which addresses had no login.
    staff = [
        {
            "name": m.user.get_full_name() or m.user.get_username(),
            "role": m.get_role_display(),
            "required": needs_two_factor(m.user, practice),
            "has_two_factor": has_two_factor(m.user),
        }
        for m in members
        if has_login(m.user)
    ]
    context = {"practice": practice, "form": form, "staff": staff}
    return render(request, "web/staff/sign_in_settings.html", context, status=form_status(form))
