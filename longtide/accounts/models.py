"""Staff accounts beyond Django's user: server-side sessions that can be listed and ended, and
recovery codes for two-factor sign-in (stored hashed, each usable once).

The authenticator app itself is django-otp's `TOTPDevice`; the rules for enrolling, confirming and
using the two kinds of device are the actions in `two_factor.py`.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin


class StaffSession(AbstractBaseSession):
    """A session in the database, with columns to list and end a user's sessions.

    The extra columns are copies of what the session's own data holds (see `session_store.py`),
    written on every save; `handle` names the session in pages and forms so that the session key,
    which is the sign-in credential itself, never appears in HTML.
    """

    handle = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expire_date"], name="staff_session_user")]

    @classmethod
    def get_session_store_class(cls) -> type:
        from longtide.accounts.session_store import SessionStore

        return SessionStore

    @staticmethod
    def handle_for(session_key: str) -> str:
        """Return the public name of a session: a digest of its key, useless as a credential."""
        return hashlib.sha256(f"longtide-session:{session_key}".encode()).hexdigest()[:32]


def hash_recovery_code(code: str) -> str:
    """Return the stored form of a recovery code. Codes carry 80 random bits, so a fast hash is
    enough: nobody can search that space from a copy of the database."""
    return hashlib.sha256(f"longtide-recovery:{code}".encode()).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp ships no types
    """A user's set of one-time recovery codes, as a django-otp device (so a session verified by a
    recovery code is a verified session like any other)."""

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = _("recovery code set")

    def get_throttle_factor(self) -> int:
        return 1

    def codes_left(self) -> int:
        return int(self.codes.filter(used_at__isnull=True).count())

    def verify_token(self, token: object) -> bool:
        allowed = self.verify_is_allowed()[0]
        if not allowed or not isinstance(token, str):
            return False
        digest = hash_recovery_code(token)
        # select_for_update: two requests racing with one code must not both succeed.
        unused = list(self.codes.select_for_update().filter(used_at__isnull=True))
        match = next((code for code in unused if hmac.compare_digest(code.code_hash, digest)), None)
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.used_at = timezone.now()
        match.save(update_fields=["used_at"])
        self.throttle_reset(commit=True)
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_once_per_set")]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
