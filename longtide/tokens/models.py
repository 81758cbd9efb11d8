"""Staff API tokens: a bearer credential for one member of one practice.

Only a SHA-256 of the token is stored (the token is 256 random bits, so a fast hash is enough: there
is nothing to guess), with its first characters (`prefix`) to name it in lists. A token acts with the
member's role *at the time of each call* (practice/access.py): a member removed from the practice,
or made inactive, has tokens that answer 401; a changed role changes what the token may do. Tokens
expire, and are revoked, never deleted (their rows say who had access through the API, and when).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Practice


class StaffToken(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_tokens")
    name = models.CharField(max_length=80, blank=True, help_text=_("What the token is for, e.g. 'reporting script'."))
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["practice", "-created_at"]

    def __str__(self) -> str:
        return f"token {self.prefix}… ({self.user_id} at {self.practice_id})"

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
