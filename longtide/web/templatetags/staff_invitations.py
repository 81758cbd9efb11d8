"""The signed-in user's pending invitations to join a practice, for the staff home and account pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User

from longtide.practice.staff import invitations_for

register = template.Library()


@register.inclusion_tag("web/staff/_invitations.html", takes_context=True)
def pending_invitations(context: dict[str, Any]) -> dict[str, Any]:
    """Their own invitations only (the query is scoped to request.user); nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    found = invitations_for(user) if isinstance(user, User) else []
    return {"invitations": found, "request": request, "csrf_token": context.get("csrf_token")}
