"""Answers that pass every step, for tests that need a filled-in intake."""

from __future__ import annotations

from typing import Any

from longtide.intake import screening

ABOUT = {
    "date_of_birth": "1985-04-23",
    "phone": "+1 207 555 0101",
    "emergency_name": "Sam Park",
    "emergency_relationship": "brother",
    "emergency_phone": "207 555 0102",
}
REASONS = {
    "reasons": ["headache", "sleep"],
    "severity_headache": "7",
    "severity_sleep": "4",
    "main_reason": "headache",
    "goals": "Fewer headache days",
}
HEALTH = {"health_history": "", "medications": "ibuprofen sometimes", "previous_bodywork": "none"}


def screen(*yes: str) -> dict[str, Any]:
    return {f"q_{item.key}": "yes" if item.key in yes else "no" for item in screening.questions(screening.SHIPPED)}


def agree_to_treatment(client: Any, *, agreed: bool = True) -> Any:
    """The client's answer to the current treatment consent (as the intake's consent step records it)."""
    from django.utils import timezone

    from longtide.intake import actions
    from longtide.intake.models import Signature

    document = next(d for d in actions.current_documents(client.practice) if d.kind == "treatment")
    return Signature.objects.create(
        practice=client.practice,
        client=client,
        document=document,
        agreed=agreed,
        typed_name=client.full_name,
        text_sha256=document.text_sha256,
        signed_at=timezone.now(),
    )
