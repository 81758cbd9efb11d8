"""A record of each backup written, so that `longtide backup --check` can tell how old the newest is."""

from __future__ import annotations

from django.db import models


class BackupRun(models.Model):
    finished_at = models.DateTimeField()
    path = models.CharField(max_length=1000)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    engine = models.CharField(max_length=20)
    encrypted = models.BooleanField()

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"Backup {self.finished_at:%Y-%m-%d %H:%M} ({self.path})"
