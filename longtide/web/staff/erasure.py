"""An erasure request, from the chart (/staff/<practice>/clients/<id>/chart/erase/, owners:
Perm.RECORDS_ERASE): what will be erased and what is kept until when, then the owner states what
the client asked for and confirms. The rules are in longtide/records/erasure.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.clients.models import Client
from longtide.practice.access import Perm, acting, member_required, role_in
from longtide.practice.models import Practice
from longtide.records.erasure import REASON_MAX, ErasureRefused, erase_contact, plan
from longtide.web.staff.calendar_grid import practice_zone


@never_cache
@member_required(Perm.RECORDS_ERASE)
def erase(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    now = timezone.now()
    context: dict[str, Any] = {
        "practice": practice,
        "client": client,
        "plan": plan(client, now),
        "zone": practice_zone(practice),
        "reason": "",
        "reason_max": REASON_MAX,
        "error": "",
    }
    if request.method == "POST":
        context["reason"] = request.POST.get("reason", "")[: REASON_MAX + 100]
        if request.POST.get("confirm") != "1":
            context["error"] = _("Tick the box to confirm: erasing contact details cannot be undone.")
        else:
            try:
                done = erase_contact(
                    client, by=acting(request, role_in(request.user, practice)), reason=context["reason"], now=now
                )
            except ErasureRefused as refused:
                context["error"] = refused.message
            else:
                if done:
                    messages.success(
                        request, _("The client's contact details were erased; the audit trail records it.")
                    )
                return redirect("staff-chart", practice_slug=practice.slug, pk=client.pk)
        return render(request, "web/staff/chart_erase.html", context, status=422)
    return render(request, "web/staff/chart_erase.html", context)
