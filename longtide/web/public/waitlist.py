"""The public waitlist page, and the private link that confirms a place or leaves the list.

Joining looks the same for every email address (docs/booking-privacy.md): the page after the form
says to check the email and shows nothing typed; the email names nobody. Only the owner of the
address, from the emailed link, sees and changes the entry.
"""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.ratelimit.addresses import client_address
from longtide.scheduling.booking import ClientDetails
from longtide.scheduling.waitlist import (
    WaitlistRefused,
    Wishes,
    confirm_place,
    find_by_token,
    join,
    leave,
    local_today,
    wishes_text,
)
from longtide.web.public.booking import _practice
from longtide.web.public.waitlist_forms import WishesForm

FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def wishes_from(form: WishesForm) -> Wishes:
    practice = form.practice
    data = form.cleaned_data
    service = practice.services.active().get(slug=data["service"])
    practitioner = practice.practitioners.filter(pk=int(data["practitioner"])).first() if data["practitioner"] else None
    return Wishes(
        service=service,
        practitioner=practitioner,
        earliest=data["earliest"],
        latest=data["latest"],
        weekdays=data["weekdays"],
        time_from=data["time_from"],
        time_to=data["time_to"],
    )


def details_from(form: WishesForm) -> ClientDetails:
    data = form.cleaned_data
    return ClientDetails(data["first_name"], data["last_name"], data["email"], data["phone"])


@never_cache
def join_waitlist(request: HttpRequest, practice_slug: str) -> HttpResponse:
    practice, _location = _practice(practice_slug)
    now = timezone.now()
    today = local_today(practice, now)
    initial = {"service": request.GET.get("service", ""), "earliest": today, "latest": today + practice.horizon}
    if (wanted := request.GET.get("practitioner", "")).isdigit() and len(wanted) < 12:
        initial["practitioner"] = wanted
    form = WishesForm(practice, request.POST or None, initial=initial)
    posted_key = request.POST.get("form_key", "")
    form_key = posted_key if FORM_KEY.fullmatch(posted_key) else secrets.token_urlsafe(24)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            join(
                practice=practice,
                wishes=wishes_from(form),
                details=details_from(form),
                form_key=form_key,
                client_address=client_address(request),
                now=now,
            )
        except WaitlistRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            retry_after = refused.retry_after
        else:
            return redirect("waitlist-sent", practice_slug=practice.slug)
    context = {"practice": practice, "form": form, "form_key": form_key}
    if retry_after is not None:
        response = render(request, "web/booking/waitlist.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    return render(request, "web/booking/waitlist.html", context, status=400 if form.is_bound else 200)


def sent(request: HttpRequest, practice_slug: str) -> HttpResponse:
    practice, _location = _practice(practice_slug)
    return render(request, "web/booking/waitlist_sent.html", {"practice": practice})


def _entry(practice_slug: str, token: str):  # type: ignore[no-untyped-def]
    entry = find_by_token(practice_slug, token)
    if entry is None:
        raise Http404(_("This link is not valid. Please use the link in your email."))
    return entry


@never_cache
def show(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    entry = _entry(practice_slug, token)
    context = {"practice": entry.practice, "entry": entry, "token": token, "wishes": wishes_text(entry)}
    return render(request, "web/booking/waitlist_entry.html", context)


@require_POST
def confirm(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    entry = _entry(practice_slug, token)
    if confirm_place(entry):
        messages.success(request, _("You are on the waitlist. We will email you when a time that suits comes free."))
    elif entry.status != "waiting":
        messages.error(request, _("This place on the waitlist can no longer be confirmed."))
    return redirect("waitlist-entry", practice_slug=practice_slug, token=token)


@require_POST
def leave_waitlist(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    entry = _entry(practice_slug, token)
    if leave(entry):
        messages.success(request, _("You have left the waitlist. We will not offer you times from it."))
    return redirect("waitlist-entry", practice_slug=practice_slug, token=token)
