"""Merging two records of the same person, from the record to keep: find the duplicate by search,
see what moves, confirm (records/merge.py does it, in one transaction, recorded and audited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.clients.directory import MAX_QUERY, clean_query, search_clients
from longtide.clients.models import Client
from longtide.lib.bounds import parse_id
from longtide.practice.access import Perm, acting, can, member_required, role_in
from longtide.practice.models import Practice
from longtide.records.merge import MergeRefused, merge_clients, preview
from longtide.web.staff.calendar_grid import practice_zone

MATCHES = 10


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    seen = forms.CharField(max_length=64, widget=forms.HiddenInput)


def _pick(practice: Practice, kept: Client, value: str | None) -> Client | None:
    pk = parse_id((value or "").strip())
    if pk is None:
        return None
    return Client.objects.for_practice(practice).exclude(pk=kept.pk).filter(pk=pk).first()


@never_cache
@member_required(Perm.CLIENTS_MERGE)
def merge(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    kept = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    if kept.merged_into_id:
        messages.info(
            request,
            _("This record was merged into %(name)s's: merge into that one.") % {"name": kept.in_use.full_name},
        )
        return redirect("staff-client", practice_slug=practice.slug, pk=kept.merged_into_id)
    error = None
    status = 200
    data = request.POST if request.method == "POST" else request.GET
    duplicate = _pick(practice, kept, data.get("duplicate"))
    if data.get("duplicate") and duplicate is None:
        error, status = _("That record is not one of this practice's other clients. Search again."), 400
    clinical = can(request.user, Perm.CLINICAL_READ, practice)
    if request.method == "POST":
        form = MergeForm(request.POST)
        if duplicate is not None and form.is_valid():
            try:
                merge_clients(
                    practice=practice,
                    kept=kept,
                    duplicate=duplicate,
                    by=acting(request, role_in(request.user, practice)),
                    now=timezone.now(),
                    seen=form.cleaned_data["seen"],
                    clinical=clinical,
                )
            except MergeRefused as refused:
                error, status = refused.message, 409
                duplicate.refresh_from_db()
                kept.refresh_from_db()
            else:
                messages.success(
                    request, _("%(name)s's record is merged into this one.") % {"name": duplicate.full_name}
                )
                return redirect("staff-client", practice_slug=practice.slug, pk=kept.pk)
        elif error is None:
            error, status = _("Choose the duplicate record from the search, then confirm."), 400
    query = clean_query(data.get("q", ""))
    matches = None
    if query and duplicate is None:
        matches = list(search_clients(practice, query).exclude(pk=kept.pk)[:MATCHES])
    shown = preview(kept, duplicate, clinical=clinical) if duplicate is not None else None
    context = {
        "practice": practice,
        "client": kept,
        "query": query,
        "max_query": MAX_QUERY,
        "matches": matches,
        "duplicate": duplicate,
        "preview": shown,
        "error": error,
        "zone_name": str(practice_zone(practice)),
    }
    return render(request, "web/staff/client_merge.html", context, status=status)
