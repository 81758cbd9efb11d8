"""A practice's own lists of contact regions and holds for session notes (issue 10: "a checklist
the practice can edit"). Each edit publishes a new immutable version (NoteChecklist); a new note is
written with the practice's latest version (or the shipped lists, until it has one) and keeps
pointing to it, so a later edit never changes what an old note's ticks mean. The rules of the lists
themselves (keys, the fixed consent-bound holds, bounds) are pure, in notes/template.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from longtide.audit.trail import Actor
from longtide.notes import template
from longtide.notes.models import NoteChecklist
from longtide.practice.models import Practice


def latest(practice: Practice) -> NoteChecklist | None:
    return NoteChecklist.objects.filter(practice=practice).order_by("-version").first()


def current(practice: Practice) -> template.Checklist:
    """The lists a note started now is written with."""
    found = latest(practice)
    return found.as_checklist if found else template.SHIPPED


@dataclass
class Published:
    checklist: NoteChecklist | None
    problems: dict[str, list[str]] = field(default_factory=dict)
    unchanged: bool = False


def publish(practice: Practice, *, regions: str, holds: str, by: Actor, now: datetime) -> Published:
    """Publish the lists typed (one label per line) as the practice's next version. Nothing is
    written when a list has problems, or when nothing changed."""
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()  # one version at a time
        before = current(practice)
        new_regions, region_problems = template.parse_items(regions, before.regions, what="region")
        new_holds, hold_problems = template.parse_items(holds, before.holds, fixed=template.FIXED_HOLDS, what="hold")
        problems = {name: found for name, found in (("regions", region_problems), ("holds", hold_problems)) if found}
        if problems:
            return Published(None, problems)
        if (new_regions, new_holds) == (before.regions, before.holds):
            return Published(None, unchanged=True)
        found = latest(practice)
        saved = NoteChecklist.objects.create(
            practice=practice,
            version=(found.version if found else 0) + 1,
            regions=[[item.key, item.label] for item in new_regions],
            holds=[[item.key, item.label] for item in new_holds],
            created_at=now,
            created_by=by.user if isinstance(by.user, User) else None,
        )
    return Published(saved)
