"""The guard on every settings page: members holding the permission (others get a 404), never cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from longtide.practice.access import Perm, StaffView, member_required


def owner_page(permission: Perm = Perm.PRACTICE_CONFIGURE) -> Callable[[StaffView], Callable[..., HttpResponse]]:
    """Guard a settings view: `member_required(permission)`, and `Cache-Control: no-store` on its answers."""

    def decorator(view: StaffView) -> Callable[..., HttpResponse]:
        guarded: Callable[..., Any] = member_required(permission)(view)
        return never_cache(guarded)

    return decorator
