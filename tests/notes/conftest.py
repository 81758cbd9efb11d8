"""Past visits of the test cast to write notes for (rows written directly: the booking rules refuse
times in the past, and a note is written after the session)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from conftest import Cast
from tests.intake.helpers import agree_to_treatment

if TYPE_CHECKING:
    from longtide.clients.models import Client
    from longtide.scheduling.models import Appointment


def make_visit(
    cast: Cast,
    *,
    days_ago: int = 0,
    hour: int = 10,
    client: Client | None = None,
    status: str = "booked",
    consent: bool = True,
) -> Appointment:
    """A visit of the cast (Cleo with Ana unless told); `consent`: the client has agreed to the current
    treatment consent (signing the note marks the session completed, which needs it)."""
    from longtide.intake.session import treatment_consent_current
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment

    zone = cast.location.zone
    day = timezone.now().astimezone(zone).date() - timedelta(days=days_ago)
    start = datetime.combine(day, time(hour), tzinfo=zone)
    if days_ago == 0 and start > timezone.now():  # early in the day: a session that began today, before now
        start = max(timezone.now() - timedelta(hours=1), datetime.combine(day, time(0), tzinfo=zone))
    end = start + timedelta(minutes=60)
    nonce = new_nonce()
    if consent and not treatment_consent_current(client or cast.cleo):
        agree_to_treatment(client or cast.cleo)
    return Appointment.objects.create(
        practice=cast.tidewater,
        location=cast.location,
        service=cast.session,
        practitioner=cast.ana,
        room=cast.willow,
        client=client or cast.cleo,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end + timedelta(minutes=15),
        status=status,
        source="staff",
        manage_token_hash=hash_token(token_from_nonce(nonce)),
        manage_nonce=nonce,
    )


@pytest.fixture
def visit(cast: Cast) -> Callable[..., Appointment]:
    def make(**kwargs: Any) -> Appointment:
        return make_visit(cast, **kwargs)

    return make


def complete(note: Any) -> dict[str, Any]:
    """Fields that make a draft ready to sign."""
    return {
        "consent_confirmed": True,
        "areas_agreed": "Feet, sacrum, neck and head",
        "position": "supine",
        "subjective": "Neck stiff after a long week at the desk. Pain 4/10 this morning.",
        "pain_nrs": 4,
        "regions": ["neck", "head", "sacrum"],
        "holds": ["still_point_cv4", "occipital_cranial_base"],
        "impression_rhythm": "Slow, fuller on the left.",
        "assessment": "Reported feeling looser at the end; no after-effects expected beyond tiredness.",
        "plan": "Next session in two weeks; gentle neck turns at the desk each hour.",
    }
