"""What the staff navigation shows a member (asks practice/access.py; holds no rule of its own)."""

from __future__ import annotations

from typing import Any

from django import template

from longtide.practice.access import Perm, can
from longtide.practice.models import Practice
from longtide.scheduling.readiness import setup_progress

register = template.Library()


@register.simple_tag(takes_context=True)
def may_configure(context: dict[str, Any], practice: Practice) -> bool:
    """Whether the signed-in user may open the practice's settings."""
    request = context.get("request")
    return request is not None and can(request.user, Perm.PRACTICE_CONFIGURE, practice)


@register.simple_tag(takes_context=True)
def member_can(context: dict[str, Any], practice: Practice, permission: str) -> bool:
    """Whether the signed-in user holds `permission` (a Perm value, e.g. "schedule.view") in the practice:
    the navigation shows a student only what their role opens."""
    request = context.get("request")
    return request is not None and can(request.user, Perm(permission), practice)


@register.simple_tag(takes_context=True)
def may_write_notes(context: dict[str, Any], practice: Practice) -> bool:
    """Whether the signed-in user writes (or oversees) session notes in the practice."""
    request = context.get("request")
    return request is not None and can(request.user, Perm.CLINICAL_WRITE, practice)


@register.simple_tag(takes_context=True)
def may_read_audit(context: dict[str, Any], practice: Practice) -> bool:
    """Whether the signed-in user reads the practice's audit trail."""
    request = context.get("request")
    return request is not None and can(request.user, Perm.AUDIT_READ, practice)


@register.simple_tag
def setup_ready(practice: Practice) -> bool:
    """Whether the practice can take online bookings (the first-run checklist is done)."""
    return setup_progress(practice).ready
