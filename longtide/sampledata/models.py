"""Which logins the demo made. `longtide demo` only ever touches accounts marked here, so that it
can never take over a real account that happens to share a demo username."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DemoAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="demo_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo account {self.user_id}"
