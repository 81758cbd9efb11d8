"""The practice's outbox, for every member of staff: what was sent to whom and when, what failed and
why, and sending a message again (a new message; the original is never edited).

Messages carry no clinical content by construction (scheduling/booking_messages.py), so front
desk may read them. Private links are shown as placeholders: the outbox stores no token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.checkins.actions import ALERT_PURPOSE as CHECKIN_ALERT
from longtide.checkins.actions import PURPOSE_LABELS as CHECKIN_PURPOSES
from longtide.intake.messages import ALERT_PURPOSE as INTAKE_ALERT
from longtide.intake.messages import PURPOSE_LABELS as INTAKE_PURPOSES
from longtide.measurement.crisis import ALERT_PURPOSE as CRISIS_ALERT
from longtide.measurement.messages import PURPOSE_LABELS as OUTCOMES_PURPOSES
from longtide.notifications.links import mask
from longtide.notifications.models import Message, State
from longtide.notifications.outbox import RESENDABLE, ResendRefused, resend
from longtide.practice.access import Perm, alert_reader, member_required
from longtide.practice.models import Practice
from longtide.scheduling.booking_messages import about
from longtide.scheduling.message_texts import PURPOSE_LABELS
from longtide.scheduling.models import Appointment
from longtide.web.staff.calendar_grid import practice_zone

PAGE_SIZE = 50
LINK_LABELS = {
    "manage_url": gettext_lazy("[the client's private link to their booking]"),
    "checkin_url": gettext_lazy("[the client's private check-in link]"),
    "waitlist_url": gettext_lazy("[the private link to confirm or leave the waitlist]"),
}


class OutboxQuery(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[("", gettext_lazy("All messages")), *State.choices],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)


OTHER_PURPOSES = {**INTAKE_PURPOSES, **CHECKIN_PURPOSES, **OUTCOMES_PURPOSES}
# Alerts to a practitioner: their text is clinical (practice/access.py alert_reader).
ALERT_PURPOSES = frozenset({INTAKE_ALERT, CHECKIN_ALERT, CRISIS_ALERT})


ALERT_LABEL = gettext_lazy("Alert to a practitioner")


def purpose_label(purpose: str, *, clinical: bool) -> str:
    """What a message was for. To someone who may not read alerts' text (front desk), the three kinds
    of alert are one: "Alert to a practitioner", so that "questionnaire answer needs attention" right
    after a questionnaire link does not tell them which client answered the crisis question."""
    if purpose in ALERT_PURPOSES and not clinical:
        return str(ALERT_LABEL)
    if purpose in OTHER_PURPOSES:
        return str(OTHER_PURPOSES[purpose])
    return str(PURPOSE_LABELS.get(purpose, purpose))  # type: ignore[call-overload]


def labelled(rows: Iterable[Message], reads: Callable[[str], bool]) -> list[tuple[Message, str]]:
    """Messages with their labels, an alert's kind shown to whom alert_reader lets read it."""
    return [(m, purpose_label(m.purpose, clinical=reads(m.recipient))) for m in rows]


def messages_about(appointment: Appointment, reads: Callable[[str], bool]) -> list[tuple[Message, str]]:
    """The messages about one visit, oldest first, with their labels (for the appointment's page)."""
    found = Message.objects.for_practice(appointment.practice_id).filter(about=about(appointment.pk))
    return labelled(found.defer("body_text", "body_html", "attachments").order_by("id"), reads)


@never_cache
@member_required(Perm.OUTBOX_VIEW)
def outbox(request: HttpRequest, practice: Practice) -> HttpResponse:
    query = OutboxQuery(request.GET)
    values = query.cleaned_data if query.is_valid() else {"status": "", "page": None}
    rows = Message.objects.for_practice(practice.pk).defer("body_text", "body_html", "attachments")
    if values["status"]:
        rows = rows.filter(status=values["status"])
    page = Paginator(rows, PAGE_SIZE).get_page(values["page"] or 1)
    failed = Message.objects.for_practice(practice.pk).filter(status=State.FAILED).count()
    context: dict[str, Any] = {
        "practice": practice,
        "query": query,
        "page": page,
        "rows": labelled(page.object_list, alert_reader(request.user, practice)),
        "failed": failed,
        "zone_name": str(practice_zone(practice)),
        "status": values["status"],
    }
    return render(request, "web/staff/outbox.html", context)


@never_cache
@member_required(Perm.OUTBOX_VIEW)
def message(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    found = get_object_or_404(Message.objects.for_practice(practice.pk), pk=pk)
    clinical = alert_reader(request.user, practice)(found.recipient)
    # An alert's subject says which kind it is (a crisis answer, a safety flag, a check-in): to
    # whoever may not read the alert (front desk, another practitioner) it is withheld with the text.
    withheld = found.purpose in ALERT_PURPOSES and not clinical
    context = {
        "practice": practice,
        "message": found,
        "purpose": purpose_label(found.purpose, clinical=clinical),
        "subject": "" if withheld else found.subject,
        "body": None if withheld else mask(found.body_text, {name: str(label) for name, label in LINK_LABELS.items()}),
        "attachments": [item.get("filename", "") for item in found.attachments],
        "resends": found.resends.order_by("created_at"),
        "may_resend": found.status in RESENDABLE,
        # One key per page view: a double submit or a replayed form makes one copy.
        "resend_key": secrets.token_urlsafe(16),
        "zone_name": str(practice_zone(practice)),
    }
    return render(request, "web/staff/outbox_message.html", context)


@never_cache
@member_required(Perm.OUTBOX_RESEND)
@require_POST
def send_again(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    found = get_object_or_404(Message.objects.for_practice(practice.pk), pk=pk)
    user = request.user if request.user.is_authenticated else None
    try:
        copy = resend(message=found, by=user, key=request.POST.get("key", ""))
    except ResendRefused as refused:
        messages.error(request, refused.message)
        return redirect("staff-outbox-message", practice_slug=practice.slug, pk=found.pk)
    messages.success(request, _("Queued to be sent again to %(recipient)s.") % {"recipient": copy.recipient})
    return redirect("staff-outbox-message", practice_slug=practice.slug, pk=copy.pk)
