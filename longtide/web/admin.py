"""The third-party models in the admin (accounts, groups, the task queue), under the same operator
rule as ours: superusers only, and changelist lookups only on declared list filters.

Two-factor devices are not in the admin: their secrets are nobody's business but their owner's, who
manages them in the staff area (staff/account/two-factor/)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from longtide.practice.admin import OperatorAdmin

for model in (User, Group, DBTaskResult, TOTPDevice):
    admin.site.unregister(model)


@admin.register(User)
class AccountAdmin(OperatorAdmin, UserAdmin):  # type: ignore[type-arg]
    pass


@admin.register(Group)
class AccountGroupAdmin(OperatorAdmin, GroupAdmin):
    pass


@admin.register(DBTaskResult)
class TaskResultAdmin(OperatorAdmin, DBTaskResultAdmin):
    # The queue's rows are written by the worker only.
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
