"""A practice's own note template (issue 10: "fields and checklists as versioned data"): its lists
of contact regions and holds, and its fields. Each edit of either publishes a new immutable version
(NoteChecklist) carrying the other part unchanged; a new note is written with the practice's latest
version (or the shipped template, until it has one) and keeps pointing to it, so a later edit never
changes what an old note's ticks, labels and fields mean. The rules of the lists (keys, the fixed
consent-bound holds, bounds) are pure, in notes/template.py; those of the fields in notes/fields.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from longtide.audit.trail import Actor
from longtide.notes import fields, template
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
        new_regions, region_problems = template.parse_items(regions, before.regions, what="region", gettext=gettext)
        new_holds, hold_problems = template.parse_items(
            holds, before.holds, fixed=template.FIXED_HOLDS, what="hold", gettext=gettext
        )
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
            fields=found.fields if found else None,  # the fields stay as they are
            created_at=now,
            created_by=by.user if isinstance(by.user, User) else None,
        )
    return Published(saved)


def current_fields(practice: Practice) -> tuple[fields.Field, ...]:
    """The fields a note started now is written with."""
    found = latest(practice)
    return fields.from_data(found.fields) if found is not None and found.fields is not None else fields.SHIPPED_FIELDS


def publish_fields(practice: Practice, spec: tuple[fields.Field, ...], *, by: Actor, now: datetime) -> Published:
    """Publish `spec` (checked by the caller with fields.check) as the practice's next template
    version, with its current checklists; nothing is written when it has problems or is unchanged."""
    if problems := fields.check(spec, gettext):
        return Published(None, problems)
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()  # one version at a time
        if fields.from_data(fields.to_data(spec)) == current_fields(practice):
            return Published(None, unchanged=True)
        found = latest(practice)
        lists = found.as_checklist if found is not None else template.SHIPPED
        saved = NoteChecklist.objects.create(
            practice=practice,
            version=(found.version if found else 0) + 1,
            regions=[[item.key, item.label] for item in lists.regions],
            holds=[[item.key, item.label] for item in lists.holds],
            fields=fields.to_data(spec),
            created_at=now,
            created_by=by.user if isinstance(by.user, User) else None,
        )
    return Published(saved)
