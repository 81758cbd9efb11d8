"""Create, check, list and revoke staff API tokens (models.StaffToken)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, record
from longtide.practice.access import role_in
from longtide.practice.models import Practice, Role, StaffMembership
from longtide.tokens.models import StaffToken

TOKEN_PREFIX = "ltk_"
DEFAULT_DAYS = 90
MAX_DAYS = 730
# Calls within this long of the last recorded use do not write last_used_at again.
USE_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Issued:
    token: str  # shown once, never stored
    row: StaffToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def member_for(practice: Practice, username: str | None) -> User:
    """Return the member the token is for: `username`, or the practice's only owner."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or role_in(user, practice) is None:
            raise TokenRefused(f"{username!r} is not an active member of {practice.slug}.")
        return user
    owners = list(StaffMembership.objects.filter(practice=practice, role=Role.OWNER, user__is_active=True)[:2])
    if len(owners) != 1:
        raise TokenRefused(f"{practice.slug} has {'several owners' if owners else 'no owner'}: name one with --user.")
    return owners[0].user


def create_token(*, practice: Practice, user: User, days: int, name: str, now: datetime) -> Issued:
    """Make a token for a member, valid for `days`; the only time the token itself is seen."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(_("A token lasts 1 to %(max)d days.") % {"max": MAX_DAYS})
    role = role_in(user, practice)
    if role is None:
        raise TokenRefused(f"{user.get_username()!r} is not a member of {practice.slug}.")
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}{secret}"
    with transaction.atomic():
        row = StaffToken.objects.create(
            practice=practice,
            user=user,
            name=name.replace("\x00", "")[:80],
            prefix=token[: len(TOKEN_PREFIX) + 8],
            token_hash=digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        record(
            by=Actor.system(via=Via.COMMAND),
            action=Action.CREATE,
            object_type="api_token",
            object_id=row.prefix,
            practice_id=practice.pk,
            detail=f"for user {user.pk} ({role}), expires in {days} days",
        )
    return Issued(token, row)


def revoke_token(*, practice: Practice, prefix: str, now: datetime) -> StaffToken:
    with transaction.atomic():
        row = StaffToken.objects.select_for_update().filter(practice=practice, prefix=prefix).first()
        if row is None:
            raise TokenRefused(f"{practice.slug} has no token {prefix!r}.")
        if row.revoked_at is None:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
            record(
                by=Actor.system(via=Via.COMMAND),
                action=Action.CHANGE,
                object_type="api_token",
                object_id=row.prefix,
                practice_id=practice.pk,
                detail="revoked",
            )
    return row


def authenticate(token: str, *, now: datetime) -> StaffToken | None:
    """Return the live token row for a presented bearer token (with its user and practice), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = StaffToken.objects.select_related("user", "practice").filter(token_hash=digest(token)).first()
    if row is None or not row.is_live(now) or not row.user.is_active:
        return None
    if role_in(row.user, row.practice) is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > USE_RESOLUTION:
        StaffToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
