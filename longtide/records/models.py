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


class ClientMerge(models.Model):
    """Two records of the same person made one (records/merge.py): who, when, what the duplicate
    was, and how many of each thing moved to the record kept. Never edited."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="client_merges")
    kept = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="merge_out")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_by_name = models.CharField(max_length=150, blank=True)
    merged_at = models.DateTimeField()
    # The duplicate's name and contact details as they were.
    merged_name = models.CharField(max_length=170)
    merged_email = models.EmailField(blank=True)
    merged_phone = models.CharField(max_length=40, blank=True)
    # {"appointments": 3, "intakes": 1, ...}: what moved; `filled` lists the details the kept
    # record took from the duplicate (it had none of its own).
    moved = models.JSONField(default=dict)
    filled = models.JSONField(default=list)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"merge {self.pk}: client {self.merged_id} into {self.kept_id}"


class DestructionPermit(models.Model):
    """Lets `longtide retention --apply` remove a client's signed notes and addenda, which the
    database otherwise refuses (notes migration 0003's triggers look for a permit of the note's
    client). records/retention.py creates the permit and removes it in the same transaction as the
    destruction, so no other connection ever sees one; an id, not a foreign key, so that the client
    row can go while it exists."""

    client_id = models.BigIntegerField(unique=True)
    granted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"destruction permit for client {self.client_id}"
