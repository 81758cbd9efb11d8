"""Two-factor sign-in for staff: an authenticator app (TOTP, django-otp's `TOTPDevice`) and
one-time recovery codes (`RecoveryCodeDevice`, stored hashed).

Enrolment is two steps: `start_enrolment` makes an unconfirmed device whose secret the staff member
scans or types; `confirm_enrolment` turns it on only when a code from the app matches, replaces any
earlier app, and issues fresh recovery codes, which are returned once and never stored readable.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import segno
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from longtide.accounts.models import RecoveryCode, RecoveryCodeDevice, hash_recovery_code
from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, Origin, record

logger = logging.getLogger("longtide.signin")

RECOVERY_CODE_COUNT = 10
# 16 characters of a 31-symbol alphabet (lower case and digits without the look-alikes i, l, o,
# 0 and 1): 79 random bits per code, shown in groups of four.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16
APP_NAME = "Authenticator app"
TOTP_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice

    @property
    def secret(self) -> str:
        """The shared secret in base32, as authenticator apps take it when typed, in groups of four."""
        raw = base64.b32encode(self.device.bin_key).decode().rstrip("=")
        return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))

    def qr_svg(self, title: str) -> str:
        """The provisioning URL as an inline SVG QR code (drawn here: no image service, no script)."""
        svg: str = segno.make(self.device.config_url, error="m").svg_inline(
            scale=5, border=4, dark="#111", light="#fff", title=title, svgclass="qr", lineclass=None, omitsize=True
        )
        return svg


def has_two_factor(user: User) -> bool:
    """Return whether the user has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user_id=user.pk).first()
    return device.codes_left() if device else 0


def start_enrolment(*, user: User) -> Enrolment:
    """Return the user's unconfirmed authenticator, making one if there is none.

    Reusing the pending device means reloading the page keeps the secret the user already scanned.
    """
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user_id=user.pk, name=APP_NAME, confirmed=False)
    return Enrolment(device)


def pending_enrolment(user: User) -> Enrolment | None:
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    return Enrolment(device) if device else None


def confirm_enrolment(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Turn on the pending authenticator if `code` matches it; return it with fresh recovery codes.

    Replaces any earlier authenticator (a new phone) and any earlier recovery codes. Returns None,
    changing nothing but the device's failure count, when the code does not match.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
        if device is None or not TOTP_CODE.match(code) or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
    logger.info("Two-factor sign-in turned on (user id %s)", user.pk)
    return device, codes


def issue_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set; return them (shown once, stored hashed)."""
    with transaction.atomic():
        return _replace_recovery_codes(user)


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
    device = RecoveryCodeDevice.objects.create(user_id=user.pk, name="Recovery codes")
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=hash_recovery_code(normalize_recovery_code(c))) for c in codes]
    )
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def normalize_recovery_code(typed: str) -> str:
    """Return a typed recovery code without spaces or dashes, in lower case."""
    return re.sub(r"[\s-]+", "", typed).lower()


def verify_app_code(*, user: User, code: str) -> TOTPDevice | None:
    """Return the user's authenticator if `code` is its current code (each code works once)."""
    code = code.strip().replace(" ", "")
    if not TOTP_CODE.match(code):
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
        return device if device is not None and device.verify_token(code) else None


def app_wait_seconds(user: User) -> int:
    """Seconds until the authenticator accepts another try after wrong codes (django-otp's back-off)."""
    device = app_device(user)
    return wait_seconds(device) if device else 0


def recovery_wait_seconds(user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user_id=user.pk).first()
    return wait_seconds(device) if device else 0


def wait_seconds(device: TOTPDevice | RecoveryCodeDevice) -> int:
    """Seconds until the device accepts another try (django-otp's back-off after wrong codes)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return 0
    return max(1, int((info["locked_until"] - timezone.now()).total_seconds() + 0.999))


def use_recovery_code(
    *, user: User, code: str, origin: Origin, roles: Mapping[int | None, str]
) -> RecoveryCodeDevice | None:
    """Spend one of the user's recovery codes; return the code set if `code` was an unused one.

    A lost phone is recovered this way, so each use goes into the audit trail of every practice the
    user works in (`roles`: practice id → the user's role there; None for a user of no practice),
    in the transaction that spends the code, and into the log (the user's id and the codes left).
    """
    normalized = normalize_recovery_code(code)
    if len(normalized) != RECOVERY_LENGTH or not normalized.isalnum():
        return None
    with transaction.atomic():
        device = RecoveryCodeDevice.objects.select_for_update().filter(user_id=user.pk).first()
        if device is None or not device.verify_token(normalized):
            return None
        left = device.codes_left()
        for practice_id, role in (roles or {None: ""}).items():
            record(
                by=Actor(user=user, role=role, origin=origin, via=Via.WEB),
                action=Action.CHANGE,
                object_type="two_factor",
                object_id=user.pk,
                practice_id=practice_id,
                detail=f"signed in with a recovery code; {left} left",
            )
    logger.warning("Two-factor recovery code used (user id %s, %s codes left)", user.pk, left)
    return cast(RecoveryCodeDevice, device)


def turn_off_two_factor(*, user: User) -> None:
    """Remove the user's authenticator and recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
    logger.info("Two-factor sign-in turned off (user id %s)", user.pk)
