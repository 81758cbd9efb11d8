"""One-time links to set a password: for invited staff and for a new practice's first owner.

The token is 256 random bits, shown once (in the email, or in the operator's terminal); the database
keeps only its SHA-256, so a copy of the database yields no working link. A link expires after
INVITATION_LIFETIME and works once: accepting it locks the row and re-checks before writing, so two
tabs submitting the same link cannot both set a password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from longtide.practice.models import Invitation, Practice, StaffMembership

INVITATION_LIFETIME = timedelta(days=7)
# token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 64


class InvitationUnusable(Exception):
    """The link is unknown, expired or already used (one message for all three: no oracle)."""


@dataclass(frozen=True, slots=True)
class IssuedLink:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return invitation_url(self.token)


def hash_token(token: str) -> str:
    """Return the stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    """Return the absolute link for a token (PUBLIC_BASE_URL + path)."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('staff-welcome', kwargs={'token': token})}"


def issue_link(*, practice: Practice, user: User, by: User | None, now: datetime) -> IssuedLink:
    """Issue a new one-time link for `user` to set a password; their earlier unused links to this practice
    stop working (a pending link to another practice keeps working)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(practice=practice, user=user, used_at__isnull=True).update(used_at=now)
        invitation = Invitation.objects.create(
            practice=practice,
            user=user,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
            created_by=by,
        )
    return IssuedLink(invitation, token)


def find_usable(token: str, *, now: datetime) -> Invitation | None:
    """Return the usable invitation a token belongs to, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.usable(now).select_related("practice", "user").filter(token_hash=hash_token(token)).first()
    )


def accept_invitation(*, token: str, password: str, now: datetime) -> Invitation:
    """Set the invited user's password and use the link up, with any other unused link of theirs. Raise
    InvitationUnusable if it can't be used (unknown, used, expired, or its user no longer on the staff).

    The password must already have passed Django's validators (the form does that).
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationUnusable
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("practice", "user")
            .filter(token_hash=hash_token(token))
            .first()
        )
        # Re-checked under the lock: a second submit of the same link waits here, then finds it used.
        if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
            raise InvitationUnusable
        if not StaffMembership.objects.filter(practice=invitation.practice, user=invitation.user).exists():
            raise InvitationUnusable  # removed from the staff since the link was sent
        user = invitation.user
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        # The password is set: no other link of theirs (another practice's) may replace it.
        Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        invitation.used_at = now
    return invitation
