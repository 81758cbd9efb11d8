"""The client's intake link: like manage links, the token is HMAC(SECRET_KEY, nonce) and only its
hash is looked up, so a database copy yields no working link while the server can put the link in
a later email. Unlike them it expires (`LIFETIME`), belongs to one client, and a new one voids the
client's older links (staff "send again")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from longtide.clients.models import Client
from longtide.intake.models import IntakeLink

LIFETIME = timedelta(days=30)
_PURPOSE = b"longtide.intake-link:"


def token_from_nonce(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ErasedClient(Exception):
    """No intake link is made for a client whose contact details were erased on request
    (`Client.stays_erased`): erasure voided their links, and a new one would open a form prefilled
    with their answers to whoever holds an old booking email."""


def new_link(client: Client, *, now: datetime | None = None) -> IntakeLink:
    """Make a fresh link for the client and void their older ones (in the caller's transaction).
    Refused (`ErasedClient`) for a client whose contact details were erased on request."""
    if client.stays_erased:
        raise ErasedClient(client.pk)
    now = now or timezone.now()
    IntakeLink.objects.filter(client=client, voided_at__isnull=True).update(voided_at=now)
    nonce = secrets.token_urlsafe(16)
    return IntakeLink.objects.create(
        practice_id=client.practice_id,
        client=client,
        nonce=nonce,
        token_hash=hash_token(token_from_nonce(nonce)),
        expires_at=now + LIFETIME,
    )


def live_link(client: Client, *, now: datetime | None = None) -> IntakeLink | None:
    """The client's working link, if any."""
    now = now or timezone.now()
    return (
        IntakeLink.objects.filter(client=client, voided_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


def link_or_new(client: Client, *, now: datetime | None = None) -> IntakeLink:
    """The client's working link, or a new one; refused (`ErasedClient`) like `new_link`."""
    if client.stays_erased:
        raise ErasedClient(client.pk)
    return live_link(client, now=now) or new_link(client, now=now)


def token_of(link: IntakeLink) -> str | None:
    token = token_from_nonce(link.nonce)
    return token if hash_token(token) == link.token_hash else None


def intake_path(link: IntakeLink) -> str:
    token = token_of(link) or "expired"
    return reverse("intake-start", kwargs={"practice_slug": link.client.practice.slug, "token": token})


def intake_url(link: IntakeLink) -> str:
    return f"{settings.PUBLIC_BASE_URL}{intake_path(link)}"


def find(token: str, *, now: datetime | None = None) -> tuple[IntakeLink | None, bool]:
    """(the link, whether it still works). A voided or expired link is found but does not work."""
    if not token or len(token) > 100:
        return None, False
    link = IntakeLink.objects.select_related("client", "client__practice").filter(token_hash=hash_token(token)).first()
    if link is None:
        return None, False
    now = now or timezone.now()
    return link, link.voided_at is None and link.expires_at > now
