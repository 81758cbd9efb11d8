"""Services: what clients can book, for how long, at what price, with whom and where; their order."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longtide.practice.catalogue import move_in_order, save_service
from longtide.practice.models import Practice, Service
from longtide.scheduling.waitlist import delete_service
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.catalogue_forms import ServiceForm
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.practice_forms import lock_practice


@owner_page()
def service_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    services = practice.services.annotate(offered_by=Count("practitioners"), booked=Count("appointments"))
    return render(
        request, "web/staff/settings/services.html", {"practice": practice, "section": "services", "services": services}
    )


@owner_page()
def service_edit(request: HttpRequest, practice: Practice, pk: int | None = None) -> HttpResponse:
    service = get_object_or_404(practice.services, pk=pk) if pk else Service(practice=practice)
    form = ServiceForm(practice, request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            lock_practice(practice)  # the name checked again and saved under one lock
            saved = (
                save_service(
                    service=form.save(commit=False),
                    practitioners=form.cleaned_data["practitioners"],
                    rooms=form.cleaned_data["rooms"],
                )
                if form.name_still_free()
                else None
            )
        if saved is not None:
            messages.success(request, _("Saved the service %(name)s.") % {"name": saved.name})
            return redirect("settings-services", practice.slug)
    if pk:
        service.refresh_from_db()
    context = {"practice": practice, "section": "services", "form": form, "service": service if pk else None}
    return render(request, "web/staff/settings/service_form.html", context, status=form_status(form))


@owner_page()
@require_POST
def service_move(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    service = get_object_or_404(practice.services, pk=pk)
    move_in_order(item=service, direction="up" if request.POST.get("direction") == "up" else "down")
    return redirect("settings-services", practice.slug)


@owner_page()
@require_POST
def service_delete(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    service = get_object_or_404(practice.services, pk=pk)
    try:
        delete_service(service)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    except ProtectedError:
        messages.error(
            request, _("%(name)s has appointments, so it cannot be deleted; hide it instead.") % {"name": service.name}
        )
    else:
        messages.success(request, _("Deleted the service %(name)s.") % {"name": service.name})
    return redirect("settings-services", practice.slug)
