"""Break-glass grants: a member outside a client's care team who stated a reason to open the chart.

The opening itself is in the audit trail (action break_glass, with the reason); the grant only
says for how long the chart stays open to that member. Grants are never edited.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from longtide.clients.models import Client
from longtide.practice.models import Practice


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def open_for(self, *, user_id: int, client_id: int, now: datetime) -> BreakGlassQuerySet:
        return self.filter(user_id=user_id, client_id=client_id, opened_at__lte=now, until__gt=now)


class BreakGlass(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="break_glass_grants")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    until = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "client", "until"], name="break_glass_open")]

    def __str__(self) -> str:
        return f"break-glass {self.pk} (client {self.client_id}, user {self.user_id})"


class LegalHold(models.Model):
    """A client's record must be kept whatever its retention date (a claim, a court order, a
    regulator's inquiry) until the hold is lifted. `longtide retention hold|release`."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="legal_holds")
    # A lifted hold goes with its client; the trail keeps when it was placed and lifted.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=500)
    placed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"legal hold {self.pk} (client {self.client_id})"
