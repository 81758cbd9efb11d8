"""Public online booking: service → practitioner (or anyone) → time → details → confirmed."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache

from longtide.lib import bounds
from longtide.lib.weeks import bookable_week
from longtide.practice.models import STYLE_DESCRIPTIONS, Location, Practice, Practitioner, Service, Style
from longtide.ratelimit.addresses import client_address
from longtide.scheduling.booking import ClientDetails, alternatives, book_appointment
from longtide.scheduling.booking_rules import BookingError, IdempotencyKeyReused, SlotTaken, TooManyBookings
from longtide.scheduling.models import Appointment, Source
from longtide.scheduling.search import search_slots
from longtide.web.bad_input import bad_request_page, query_without
from longtide.web.htmx import page_or_fragment
from longtide.web.public.booking_forms import (
    FORM_KEY_PREFIX,
    SLOT_NOT_VALID,
    DetailsForm,
    new_request_key,
    valid_request_key,
)
from longtide.web.times import (
    TimeChoice,
    chosen_day,
    group_by_day,
    parse_day,
    parse_slot,
    slot_value,
    when_label,
    zone_abbreviation,
)


def _practice(slug: str) -> tuple[Practice, Location]:
    practice = get_object_or_404(Practice, slug=slug)
    location = practice.locations.first()
    if location is None:
        raise Http404(_("This practice has no location yet."))
    return practice, location


def _service(practice: Practice, slug: str) -> Service:
    return get_object_or_404(practice.services.active(), slug=slug)


NO_SUCH_SERVICE = gettext_noop("That service is not bookable online at the moment. Choose from the services below.")


def _service_gone(request: HttpRequest, practice: Practice) -> HttpResponse:
    """An old or mistyped link to a service: the service step, saying so (404)."""
    return _service_step(request, practice, None, problem=_(NO_SUCH_SERVICE), status=404)


def _service_step(
    request: HttpRequest, practice: Practice, person: Practitioner | None, *, problem: str = "", status: int = 200
) -> HttpResponse:
    services = list((person.services if person else practice.services).active().order_by("sort_order", "name"))
    context = {
        "practice": practice,
        "person": person,
        "problem": problem,
        "first_visits": [s for s in services if s.is_first_visit],
        "returning": [s for s in services if not s.is_first_visit],
    }
    return render(request, "web/booking/service.html", context, status=status)


# Said when a link names a practitioner who is unknown, no longer bookable, or does not offer the service.
NO_SUCH_PRACTITIONER = gettext_noop(
    "That practitioner is not taking online bookings at the moment. Choose from the list below."
)
NOT_OFFERED = gettext_noop(
    "%(name)s does not offer %(service)s online. Choose another practitioner or another service."
)


def _wanted_practitioner(request: HttpRequest, practice: Practice) -> tuple[Practitioner | None, str, int]:
    """The practitioner a link names in ``?practitioner=<id>``: (person, message, status).

    No practitioner named (or "any") is (None, "", 200). An unknown, inactive, malformed or
    out-of-range id (lib/bounds.py: past 2**63 - 1 is "no such id") is a 404 with a message for the
    page, which still lets the visitor carry on.
    """
    raw = request.GET.get("practitioner", "")
    if raw in ("", "any"):
        return None, "", 200
    wanted = bounds.parse_id(raw)
    person = practice.practitioners.active().filter(pk=wanted).first() if wanted is not None else None
    if person is None:
        return None, _(NO_SUCH_PRACTITIONER), 404
    return person, "", 200


def choose_service(request: HttpRequest, practice_slug: str) -> HttpResponse:
    """Step 1. From a practitioner's page ("Book with …", ``?practitioner=<id>``) only their services,
    each going straight to their free times."""
    practice, _location = _practice(practice_slug)
    person, problem, status = _wanted_practitioner(request, practice)
    return _service_step(request, practice, person, problem=problem, status=status)


def choose_practitioner(
    request: HttpRequest, practice_slug: str, service_slug: str, *, problem: str = "", status: int = 200
) -> HttpResponse:
    practice, _location = _practice(practice_slug)
    service = practice.services.active().filter(slug=service_slug).first()
    if service is None:
        return _service_gone(request, practice)
    style = request.GET.get("style", "")
    people = service.practitioners.active().order_by("sort_order", "display_name")
    if style in Style.values:
        people = people.filter(style=style)
    chosen = request.GET.get("practitioner", "any")
    context = {
        "practice": practice,
        "service": service,
        "people": people,
        "styles": [(s, STYLE_DESCRIPTIONS[s]) for s in Style],
        "chosen_style": style if style in Style.values else "",
        "chosen": chosen if not problem and any(str(p.pk) == chosen for p in people) else "any",
        "problem": problem,
    }
    return render(request, "web/booking/practitioner.html", context, status=status)


def choose_time(request: HttpRequest, practice_slug: str, service_slug: str) -> HttpResponse:
    practice, location = _practice(practice_slug)
    service = practice.services.active().filter(slug=service_slug).first()
    if service is None:
        return _service_gone(request, practice)
    zone = location.zone
    style = request.GET.get("style", "") if request.GET.get("style", "") in Style.values else ""
    person, problem, status = _wanted_practitioner(request, practice)
    if person is not None and not service.practitioners.filter(pk=person.pk).exists():
        problem, status = _(NOT_OFFERED) % {"name": person.display_name, "service": service.name}, 404
    if problem:
        # A stale or hand-made link: the practitioner step, saying what was wrong.
        return choose_practitioner(request, practice_slug, service_slug, problem=problem, status=status)
    choice = str(person.pk) if person else "any"
    now = timezone.now()
    today = now.astimezone(zone).date()
    last_bookable = (now + practice.horizon).astimezone(zone).date()
    asked = request.GET.get("from")
    if asked and parse_day(asked) is None:
        return bad_request_page(request, _(bounds.DATE_MESSAGE), back=query_without(request, "from"))
    # On a phone the step is day-first (?day=YYYY-MM-DD): one day's times, the other days as links.
    asked_day = request.GET.get("day")
    if asked_day and parse_day(asked_day) is None:
        return bad_request_page(request, _(bounds.DATE_MESSAGE), back=query_without(request, "day"))
    wanted_day = parse_day(asked_day)
    start_from = parse_day(asked)
    if wanted_day is not None and wanted_day not in bookable_week(start_from, today, last_bookable).days:
        start_from = wanted_day  # a day outside the week asked for starts its own week
    window = bookable_week(start_from, today, last_bookable)
    days, first = window.days, window.first
    found = search_slots(
        practice=practice,
        service=service,
        practitioner_id=person.pk if person is not None else None,
        style=style or None,
        first_day=days[0],
        last_day=days[-1],
        now=now,
    )
    names = dict(practice.practitioners.values_list("pk", "display_name"))
    next_free = None
    if not found.slots and days[-1] < last_bookable:
        later = search_slots(
            practice=practice,
            service=service,
            first_day=days[-1] + timedelta(days=1),
            last_day=last_bookable,
            now=now,
            any_practitioner=True,
            places=found.places,
        )
        next_free = later.slots[0].start.astimezone(zone).date() if later.slots else None
    base = {"practitioner": choice, **({"style": style} if style else {})}
    week = group_by_day(found.slots, zone, days, names)
    context = {
        "practice": practice,
        "service": service,
        "person": person,
        "choice": choice,
        "style": style,
        "days": week,
        "chosen_day": chosen_day(week, wanted_day),
        "day_url": _week_url(practice, service, base, first),
        "zone_name": zone_abbreviation(zone, days[0]),
        "prev_url": _week_url(practice, service, base, window.previous) if window.previous else None,
        "next_url": _week_url(practice, service, base, window.following) if window.following else None,
        "next_free_url": _week_url(practice, service, base, next_free) if next_free else None,
        "next_free": next_free,
        "details_url": reverse("book-details", args=[practice.slug, service.slug]),
    }
    return page_or_fragment(request, "web/booking/times.html", "week", context)


def _week_url(practice: Practice, service: Service, params: dict[str, str], first: date) -> str:
    path = reverse("book-times", args=[practice.slug, service.slug])
    return f"{path}?{urlencode({**params, 'from': first.isoformat()})}"


def details(request: HttpRequest, practice_slug: str, service_slug: str) -> HttpResponse:
    practice, location = _practice(practice_slug)
    service = _service(practice, service_slug)
    if request.method == "POST":
        form = DetailsForm(request.POST)
    else:
        # The key this browser was given for this service and time, else a new one: the back button
        # (which loads the page again) then sends the same request, not a second one. Never a key
        # from the address: an address is shared ("book this time: <link>"), and a key in it tied
        # everyone who followed it to the first person's request (a review found their name and
        # email on the others' request page).
        slot_asked = request.GET.get("slot", "")
        issued = _issued(request)
        key = issued.get(_form_of(service, slot_asked)) or new_request_key()
        form = DetailsForm(initial={"slot": slot_asked, "request_key": key})
    chosen = None
    other_times: list[TimeChoice] = []
    retry_after: int | None = None
    first_visit_refused = False
    if request.method == "POST" and form.is_valid():
        start, practitioner_id = form.cleaned_data["slot"]
        person = practice.practitioners.filter(pk=practitioner_id).first()
        key = form.cleaned_data["request_key"]
        try:
            booked = book_appointment(
                practice=practice,
                service=service,
                practitioner=person,
                start=start,
                client=ClientDetails(
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                ),
                note=form.cleaned_data["note"],
                idempotency_key=FORM_KEY_PREFIX + key,
                client_address=client_address(request),
            )
        except IdempotencyKeyReused:
            # This form was sent before, then changed (the back button): it already booked.
            return redirect(_requested_url(practice, key, again=True))
        except TooManyBookings as exc:
            form.add_error(None, exc.message)
            retry_after = exc.retry_after
        except SlotTaken as exc:
            form.add_error(None, exc.message)
            other_times = _alternatives(practice, service, person, start, location)
        except BookingError as exc:
            # Errors about the slot or the service belong to the whole form; the rest name a field.
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            first_visit_refused = exc.code == "first_visit_required"
        else:
            # Never the manage link: it goes only to the email address, whose owner confirms.
            sent = redirect(_requested_url(practice, key, again=not booked.created))
            _remember(request, sent, practice, key)
            return sent
    raw = form.data.get("slot") if form.is_bound else request.GET.get("slot", "")
    parsed = parse_slot(raw or "")
    if parsed:
        start, practitioner_id = parsed
        person = practice.practitioners.filter(pk=practitioner_id).first()
        chosen = {
            "when": when_label(start, location.zone),
            "person": person,
            # Inside the cancellation window the client cannot change it online afterwards: say so first.
            "inside_window": start < timezone.now() + practice.cancellation_window,
        }
    context = {
        "practice": practice,
        "service": service,
        "location": location,
        "form": form,
        "chosen": chosen,
        "other_times": other_times,
        "first_visits": practice.services.active().filter(is_first_visit=True),
        "returning_only": practice.new_clients_first_visit and not service.is_first_visit,
        # A refusal that only a first visit mends: the form offers them (the message says why).
        "first_visit_refused": first_visit_refused,
    }
    if retry_after is not None:
        # Past the practice's limit on online bookings (booking_limits.py): what was typed is kept.
        response = render(request, "web/booking/details.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    # A hand-made or damaged link (year 9999, an id past 2**63 - 1): say so on the page.
    unusable_slot = not form.is_bound and bool(raw) and parsed is None
    context["slot_error"] = SLOT_NOT_VALID if unusable_slot else ""
    status = 409 if other_times else (400 if (form.is_bound and form.errors) or unusable_slot else 200)
    response = render(request, "web/booking/details.html", context, status=status)
    if not form.is_bound:
        _issue(response, practice, issued, _form_of(service, slot_asked), key)
    return response


# The request keys given to this browser's details pages, by service and time (the latest few), in
# a signed cookie scoped to the booking pages: the same page shown again keeps its key.
FORMS_COOKIE = "booking_forms"
_FORMS_SALT = "longtide.booking-forms"
_FORMS_KEPT = 8
_FORMS_AGE = 2 * 3600


def _form_of(service: Service, slot: str) -> str:
    return hashlib.sha256(f"{service.pk}|{slot}".encode()).hexdigest()[:16]


def _issued(request: HttpRequest) -> dict[str, str]:
    value = request.get_signed_cookie(FORMS_COOKIE, default="", salt=_FORMS_SALT, max_age=_FORMS_AGE)
    pairs = (item.partition("=") for item in str(value).split())
    return {form: key for form, _sep, key in pairs if len(form) == 16 and valid_request_key(key)}


def _issue(response: HttpResponse, practice: Practice, issued: dict[str, str], form: str, key: str) -> None:
    kept = [(form, key), *((f, k) for f, k in issued.items() if f != form)][:_FORMS_KEPT]
    _private_cookie(
        response,
        FORMS_COOKIE,
        " ".join(f"{f}={k}" for f, k in kept),
        _FORMS_SALT,
        _FORMS_AGE,
        reverse("book", args=[practice.slug]),
    )


def _private_cookie(response: HttpResponse, name: str, value: str, salt: str, age: int, path: str) -> None:
    """A signed cookie only the pages under `path` receive, never read by scripts."""
    response.set_signed_cookie(
        name,
        value,
        salt=salt,
        max_age=age,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# The keys of the booking requests this browser sent (the latest few), in a signed cookie scoped to
# the request pages: only the browser that sent a request sees what it holds (requested).
REQUESTS_COOKIE = "booking_requests"
_REQUESTS_SALT = "longtide.booking-requests"
_REQUESTS_KEPT = 4
_REQUESTS_AGE = 14 * 24 * 3600


def _requests_path(practice: Practice) -> str:
    return reverse("book-requested", args=[practice.slug, "k"]).removesuffix("k/")


def _remembered(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(REQUESTS_COOKIE, default="", salt=_REQUESTS_SALT, max_age=_REQUESTS_AGE)
    return [key for key in str(value).split() if valid_request_key(key)]


def _remember(request: HttpRequest, response: HttpResponse, practice: Practice, key: str) -> None:
    keys = [key, *(k for k in _remembered(request) if k != key)][:_REQUESTS_KEPT]
    _private_cookie(response, REQUESTS_COOKIE, " ".join(keys), _REQUESTS_SALT, _REQUESTS_AGE, _requests_path(practice))


def _requested_url(practice: Practice, key: str, *, again: bool) -> str:
    url = reverse("book-requested", args=[practice.slug, key])
    return f"{url}?again=1" if again else url


@never_cache
def requested(request: HttpRequest, practice_slug: str, key: str) -> HttpResponse:
    """The booking request a form sent: what was typed, and that the confirmation link is in the email.

    Found by the form's own random key, made for each details page shown. What the request holds
    (the time, the name, the address) is shown only to the browser that sent it (its signed cookie,
    _remember); anyone else with the address learns only that a request was sent. It shows the same
    for every email address, a client's or not, and never the manage link.
    """
    practice, _location = _practice(practice_slug)
    if valid_request_key(key) is None:
        raise Http404(_("No such booking request."))
    appointment = get_object_or_404(
        Appointment.objects.select_related("service", "practitioner", "location"),
        practice=practice,
        source=Source.ONLINE,
        idempotency_key=FORM_KEY_PREFIX + key,
    )
    zone = appointment.location.zone
    context = {
        "practice": practice,
        "appointment": appointment,
        "when": when_label(appointment.start, zone),
        "hold_until": when_label(appointment.hold_until, zone) if appointment.hold_until else "",
        "again": request.GET.get("again") == "1",
        "theirs": key in _remembered(request),
    }
    return render(request, "web/booking/requested.html", context)


def _alternatives(
    practice: Practice, service: Service, person: Practitioner | None, start: datetime, location: Location
) -> list[TimeChoice]:
    names = dict(practice.practitioners.values_list("pk", "display_name"))
    slots = alternatives(practice=practice, service=service, practitioner=person, around=start)
    zone = location.zone
    return [
        TimeChoice(
            label=f"{when_label(s.start, zone)}",
            value=slot_value(s.start, s.practitioner_id),
            practitioner=names.get(s.practitioner_id, ""),
            start=s.start,
        )
        for s in slots
    ]
