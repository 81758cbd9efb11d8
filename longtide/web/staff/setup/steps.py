"""The first-run checklist with a link for each step."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from longtide.practice.models import Practice
from longtide.scheduling.readiness import Progress, Step, setup_progress

STEP_PAGES = {
    "location": "settings-location-new",
    "room": "settings-locations",
    "service": "settings-service-new",
    "practitioner": "settings-practitioners",
    "hours": "settings-practitioners",
    "home_page": "settings-home-page",
    "staff": "settings-staff",
}


@dataclass(frozen=True, slots=True)
class LinkedStep:
    step: Step
    url: str


def checklist(practice: Practice) -> tuple[Progress, list[LinkedStep]]:
    """Return the practice's setup progress and each step with the page that does it."""
    progress = setup_progress(practice)
    if progress.steps[0].done and not progress.steps[1].done:
        first = practice.locations.first()
        room_url = reverse("settings-room-new", args=[practice.slug, first.pk]) if first else None
    else:
        room_url = None
    linked = [
        LinkedStep(
            step,
            room_url if step.key == "room" and room_url else reverse(STEP_PAGES[step.key], args=[practice.slug]),
        )
        for step in progress.steps
    ]
    return progress, linked
