"""The audit trail: one append-only row per look at or change of a client's record.

Rows hold ids and short labels, never foreign keys: the trail outlives what it describes (a client
destroyed under a retention rule keeps its trail), and nothing may cascade into it. The only way in
is `longtide.audit.trail.record`; the model refuses updates and deletes, and the database does too
(triggers, migration 0002).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from longtide.audit.chain import Link


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    SIGN = "sign", _("Signed")
    PRINT = "print", _("Printed")
    EXPORT = "export", _("Exported")
    SHARE = "share", _("Shared")
    BREAK_GLASS = "break_glass", _("Break-glass opening")
    ERASE = "erase", _("Erased on request")
    DESTROY = "destroy", _("Destroyed after retention")


class Via(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")
    COMMAND = "command", _("Command line")
    SYSTEM = "system", _("Automatic")


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit row through the app."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_practice(self, practice_id: int) -> AuditEventQuerySet:
        return self.filter(practice_id=practice_id)

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit events are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnly("Audit events are append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit events are append-only.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit events are written one at a time by longtide.audit.trail.record.")


class AuditEvent(models.Model):
    # The chain a row belongs to: its practice's id, or 0 for events outside any practice.
    chain = models.BigIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    practice_id = models.BigIntegerField(null=True, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    client_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    # Why the actor could see it: owner, care_team, shared_care, break_glass, front_desk …
    basis = models.CharField(max_length=20, blank=True)
    ip = models.CharField(max_length=45, null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    # Short, code-chosen facts (a format, a count); never names, contact details or clinical text.
    detail = models.CharField(max_length=200, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            # With the chain lock no two rows can claim one place; this is the database's backstop.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_one_row_per_place"),
        ]
        indexes = [
            models.Index(fields=["practice_id", "client_id", "at"], name="audit_practice_client_at"),
            models.Index(fields=["practice_id", "actor_id", "at"], name="audit_practice_actor_at"),
            models.Index(fields=["practice_id", "at"], name="audit_practice_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or not getattr(self, "_sealed", False):
            raise AppendOnly("Audit events are written only by longtide.audit.trail.record and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("Audit events are append-only.")

    def link(self) -> Link:
        return Link(
            chain=self.chain,
            seq=self.seq,
            at=self.at,
            practice_id=self.practice_id,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            actor_role=self.actor_role,
            via=self.via,
            client_id=self.client_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            basis=self.basis,
            ip=self.ip,
            user_agent=self.user_agent,
            reason=self.reason,
            detail=self.detail,
            prev_hash=self.prev_hash,
        )
