"""The third-party models in the admin (accounts and groups), under the same operator
rule as ours: superusers only, and changelist lookups only on declared list filters.

Two-factor devices are not in the admin: their secrets are nobody's business but their owner's, who
manages them in the staff area (staff/account/two-factor/)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from longtide.practice.admin import OperatorAdmin

for model in (User, Group, TOTPDevice):
    admin.site.unregister(model)


@admin.register(User)
class AccountAdmin(OperatorAdmin, UserAdmin):  # type: ignore[type-arg]
    pass


@admin.register(Group)
class AccountGroupAdmin(OperatorAdmin, GroupAdmin):
    pass
