"""The Django admin as the operator's tool: superusers only (practice/access.py decides).

Anyone else who is signed in (practice staff of any role) gets a 404 for every admin URL, the login
page included, as if the admin did not exist; anonymous visitors are sent to the admin's sign-in,
which accepts operator accounts only. Practice staff configure their practice in the staff area.

The admin's sign-in is the staff sign-in's first step with the operator-only form: after the right
password an account with an authenticator app goes on to the staff code step (web/staff/signin.py,
begin_sign_in) and is signed in only with the code; an account without one is signed in at once.
A session of an operator with an authenticator that was not signed in (or confirmed) with it opens
no admin page: the admin's sign-in sends it to confirm a code first (has_permission).
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from longtide.accounts.throttle import throttled
from longtide.accounts.two_factor import has_two_factor
from longtide.practice.access import is_two_factor_verified, may_use_admin
from longtide.web.staff.signin import begin_sign_in

if TYPE_CHECKING:
    from collections.abc import Callable

_ViewType = TypeVar("_ViewType", bound="Callable[..., HttpResponseBase]")


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """Sign in with an operator (superuser) account; others get the same answer as a wrong password."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not getattr(user, "is_superuser", False):
            raise self.get_invalid_login_error()


class OperatorLoginView(LoginView):
    """The admin's password step. What follows a right password is the staff sign-in's: the code
    step for an account with an authenticator app (signed in only after it), else signed in."""

    def form_valid(self, form: Any) -> HttpResponse:
        return begin_sign_in(self.request, form.get_user(), self.get_success_url())


class OperatorAdminSite(AdminSite):
    site_header = _("Longtide operator administration")
    site_title = _("Longtide operator")
    index_title = _("Deployment administration")
    login_form = OperatorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user) and second_factor_done(request.user)

    def admin_view(self, view: _ViewType, cacheable: bool = False) -> _ViewType:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            _refuse_staff(request)
            return inner(request, *args, **kwargs)

        return cast("_ViewType", guarded)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Django's AdminSite.login with OperatorLoginView (the second factor) and a 429 when throttled."""
        _refuse_staff(request)
        index = reverse("admin:index", current_app=self.name)
        redirect_url = LoginView().get_redirect_url(request) or index
        if not second_factor_done(request.user):
            # An operator's session without its code (begun before the app was set up): confirm it.
            return redirect_to_login(redirect_url, reverse("staff-two-factor-setup"))
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(redirect_url)  # signed in already
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            REDIRECT_FIELD_NAME: redirect_url,
            **(extra_context or {}),
        }
        request.current_app = self.name
        view = OperatorLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template or "admin/login.html",
            next_page=index,
        )
        response = cast("HttpResponse", view(request))
        refused = throttled(request)
        if refused is not None and isinstance(response, TemplateResponse):
            # Refused before the password was checked (accounts/throttle.py): say so, with a 429.
            minutes = max(1, -(-refused.retry_after // 60))
            response.status_code = 429
            response["Retry-After"] = str(refused.retry_after)
            if response.context_data is not None:
                response.context_data["subtitle"] = _(
                    "Too many sign-in attempts. Wait %(minutes)d minutes and try again."
                ) % {"minutes": minutes}
        return response


def second_factor_done(user: User | AnonymousUser) -> bool:
    """Whether the session is as signed in as the account allows: with its second factor, when it
    has one. An account without an authenticator app signs in with the password alone."""
    if not user.is_authenticated or is_two_factor_verified(user):
        return True
    return not has_two_factor(user)


def _refuse_staff(request: HttpRequest) -> None:
    if request.user.is_authenticated and not may_use_admin(request.user):
        raise Http404("No such page.")
