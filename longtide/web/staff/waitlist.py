"""The practice's waitlist, for every member of staff: who waits for what (contact details and the
days and times that suit: nothing clinical), the offers made, adding someone who asked at the desk
and removing someone."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.practice.access import Perm, member_required
from longtide.practice.models import Practice
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import WaitlistEntry, WaitlistOffer, WaitlistStatus
from longtide.scheduling.waitlist import ACTIVE, WaitlistRefused, add_by_staff, leave, local_today, wishes_text
from longtide.web.public.waitlist import details_from, wishes_from
from longtide.web.public.waitlist_forms import WishesForm
from longtide.web.staff.calendar_grid import practice_zone
from longtide.web.times import when_label

FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class WaitlistQuery(forms.Form):
    show = forms.ChoiceField(
        choices=[("active", gettext_lazy("Waiting and offered")), ("all", gettext_lazy("Everyone"))], required=False
    )


@never_cache
@member_required(Perm.WAITLIST_MANAGE)
def waitlist(request: HttpRequest, practice: Practice) -> HttpResponse:
    now = timezone.now()
    today = local_today(practice, now)
    form = WishesForm(
        practice,
        request.POST or None,
        own_details=False,
        initial={"earliest": today, "latest": today + practice.horizon},
    )
    posted_key = request.POST.get("form_key", "")
    form_key = posted_key if FORM_KEY.fullmatch(posted_key) else secrets.token_urlsafe(24)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            entry = add_by_staff(
                practice=practice,
                wishes=wishes_from(form),
                details=details_from(form),
                by=user,
                form_key=form_key,
                now=now,
            )
        except WaitlistRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, _("%(name)s is on the waitlist.") % {"name": entry.full_name})
            return redirect("staff-waitlist", practice_slug=practice.slug)
    query = WaitlistQuery(request.GET)
    show_all = query.is_valid() and query.cleaned_data["show"] == "all"
    entries = WaitlistEntry.objects.filter(practice=practice).select_related("service", "practitioner")
    if not show_all:
        entries = entries.filter(status__in=ACTIVE)
    entries = entries.order_by("queued_at", "created_at", "pk")[:500]
    offers: dict[int, list[WaitlistOffer]] = {}
    for offer in WaitlistOffer.objects.filter(entry__in=[e.pk for e in entries]).select_related("appointment"):
        offers.setdefault(offer.entry_id, []).append(offer)
    zone = practice_zone(practice)
    rows = [
        {
            "entry": e,
            "wishes": wishes_text(e),
            "offers": [
                {
                    "when": when_label(o.appointment.start, zone),
                    "status": o.appointment.get_status_display(),
                    "held": o.appointment.holds_time(now) and o.appointment.status == "held",
                    "until": when_label(o.appointment.hold_until, zone) if o.appointment.hold_until else "",
                    "appointment": o.appointment,
                }
                for o in offers.get(e.pk, [])
            ],
        }
        for e in entries
    ]
    context = {
        "practice": practice,
        "rows": rows,
        "form": form,
        "form_key": form_key,
        "show_all": show_all,
        "zone_name": str(zone),
        "active": [WaitlistStatus.WAITING, WaitlistStatus.OFFERED, WaitlistStatus.UNCONFIRMED],
    }
    return render(request, "web/staff/waitlist.html", context, status=400 if form.is_bound else 200)


@never_cache
@member_required(Perm.WAITLIST_MANAGE)
@require_POST
def remove(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry, practice=practice, pk=pk)
    if leave(entry, by=ChangedBy.staff(request.user)):
        messages.success(request, _("%(name)s is off the waitlist.") % {"name": entry.full_name})
    else:
        messages.info(request, _("%(name)s was no longer waiting.") % {"name": entry.full_name})
    return redirect("staff-waitlist", practice_slug=practice.slug)
