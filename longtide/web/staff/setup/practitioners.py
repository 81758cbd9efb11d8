"""Practitioners: who they are (name, credentials, style, training, bio, photo), what they offer, their login."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.practice.catalogue import move_in_order, save_practitioner
from longtide.practice.models import Practice, Practitioner
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.catalogue_forms import PractitionerForm
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.practice_forms import lock_practice


@owner_page()
def practitioner_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    people = practice.practitioners.annotate(
        offers=Count("services", distinct=True), hours=Count("working_hours", distinct=True)
    )
    context = {
        "practice": practice,
        "section": "practitioners",
        "people": people,
        "locations": practice.locations.all(),
    }
    return render(request, "web/staff/settings/practitioners.html", context)


@owner_page()
def practitioner_edit(request: HttpRequest, practice: Practice, pk: int | None = None) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk) if pk else Practitioner(practice=practice)
    form = PractitionerForm(practice, request.POST or None, request.FILES or None, instance=person)
    if request.method == "POST" and form.is_valid():
        # The photo was prepared by the form, before the lock: under it, the name checked again and saved.
        with transaction.atomic():
            lock_practice(practice)
            saved = (
                save_practitioner(
                    practitioner=form.save(commit=False),
                    services=form.cleaned_data["services"],
                    photo=form.prepared_photo,
                    remove_photo=form.cleaned_data["remove_photo"],
                )
                if form.name_still_free()
                else None
            )
        if saved is not None:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.display_name})
            if not pk and not saved.working_hours.exists():
                return redirect("settings-hours", practice.slug, saved.pk)
            return redirect("settings-practitioners", practice.slug)
    if pk:
        person.refresh_from_db()
    context = {"practice": practice, "section": "practitioners", "form": form, "person": person if pk else None}
    return render(request, "web/staff/settings/practitioner_form.html", context, status=form_status(form))


@owner_page()
@require_POST
def practitioner_move(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    person = get_object_or_404(practice.practitioners, pk=pk)
    move_in_order(item=person, direction="up" if request.POST.get("direction") == "up" else "down")
    return redirect("settings-practitioners", practice.slug)
