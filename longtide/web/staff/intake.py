"""Staff pages of a client's intake: answers, flags and consents; acknowledging a flag; sending the
client their intake link. What a member sees is decided by `access.chart_access` (the care team
and the owner see answers and flags; front desk sees whether intake and consent are done and
whether a booking is held). Every showing of answers or flags is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.audit.models import Action
from longtide.audit.trail import record
from longtide.clients.models import Client
from longtide.intake import actions, links, screening, status
from longtide.intake.display import answers_for_display
from longtide.intake.messages import queue_intake_link
from longtide.intake.models import Flag, FlagAction, Intake, IntakeStatus, Signature
from longtide.practice.access import ChartAccess, Perm, acting, member_required, role_in
from longtide.practice.models import Practice, Role
from longtide.records import chart
from longtide.scheduling.models import Appointment
from longtide.web.staff.calendar_grid import Booked


def access_to(request: HttpRequest, practice: Practice, client: Client) -> ChartAccess:
    """The chart's rule (records/chart.py: care team, shared care, an open break-glass grant)."""
    found, _grant = chart.access_to(request.user, practice, client, timezone.now())
    if found is None:
        raise Http404("No such client")
    return found


def audit_view(request: HttpRequest, access: ChartAccess, client: Client, what: str, object_id: object = "") -> None:
    """One row per showing of clinical intake content (call inside a transaction)."""
    record(
        by=acting(request, access.role),
        action=Action.VIEW,
        object_type=what,
        practice_id=client.practice_id,
        client_id=client.pk,
        object_id=object_id,
        basis=str(access.basis),
    )


@never_cache
@member_required(Perm.CHART_OPEN)
def client_intake(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    access = access_to(request, practice, client)
    summary = status.summary(client)
    context: dict[str, Any] = {
        "practice": practice,
        "client": client,
        "summary": summary,
        "clinical": access.clinical,
        "access": access,
        "label": summary.clinical_label if access.clinical else summary.front_desk_label,
        "actions": FlagAction.choices,
        "link": links.live_link(client),
        "may_send": True,
    }
    if access.clinical:
        with transaction.atomic():
            current = actions.current_intake(client)
            context["intake"] = current
            context["sections"] = answers_for_display(current) if current else []
            context["flags"] = list(
                Flag.objects.filter(client=client)
                .select_related("acknowledged_by", "intake")
                .order_by("acknowledged_at", "-level", "raised_at")
            )
            context["signatures"] = list(
                Signature.objects.filter(client=client).select_related("document").order_by("-signed_at")[:50]
            )
            context["draft"] = Intake.objects.filter(client=client, status=IntakeStatus.DRAFT).exists()
            audit_view(request, access, client, "intake", current.pk if current else "")
    return render(request, "web/staff/intake.html", context)


@member_required(Perm.CLINICAL_WRITE)
@require_POST
def acknowledge(request: HttpRequest, practice: Practice, pk: int, flag_pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    access = access_to(request, practice, client)
    if not access.clinical:
        raise Http404("No such client")
    flag = get_object_or_404(Flag.objects.filter(client=client), pk=flag_pk)
    assert isinstance(request.user, User)
    try:
        actions.acknowledge(
            flag,
            by=request.user,
            actor=acting(request, access.role),
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except actions.IntakeError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Acknowledged: %(flag)s.") % {"flag": flag.staff_label})
    back = request.POST.get("next", "")
    if back.startswith(f"/staff/{practice.slug}/") and "//" not in back:
        return redirect(back)
    return redirect("staff-client-intake", practice_slug=practice.slug, pk=client.pk)


@member_required(Perm.SCHEDULE_BOOK)
@require_POST
def send_link(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """Send the client a fresh intake link by email (an older one stops working)."""
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    access_to(request, practice, client)
    if not client.email:
        messages.error(request, _("This client has no email address: add one first."))
    else:
        with transaction.atomic():
            link = links.new_link(client)
            queue_intake_link(link, now=timezone.now())
        messages.success(
            request, _("A new link to the health form is on its way to %(email)s.") % {"email": client.email}
        )
    return redirect("staff-client-intake", practice_slug=practice.slug, pk=client.pk)


# For the appointment page and the calendar.


def appointment_panel(request: HttpRequest, practice: Practice, appointment: Appointment) -> dict[str, Any]:
    """What the appointment page shows about the client's intake; audited when it shows flags."""
    client = appointment.client
    access = access_to(request, practice, client)
    summary = status.summary(client)
    panel: dict[str, Any] = {
        "summary": summary,
        "clinical": access.clinical,
        "label": summary.clinical_label if access.clinical else summary.front_desk_label,
        "url": reverse("staff-client-intake", args=[practice.slug, client.pk]),
        "flags": [],
    }
    if access.clinical:
        flags = list(Flag.objects.filter(client=client).open().order_by("-level", "raised_at"))
        panel["flags"] = flags
        panel["precautions"] = list(
            Flag.objects.filter(client=client, level=screening.Level.PRECAUTION).order_by("raised_at")
        )
        if flags or panel["precautions"]:
            with transaction.atomic():
                audit_view(request, access, client, "intake_flags", appointment.pk)
    return panel


def calendar_badges(request: HttpRequest, practice: Practice, appointments: list[Booked]) -> None:
    """Put an `intake_badge` (css class, text) on each appointment: levels for the owner and the
    appointment's practitioner (audited), neutral words for everyone else."""
    role = role_in(request.user, practice)
    found = status.summaries(practice, {a.client_id for a in appointments})
    shown: set[int] = set()
    for appointment in appointments:
        summary = found.get(appointment.client_id)
        if summary is None:
            continue
        clinical = role == Role.OWNER or (
            role == Role.PRACTITIONER and (appointment.practitioner.user_id == request.user.pk or practice.shared_care)
        )
        css = "held" if summary.held else "review" if summary.needs_review else ""
        if clinical and summary.open_levels:
            css = css or "flag"
            shown.add(appointment.client_id)
            text = summary.clinical_label
        elif summary.held or summary.needs_review:
            text = summary.front_desk_label
        elif not summary.intake_done or not summary.consent_current:
            css, text = "todo", summary.front_desk_label
        else:
            continue
        appointment.intake_badge = (css, text)
    if shown:
        with transaction.atomic():
            for client_id in sorted(shown):
                record(
                    by=acting(request, role),
                    action=Action.VIEW,
                    object_type="intake_flags",
                    practice_id=practice.pk,
                    client_id=client_id,
                    detail="calendar badge",
                    basis="owner" if role == Role.OWNER else "care_team",
                )
