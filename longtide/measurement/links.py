"""The client's questionnaire and diary links, built like the intake link (longtide/intake/links.py):
the token is HMAC(SECRET_KEY, purpose + nonce), only its SHA-256 is stored and looked up, so a copy
of the database yields no working link while the server can still put the link in a later email or
on the client's manage page. A link expires, belongs to one client, and a questionnaire link works
for one answer (`used_at`); a diary link works for every day until it expires."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from longtide.intake.links import hash_token
from longtide.measurement.models import Episode, QuestionnaireLink, Timepoint

QUESTIONNAIRE_LIFETIME = timedelta(days=14)
DIARY_LIFETIME = timedelta(days=120)
_PURPOSE = b"longtide.outcomes-link:"


def token_from_nonce(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_link(
    episode: Episode,
    instrument: str,
    timepoint: str,
    *,
    now: datetime,
    by: User | None = None,
    expires_at: datetime | None = None,
) -> QuestionnaireLink:
    """A fresh link (in the caller's transaction). A new link for the same instrument voids the
    client's older unanswered ones, so only the latest email works. `expires_at` (the end of the
    timepoint's window, for a scheduled send) replaces the usual lifetime."""
    diary = timepoint == Timepoint.DIARY
    QuestionnaireLink.objects.filter(
        client_id=episode.client_id, instrument=instrument, voided_at__isnull=True, used_at__isnull=True
    ).update(voided_at=now)
    nonce = secrets.token_urlsafe(16)
    return QuestionnaireLink.objects.create(
        practice_id=episode.practice_id,
        client_id=episode.client_id,
        episode=episode,
        instrument=instrument,
        timepoint=timepoint,
        nonce=nonce,
        token_hash=hash_token(token_from_nonce(nonce)),
        created_at=now,
        expires_at=expires_at or now + (DIARY_LIFETIME if diary else QUESTIONNAIRE_LIFETIME),
        created_by=by if by is not None and by.is_authenticated else None,
    )


def token_of(link: QuestionnaireLink) -> str | None:
    token = token_from_nonce(link.nonce)
    return token if hash_token(token) == link.token_hash else None


def path_of(link: QuestionnaireLink) -> str:
    token = token_of(link) or "expired"
    name = "outcomes-diary" if link.is_diary else "outcomes-questionnaire"
    return reverse(name, kwargs={"practice_slug": link.client.practice.slug, "token": token})


def url_of(link: QuestionnaireLink) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path_of(link)}"


def works(link: QuestionnaireLink, now: datetime) -> bool:
    return link.voided_at is None and link.expires_at > now and (link.is_diary or link.used_at is None)


def find(token: str) -> QuestionnaireLink | None:
    """The link a token names (working or not), or None."""
    if not token or len(token) > 100 or "\x00" in token:
        return None
    return (
        QuestionnaireLink.objects.select_related("client", "client__practice", "episode")
        .filter(token_hash=hash_token(token))
        .first()
    )


def live_links(client_id: int, *, now: datetime | None = None) -> list[QuestionnaireLink]:
    """The client's working links, newest first (for the manage page)."""
    now = now or timezone.now()
    rows = QuestionnaireLink.objects.filter(
        client_id=client_id, voided_at__isnull=True, expires_at__gt=now
    ).select_related("client", "client__practice")
    return [link for link in rows.order_by("-created_at") if works(link, now)]
