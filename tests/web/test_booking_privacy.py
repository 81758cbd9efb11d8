"""The booking form and API never tell a visitor whether an email address belongs to a client.

Cleo (cleo@example.test) is a client of Tidewater; new@example.test is nobody. Each test makes the same
request once with each address, each time on the same database state (a rolled-back savepoint), and
compares everything a visitor sees: status, headers, body, where a redirect goes, the page it leads
to, and the availability afterwards.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.scheduling.booking import ClientDetails, book_appointment, confirm_booking
from longtide.scheduling.models import Appointment, Source, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WED_10 = "2026-12-02T10:00:00-05:00"
KNOWN, UNKNOWN = "cleo@example.test", "new@example.test"
# Headers left out: a fresh CSRF cookie differs between any two responses, and the length follows
# the body, which is compared itself (the two addresses differ in length).
VARYING_HEADERS = {"set-cookie", "content-length"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def returning_cleo(cast: Cast) -> Appointment:
    """Cleo has had a first visit, so under the first-visit rule she may book a regular session."""
    first = book_appointment(
        practice=cast.tidewater,
        service=cast.first_visit,
        practitioner=cast.ana,
        start=datetime(2026, 12, 3, 14, 0, tzinfo=UTC),
        client=ClientDetails("Cleo", "Park", KNOWN),
        source=Source.STAFF,
    ).appointment
    cast.tidewater.new_clients_first_visit = True
    cast.tidewater.save()
    return first


def seen(response: Any, client: HttpClient) -> dict[str, Any]:
    """Everything a visitor sees of a response, and of the page a redirect leads to."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in VARYING_HEADERS}
    view = {"status": response.status_code, "headers": headers, "body": response.content.decode()}
    if response.status_code in (301, 302, 303):
        page = client.get(response["Location"])
        view["then"] = {"status": page.status_code, "body": page.content.decode()}
    return view


def both(make: Callable[[str], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Make the request with the known and the unknown address, each from the same database state."""
    views = []
    for email in (KNOWN, UNKNOWN):
        with transaction.atomic():
            views.append(make(email))
            transaction.set_rollback(True)
    return views[0], views[1]


def same_apart_from_the_address(known: dict[str, Any], unknown: dict[str, Any]) -> None:
    """The two views are equal once the address typed (and what only the address decides) is aligned."""
    text = repr(known).replace(KNOWN, UNKNOWN)
    assert re.sub(r'"id": ?\d+', '"id": N', text) == re.sub(r'"id": ?\d+', '"id": N', repr(unknown))


def api_post(client: HttpClient, cast: Cast, email: str, **headers: str) -> Any:
    payload = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": WED_10,
        "client": {"first_name": "Mallory", "last_name": "Visitor", "email": email, "phone": ""},
    }
    return client.post("/api/v1/p/tidewater/bookings", payload, content_type="application/json", headers=headers)


def form_post(client: HttpClient, cast: Cast, email: str) -> Any:
    data = {
        "slot": f"2026-12-02T15:00:00+00:00|{cast.ana.pk}",
        "request_key": "r" * 32,
        "first_name": "Mallory",
        "last_name": "Visitor",
        "email": email,
        "phone": "",
        "note": "",
    }
    return client.post("/p/tidewater/book/cst-60/details/", data)


def test_the_api_answers_a_known_and_an_unknown_email_alike(client: HttpClient, cast: Cast) -> None:
    known, unknown = both(lambda email: seen(api_post(client, cast, email), client))
    assert known["status"] == 201
    same_apart_from_the_address(known, unknown)
    assert "Cleo" not in known["body"] and "Park" not in known["body"]


def test_with_the_first_visit_rule_the_api_answers_alike_when_something_is_booked(
    client: HttpClient, cast: Cast, returning_cleo: Any
) -> None:
    # Before: a returning client's address got 201, anyone else's 422 first_visit_required.
    known, unknown = both(lambda email: seen(api_post(client, cast, email), client))
    assert (known["status"], unknown["status"]) == (201, 201)
    same_apart_from_the_address(known, unknown)


def test_with_the_first_visit_rule_the_api_answers_alike_when_nothing_is_booked(
    client: HttpClient, cast: Cast, returning_cleo: Any
) -> None:
    # The time is taken, so nothing is booked either way. Before: 409 for a client, 422 for others.
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        client=ClientDetails("Di", "Okoro", "di@example.test"),
    )
    known, unknown = both(lambda email: seen(api_post(client, cast, email), client))
    assert (known["status"], unknown["status"]) == (409, 409)
    same_apart_from_the_address(known, unknown)


def test_the_form_and_the_page_after_it_show_only_what_was_typed_and_alike(client: HttpClient, cast: Cast) -> None:
    known, unknown = both(lambda email: seen(form_post(client, cast, email), client))
    assert known["status"] == 302
    same_apart_from_the_address(known, unknown)
    page = html.unescape(known["then"]["body"])
    assert "Mallory Visitor" in page
    assert "Cleo" not in page and "Park" not in page


def test_an_idempotent_retry_answers_alike(client: HttpClient, cast: Cast) -> None:
    def twice(email: str) -> dict[str, Any]:
        api_post(client, cast, email, **{"Idempotency-Key": "same"})
        return seen(api_post(client, cast, email, **{"Idempotency-Key": "same"}), client)

    known, unknown = both(twice)
    assert known["status"] == 200
    same_apart_from_the_address(known, unknown)


def test_the_request_to_confirm_is_the_same_email_for_a_client_and_a_stranger(client: HttpClient, cast: Cast) -> None:
    def emailed(email: str) -> dict[str, Any]:
        mail.outbox.clear()
        api_post(client, cast, email)
        deliver_due(worker="test")
        [message] = mail.outbox
        body = re.sub(r"/manage/[\w-]+/", "/manage/TOKEN/", str(message.body))
        return {"to": message.to, "subject": message.subject, "body": body}

    known, unknown = both(emailed)
    same_apart_from_the_address(known, unknown)
    assert "Mallory" not in known["body"] and "Cleo" not in known["body"]


def test_an_unconfirmed_hold_releases_the_time_alike_for_a_client_and_a_stranger(
    client: HttpClient, cast: Cast
) -> None:
    # Holding only a client's booking would show who is one: their unconfirmed hold would lapse and
    # free the time, where a stranger's booking would stay. Every online booking is held alike.
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=2026-12-02&end=2026-12-02"

    def later(email: str) -> dict[str, Any]:
        api_post(client, cast, email)
        during = client.get(url).json()
        with time_machine.travel(NOW + timedelta(hours=3), tick=False):
            after = client.get(url).json()
        return {"during": during, "after": after}

    known, unknown = both(later)
    assert known == unknown
    assert WED_10 not in repr(known["during"]) and WED_10 in repr(known["after"])


def test_a_different_name_never_renames_the_client(client: HttpClient, cast: Cast) -> None:
    api_post(client, cast, KNOWN.upper())
    held = Appointment.objects.get()
    confirm_booking(appointment=held)
    cast.cleo.refresh_from_db()
    assert (cast.cleo.first_name, cast.cleo.last_name, cast.cleo.email) == ("Cleo", "Park", KNOWN)
    assert held.client == cast.cleo and held.status == Status.BOOKED
    assert held.name_differs
