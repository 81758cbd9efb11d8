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
