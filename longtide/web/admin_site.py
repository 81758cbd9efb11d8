"""The Django admin as the operator's tool: superusers only (practice/access.py decides).

Anyone else who is signed in (practice staff of any role) gets a 404 for every admin URL, the login
page included, as if the admin did not exist; anonymous visitors are sent to the admin's sign-in,
which accepts operator accounts only. Practice staff configure their practice in the staff area.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from longtide.accounts.throttle import throttled
from longtide.practice.access import may_use_admin

if TYPE_CHECKING:
    from collections.abc import Callable

_ViewType = TypeVar("_ViewType", bound="Callable[..., HttpResponseBase]")


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """Sign in with an operator (superuser) account; others get the same answer as a wrong password."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not getattr(user, "is_superuser", False):
            raise self.get_invalid_login_error()


class OperatorAdminSite(AdminSite):
    site_header = _("Longtide operator administration")
    site_title = _("Longtide operator")
    index_title = _("Deployment administration")
    login_form = OperatorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    def admin_view(self, view: _ViewType, cacheable: bool = False) -> _ViewType:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            _refuse_staff(request)
            return inner(request, *args, **kwargs)

        return cast("_ViewType", guarded)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        _refuse_staff(request)
        response = super().login(request, extra_context)
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


def _refuse_staff(request: HttpRequest) -> None:
    if request.user.is_authenticated and not may_use_admin(request.user):
        raise Http404("No such page.")
