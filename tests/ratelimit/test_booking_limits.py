"""Online bookings per email address and per network address: the practice's limits, counted in the
database, with clear 429 answers (JSON with Retry-After; the HTML form keeps what was typed)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from pytest_django import Settings

from conftest import Cast, ClientResponse
from longtide.ratelimit.models import Counter
from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 07:00 in New York
API = "/api/v1/p/tidewater/bookings"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(hour: int) -> str:
    return f"2026-12-02T{hour:02d}:00:00-05:00"


def api_book(
    client: HttpClient, cast: Cast, start: str, email: str, address: str = "203.0.113.7", **headers: str
) -> ClientResponse:
    payload = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": start,
        "client": {"first_name": "Ola", "last_name": "Berg", "email": email},
    }
    return client.post(API, payload, content_type="application/json", REMOTE_ADDR=address, headers=headers)


def limits(cast: Cast, *, per_email: int = 6, per_address: int = 20) -> None:
    cast.tidewater.online_bookings_per_email_per_day = per_email
    cast.tidewater.online_bookings_per_ip_per_hour = per_address
    cast.tidewater.save()


def test_bookings_per_email_address_stop_at_the_practices_limit(client: HttpClient, cast: Cast) -> None:
    limits(cast, per_email=2)
    assert [api_book(client, cast, at(h), "ola@example.test").status_code for h in (9, 11)] == [201, 201]
    refused = api_book(client, cast, at(13), "OLA@example.test", address="198.51.100.9")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "This email address has been used for as many online bookings as Tidewater Craniosacral takes "
        "in a day. Please try again in 12 hours.",
        "code": "rate_limited",
    }
    assert refused["Retry-After"] == str(12 * 3600)  # the day's window ends at midnight UTC
    assert Appointment.objects.count() == 2
    assert api_book(client, cast, at(13), "someone.else@example.test").status_code == 201


def test_bookings_per_network_address_stop_at_the_practices_limit(
    client: HttpClient, cast: Cast, frozen: time_machine.Traveller
) -> None:
    limits(cast, per_address=2)
    assert [api_book(client, cast, at(h), f"p{h}@example.test").status_code for h in (9, 11)] == [201, 201]
    refused = api_book(client, cast, at(13), "p13@example.test")
    assert (refused.status_code, refused.json()["code"], refused["Retry-After"]) == (429, "rate_limited", "3600")
    assert "Your network has made as many online bookings" in refused.json()["detail"]
    assert api_book(client, cast, at(13), "p13@example.test", address="198.51.100.9").status_code == 201
    frozen.shift(3600)
    assert api_book(client, cast, at(15), "p15@example.test").status_code == 201, "a new hour, a new count"


def test_only_bookings_made_count(client: HttpClient, cast: Cast) -> None:
    limits(cast, per_address=2)
    assert api_book(client, cast, at(9), "first@example.test").status_code == 201
    # Lost races for a taken time, bad requests and replays count nothing.
    for n in range(5):
        assert api_book(client, cast, at(9), f"loser{n}@example.test").status_code == 409
    assert api_book(client, cast, "2026-12-02T09:07:00-05:00", "odd@example.test").status_code == 409
    assert api_book(client, cast, at(11), "not-an-email").status_code == 422
    key = {"Idempotency-Key": "again"}
    assert api_book(client, cast, at(11), "second@example.test", **key).status_code == 201
    assert api_book(client, cast, at(11), "second@example.test", **key).status_code == 200
    assert api_book(client, cast, at(13), "third@example.test").status_code == 429


def test_staff_bookings_are_not_limited(client: HttpClient, cast: Cast) -> None:
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    limits(cast, per_email=1, per_address=1)
    for hour in (14, 16, 18):
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=datetime(2026, 12, 2, hour, 0, tzinfo=UTC),
            client=ClientDetails("Ola", "Berg", "ola@example.test"),
            source=Source.STAFF,
            client_address="203.0.113.7",
        )
    assert Appointment.objects.count() == 3


def test_the_booking_form_answers_429_and_keeps_what_was_typed(client: HttpClient, cast: Cast) -> None:
    limits(cast, per_email=1)
    assert api_book(client, cast, at(9), "ola@example.test").status_code == 201
    response = client.post(
        "/p/tidewater/book/cst-60/details/",
        {
            "slot": f"2026-12-02T16:00:00+00:00|{cast.ana.pk}",
            "request_key": "q" * 32,
            "first_name": "Ola",
            "last_name": "Berg",
            "email": "ola@example.test",
            "note": "side door please",
        },
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 429
    assert response["Retry-After"] == str(12 * 3600)
    page = html.unescape(response.text)
    assert "as many online bookings as Tidewater Craniosacral takes in a day" in page
    assert 'value="Berg"' in page and "side door please" in page
    assert Appointment.objects.count() == 1


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    client: HttpClient, cast: Cast, settings: Settings
) -> None:
    limits(cast, per_address=1)
    # Without PROXY_HOPS a visitor's own X-Forwarded-For is ignored: it cannot dodge the limit.
    assert api_book(client, cast, at(9), "a@example.test", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 201
    assert api_book(client, cast, at(11), "b@example.test", HTTP_X_FORWARDED_FOR="5.6.7.8").status_code == 429
    settings.PROXY_HOPS = 1
    behind = {"address": "10.0.0.2"}  # the proxy
    assert (
        api_book(client, cast, at(11), "b@example.test", **behind, HTTP_X_FORWARDED_FOR="9.9.9.1, 1.2.3.4").status_code
        == 201
    )
    assert api_book(client, cast, at(13), "c@example.test", **behind, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429


def test_the_counters_hold_no_email_or_network_address(client: HttpClient, cast: Cast) -> None:
    api_book(client, cast, at(9), "ola@example.test")
    stored = repr(list(Counter.objects.values()))
    assert Counter.objects.count() == 2
    assert "ola" not in stored and "203.0.113" not in stored


def test_ipv6_addresses_count_by_their_64_network(client: HttpClient, cast: Cast) -> None:
    limits(cast, per_address=1)
    assert api_book(client, cast, at(9), "a@example.test", address="2001:db8:1:2::10").status_code == 201
    assert api_book(client, cast, at(11), "b@example.test", address="2001:db8:1:2::ffff").status_code == 429
    assert api_book(client, cast, at(11), "b@example.test", address="2001:db8:1:3::1").status_code == 201


def test_old_windows_are_cleaned_up(client: HttpClient, cast: Cast, frozen: time_machine.Traveller) -> None:
    api_book(client, cast, at(9), "ola@example.test")
    frozen.shift(timedelta(days=3))
    api_book(client, cast, "2026-12-07T10:00:00-05:00", "new@example.test")
    assert Counter.objects.count() == 2, "the first day's two counters are gone, the new day's two are there"
