"""The client list (search by name, email or phone, paginated), a client's page (contact details, upcoming
and past appointments, no-show and late-cancel counts, messages sent) and adding or correcting a client.

Non-clinical only: the booking note and everything in the chart stay out of these pages. The chart is
its own page (`clients/<id>/chart/`), linked from here when it exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from longtide.clients.directory import (
    MAX_QUERY,
    ClientRefused,
    ContactDetails,
    ListedClient,
    add_client,
    clean_query,
    list_clients,
    update_client,
)
from longtide.clients.models import Client
from longtide.notifications.models import Message
from longtide.practice.access import Perm, alert_reader, can, member_required
from longtide.practice.models import Practice
from longtide.records.models import ClientMerge
from longtide.scheduling.booking_messages import about
from longtide.scheduling.models import Appointment, Status
from longtide.web.staff.calendar_forms import ClientContactForm
from longtide.web.staff.calendar_grid import practice_zone
from longtide.web.staff.outbox import labelled

PAGE_SIZE = 50
# Matches counted at most: past this the list says "more than 1,000" and asks for more of the name,
# instead of counting every "a…" among 100,000 clients on each keystroke.
COUNT_CAP = 1000
PAST_SHOWN = 50
MESSAGES_SHOWN = 30


class CountedPaginator(Paginator[ListedClient]):
    """The list's pages for a count already known (`list_clients` reads it with the page)."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its value


def find_page(practice: Practice, text: str, number: int) -> tuple[Page[ListedClient], bool]:
    """The list's page `number` of the clients matching `text` (Django's `Paginator.get_page` rule: a
    number past the last page shows the last page) and whether the count stopped at COUNT_CAP. The
    count is of at most COUNT_CAP + 1 matches: a common prefix stops there instead of counting
    every "a…" among 100,000 clients, and pages end at the cap."""
    listed = list_clients(practice.pk, text, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, cap=COUNT_CAP)
    paginator = CountedPaginator(min(listed.counted, COUNT_CAP), PAGE_SIZE)
    shown = number if 1 <= number <= paginator.num_pages else paginator.num_pages
    if shown != number:
        listed = list_clients(practice.pk, text, offset=(shown - 1) * PAGE_SIZE, limit=PAGE_SIZE, cap=COUNT_CAP)
    return Page(listed.clients, shown, paginator), listed.counted > COUNT_CAP


class ClientQuery(forms.Form):
    """The list's URL parameters. Unusable values fall back to the defaults, never an error page."""

    q = forms.CharField(required=False, max_length=1000, strip=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def values(self) -> tuple[str, int]:
        self.is_valid()
        return clean_query(self.cleaned_data.get("q") or ""), self.cleaned_data.get("page") or 1


@never_cache
@member_required(Perm.CLIENTS_VIEW)
def client_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    text, number = ClientQuery(request.GET).values()
    page, capped = find_page(practice, text, number)
    context = {
        "practice": practice,
        "query": text,
        "capped": capped,
        "count_cap": COUNT_CAP,
        "max_query": MAX_QUERY,
        "page": page,
        "zone_name": str(practice_zone(practice)),
    }
    return render(request, "web/staff/clients.html", context)


def _chart_url(practice: Practice, client: Client) -> str | None:
    """The client's chart page, once the clinical records provide one (else no link)."""
    path = f"/staff/{practice.slug}/clients/{client.pk}/chart/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


@never_cache
@member_required(Perm.CLIENTS_VIEW)
def client_page(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    now = timezone.now()
    visits = (
        Appointment.objects.for_practice(practice)
        .filter(client=client)
        .select_related("service", "practitioner", "location", "room")
        .defer("note")  # the booking note may be clinical: never on this page
    )
    upcoming = list(visits.filter(start__gte=now, status__in=(Status.BOOKED, Status.HELD)).order_by("start"))
    past = list(visits.exclude(pk__in=[a.pk for a in upcoming]).order_by("-start")[:PAST_SHOWN])
    counts = visits.aggregate(
        total=Count("pk"),
        no_shows=Count("pk", filter=Q(status=Status.NO_SHOW)),
        late_cancels=Count("pk", filter=Q(status=Status.LATE_CANCELLED)),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
    )
    ids = list(visits.values_list("pk", flat=True))
    sent = (
        Message.objects.for_practice(practice.pk)
        .filter(about__in=[about(i) for i in ids])
        .defer("body_text", "body_html", "attachments")
        .order_by("-id")[:MESSAGES_SHOWN]
    )
    context: dict[str, Any] = {
        "practice": practice,
        "client": client,
        "upcoming": upcoming,
        "past": past,
        "past_more": counts["total"] - len(upcoming) - len(past),
        "counts": counts,
        "sent": labelled(sent, alert_reader(request.user, practice)),
        "chart_url": _chart_url(practice, client),
        "book_url": reverse("staff-book", kwargs={"practice_slug": practice.slug}) + f"?client={client.in_use.pk}",
        "zone_name": str(practice_zone(practice)),
        "may_merge": can(request.user, Perm.CLIENTS_MERGE, practice),
        "merges_in": list(ClientMerge.objects.filter(kept=client)),
        "merge_out": ClientMerge.objects.filter(merged=client).first(),
    }
    return render(request, "web/staff/client.html", context)


def _details(form: ClientContactForm) -> ContactDetails:
    return ContactDetails(**{k: form.cleaned_data[k] for k in ("first_name", "last_name", "email", "phone")})


def _refused(form: ClientContactForm, practice: Practice, refused: ClientRefused) -> None:
    form.add_error(refused.field, refused.message)
    if refused.other is not None:
        form.other_client = refused.other  # type: ignore[attr-defined]  # the page links to them


@never_cache
@member_required(Perm.CLIENTS_EDIT)
def client_new(request: HttpRequest, practice: Practice) -> HttpResponse:
    form = ClientContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = add_client(practice, _details(form))
        except ClientRefused as refused:
            _refused(form, practice, refused)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": client.full_name})
            return redirect("staff-client", practice_slug=practice.slug, pk=client.pk)
    context = {"practice": practice, "form": form, "client": None, "zone_name": str(practice_zone(practice))}
    return render(request, "web/staff/client_form.html", context)


@never_cache
@member_required(Perm.CLIENTS_EDIT)
def client_edit(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    initial = {"first_name": client.first_name, "last_name": client.last_name}
    initial |= {"email": client.email, "phone": client.phone}
    form = ClientContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_client(client, _details(form))
        except ClientRefused as refused:
            _refused(form, practice, refused)
        else:
            messages.success(request, _("Saved %(name)s's details.") % {"name": client.full_name})
            return redirect("staff-client", practice_slug=practice.slug, pk=client.pk)
    context = {"practice": practice, "form": form, "client": client, "zone_name": str(practice_zone(practice))}
    return render(request, "web/staff/client_form.html", context)
