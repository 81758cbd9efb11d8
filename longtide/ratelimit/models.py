"""One row per (rate-limit key, time window): how many times the key was used in that window."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    # HMAC of the limit's scope and subject (an email address, a network address, a username), so
    # the table holds none of them (counters.key_for).
    key_hash = models.CharField(max_length=64)
    # The window's start, in seconds since the epoch (windows are aligned to their length).
    window_start = models.BigIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key_hash", "window_start"], name="one_counter_per_key_and_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_counter_window")]

    def __str__(self) -> str:
        return f"{self.key_hash[:8]}… {self.count} in the window from {self.window_start}"
