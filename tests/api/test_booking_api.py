"""The public booking API: availability, bookings, manage-token endpoints."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast, ClientResponse
from longtide.lib.text import CONTROL_MESSAGE
from longtide.notifications.delivery import deliver_due
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def body(cast: Cast, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": "2026-12-02T10:00:00-05:00",
        "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""},
    }
    data.update(over)
    return data


def post(client: HttpClient, data: dict[str, Any], **headers: str) -> ClientResponse:
    return client.post("/api/v1/p/tidewater/bookings", data, content_type="application/json", headers=headers)


def test_availability_lists_slots_in_order_with_local_offsets(client: HttpClient, cast: Cast) -> None:
    url = (
        f"/api/v1/p/tidewater/availability?service={cast.session.pk}&practitioner={cast.ana.pk}"
        "&start=2026-12-02&end=2026-12-02"
    )
    slots = client.get(url).json()["slots"]
    assert slots[0] == {
        "start": "2026-12-02T09:00:00-05:00",
        "end": "2026-12-02T10:00:00-05:00",
        "practitioner": cast.ana.pk,
        "room": cast.willow.pk,
    }
    assert slots[-1]["start"] == "2026-12-02T16:00:00-05:00"
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)
    assert len(slots) == 29  # 09:00 … 16:00 every 15 minutes


def test_availability_for_anyone_and_a_booked_time_disappears(client: HttpClient, cast: Cast) -> None:
    assert post(client, body(cast)).status_code == 201
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&practitioner=any&start=2026-12-02&end=2026-12-02"
    starts = [s["start"] for s in client.get(url).json()["slots"]]
    assert "2026-12-02T10:00:00-05:00" not in starts
    assert "2026-12-02T11:15:00-05:00" in starts  # after the 15-minute buffer
    assert "2026-12-02T11:00:00-05:00" not in starts


@pytest.mark.parametrize(
    ("query", "status", "code", "field", "message"),
    [
        ("service=999&start=2026-12-02&end=2026-12-02", 404, "unknown_service", "service", "Unknown service."),
        ("service={s}&start=2026-12-05&end=2026-12-02", 422, "invalid_range", "end", "end must be on or after start."),
        ("service={s}&start=2026-12-01&end=2027-03-01", 422, "invalid_range", "end", "At most 62 days after start."),
        (
            "service={s}&start=tomorrow&end=2026-12-02",
            422,
            "invalid",
            "start",
            "Use a date written YYYY-MM-DD, e.g. 2026-12-01.",
        ),
        (
            "service={s}&practitioner=bob&start=2026-12-02&end=2026-12-02",
            422,
            "invalid",
            "practitioner",
            "Use an id or 'any'.",
        ),
    ],
)
def test_availability_bad_input_names_the_field_with_a_specific_message(
    client: HttpClient, cast: Cast, query: str, status: int, code: str, field: str, message: str
) -> None:
    response = client.get(f"/api/v1/p/tidewater/availability?{query.format(s=cast.session.pk)}")
    data = response.json()
    assert (response.status_code, data["code"], data["errors"]) == (status, code, {field: [message]})
    assert data["detail"]


def emailed_token() -> str:
    deliver_due(worker="test")
    found = re.search(r"/p/tidewater/manage/([\w-]+)/", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def test_a_booking_is_held_and_its_link_goes_only_to_the_email_address(client: HttpClient, cast: Cast) -> None:
    response = post(client, body(cast, note="first time"))
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "held"
    assert data["hold_until"] == "2026-12-01T09:00:00-05:00"
    assert data["start"] == "2026-12-02T10:00:00-05:00"
    assert data["room"] == cast.willow.pk
    assert data["client"] == {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""}
    assert "manage_url" not in data and "/manage/" not in response.text
    token = emailed_token()
    managed = client.get(f"/api/v1/bookings/{token}").json()
    assert (managed["id"], managed["status"], managed["can_change_online"]) == (data["id"], "held", False)
    confirmed = client.post(f"/api/v1/bookings/{token}/confirm")
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["can_change_online"]) == ("booked", True)
    assert client.post(f"/api/v1/bookings/{token}/confirm").status_code == 200


def test_a_held_booking_can_be_released_by_its_link(client: HttpClient, cast: Cast) -> None:
    post(client, body(cast))
    token = emailed_token()
    released = client.post(f"/api/v1/bookings/{token}/release")
    assert (released.status_code, released.json()["status"]) == (200, "expired")
    again = client.post(f"/api/v1/bookings/{token}/confirm")
    assert (again.status_code, again.json()["code"]) == (409, "hold_released")
    assert (
        post(client, body(cast, client={"first_name": "Di", "last_name": "O", "email": "di@example.test"})).status_code
        == 201
    )


def test_a_taken_time_is_a_409_with_alternatives(client: HttpClient, cast: Cast) -> None:
    post(client, body(cast))
    response = post(client, body(cast, client={"first_name": "Di", "last_name": "O", "email": "di@example.test"}))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "slot_taken"
    assert data["alternatives"]
    assert Appointment.objects.count() == 1


def test_the_idempotency_key_makes_a_retry_return_the_same_booking(client: HttpClient, cast: Cast) -> None:
    first = post(client, body(cast), **{"Idempotency-Key": "retry-1"})
    second = post(client, body(cast), **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Appointment.objects.count() == 1


def test_the_booking_answer_is_the_bytes_ninja_writes_from_the_schema(client: HttpClient, cast: Cast) -> None:
    # The booking endpoint writes its JSON itself (api/bookings._booking_response); the answer must
    # stay what ninja wrote from BookingOut: same bytes, escapes, offsets and content type.
    from longtide.api.bookings import BookingOut, _booking_fields
    from longtide.api.v1 import api

    who = {"first_name": "Zoë", "last_name": 'O\'Brien "Ø"', "email": "zoe@example.test", "phone": "+1 (718) 555-0142"}
    moment = datetime(2026, 12, 1, 12, 0, 0, 123456, tzinfo=UTC)  # a hold_until with microseconds
    with time_machine.travel(moment, tick=False):
        first = post(client, body(cast, client=who), **{"Idempotency-Key": "same-bytes"})
        again = post(client, body(cast, client=who), **{"Idempotency-Key": "same-bytes"})
    assert (first.status_code, again.status_code) == (201, 200)
    appointment = Appointment.objects.select_related("location").get(pk=first.json()["id"])
    assert appointment.hold_until is not None and appointment.hold_until.microsecond == 123456
    schema = BookingOut.model_validate(_booking_fields(appointment)).model_dump()
    written = api.create_response(None, schema, status=201)  # type: ignore[arg-type]
    assert first.content == again.content == written.content
    assert first["Content-Type"] == again["Content-Type"] == written["Content-Type"] == api.get_content_type()
    assert first.json()["client"] == who


def test_an_idempotency_key_reused_with_another_request_is_a_422(client: HttpClient, cast: Cast) -> None:
    post(client, body(cast), **{"Idempotency-Key": "retry-1"})
    other = {"first_name": "Mallory", "last_name": "Other", "email": "mallory@example.test"}
    response = post(client, body(cast, client=other), **{"Idempotency-Key": "retry-1"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used for a different booking request. "
        "Send a new key with each new request; repeat a key only to retry the same request.",
    }
    assert "Cleo" not in response.text and "cleo@" not in response.text
    assert Appointment.objects.count() == 1


EMAIL_MESSAGE = "Enter an email address like name@example.com."
PHONE_MESSAGE = "Enter a phone number using digits, spaces, + ( ) - or ."
PAST = "That time has already passed. Please choose a time in the future."
TOO_SOON = "Online bookings need at least 12 hours' notice. For sooner appointments, please call us."


@pytest.mark.parametrize(
    ("over", "status", "code", "field", "message"),
    [
        (
            {"client": {"first_name": "C", "last_name": "P", "email": "not-an-email"}},
            422,
            "invalid",
            "client.email",
            EMAIL_MESSAGE,
        ),
        (
            {"client": {"first_name": "", "last_name": "P", "email": "c@example.test"}},
            422,
            "invalid",
            "client.first_name",
            "String should have at least 1 character",
        ),
        (
            {"client": {"first_name": "C\x1b[2J", "last_name": "P", "email": "c@example.test"}},
            422,
            "invalid",
            "client.first_name",
            CONTROL_MESSAGE,
        ),
        (
            {"client": {"first_name": "C", "last_name": "P", "email": "c@example.test", "phone": "call me maybe"}},
            422,
            "invalid",
            "client.phone",
            PHONE_MESSAGE,
        ),
        (
            {"client": {"first_name": "C", "last_name": "P", "email": "c@example.test", "phone": "12"}},
            422,
            "invalid",
            "client.phone",
            PHONE_MESSAGE,
        ),
        (
            {"start": "2026-12-02T10:00:00"},
            422,
            "invalid",
            "start",
            "start needs a UTC offset, e.g. 2026-12-01T10:00:00-05:00",
        ),
        (
            {"start": "next tuesday"},
            422,
            "invalid",
            "start",
            "Use ISO 8601 with a UTC offset, e.g. 2026-12-01T10:00:00-05:00.",
        ),
        ({"start": "2026-11-30T10:00:00-05:00"}, 422, "in_past", "start", PAST),
        ({"start": "2026-12-01T10:00:00-05:00"}, 422, "too_soon", "start", TOO_SOON),
        ({"start": "2027-06-01T10:00:00-04:00"}, 422, "too_far", "start", "You can book up to 90 days ahead."),
        ({"practitioner": "bob"}, 422, "invalid", "practitioner", 'Use a practitioner id or "any".'),
        ({"practitioner": 999}, 404, "unknown_practitioner", "practitioner", "Unknown practitioner for this service."),
        ({"service": 999}, 404, "unknown_service", "service", "Unknown service."),
    ],
)
def test_bad_booking_input_gets_a_specific_code_and_message(
    client: HttpClient, cast: Cast, over: dict[str, Any], status: int, code: str, field: str, message: str
) -> None:
    response = post(client, body(cast, **over))
    data = response.json()
    assert (response.status_code, data["code"], data["errors"]) == (status, code, {field: [message]}), data
    assert data["detail"]
    assert Appointment.objects.count() == 0


def test_a_phone_number_the_form_accepts_is_accepted_by_the_api(client: HttpClient, cast: Cast) -> None:
    response = post(
        client,
        body(
            cast, client={"first_name": "C", "last_name": "P", "email": "c@example.test", "phone": "+1 (718) 555-0142"}
        ),
    )
    assert response.status_code == 201, response.json()


def test_a_time_that_is_not_a_slot_is_a_409(client: HttpClient, cast: Cast) -> None:
    response = post(client, body(cast, start="2026-12-02T10:07:00-05:00"))
    data = response.json()
    assert (response.status_code, data["code"]) == (409, "slot_taken")
    assert data["detail"] == "Sorry, that time was just taken. Please choose another."
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("who", ["ana", "any"])
def test_a_time_when_no_candidate_works_is_a_409_not_an_unknown_practitioner(
    client: HttpClient, cast: Cast, who: str
) -> None:
    # With the practice known (a booking made before), the first statement brings only the
    # candidates with hours near the start, and the number of the others: none working at 18:00
    # is a taken time, with alternatives, as it was when every candidate came.
    assert post(client, body(cast)).status_code == 201
    choice = cast.ana.pk if who == "ana" else "any"
    late = {"first_name": "Di", "last_name": "O", "email": "di@example.test"}
    response = post(client, body(cast, practitioner=choice, start="2026-12-02T18:00:00-05:00", client=late))
    data = response.json()
    assert (response.status_code, data["code"]) == (409, "slot_taken"), data
    assert data["alternatives"]
    assert Appointment.objects.count() == 1


def test_any_practitioner_when_every_candidate_is_busy_is_a_409_then_a_lapsed_hold_frees_it(
    client: HttpClient, cast: Cast
) -> None:
    # Ana, the one candidate, holds ten o'clock (an API booking waits to be confirmed): the first
    # statement leaves her out as busy then, and "any practitioner" answers a taken time with
    # alternatives. Once the hold lapses she is read again, and the time is hers to book.
    assert post(client, body(cast)).status_code == 201
    later = {"first_name": "Di", "last_name": "O", "email": "di@example.test"}
    taken = post(client, body(cast, practitioner="any", client=later))
    data = taken.json()
    assert (taken.status_code, data["code"]) == (409, "slot_taken"), data
    assert data["alternatives"]
    held = Appointment.objects.get()
    assert held.status == Status.HELD
    Appointment.objects.filter(pk=held.pk).update(hold_until=timezone.now() - timedelta(minutes=1))
    booked = post(client, body(cast, practitioner="any", client=later))
    assert booked.status_code == 201, booked.json()
    assert Appointment.objects.filter(booked_email="di@example.test", practitioner=cast.ana).count() == 1


OUTSIDE_WINDOW = "Changes within 24 hours of the appointment can't be made online. Please contact the clinic."
NOT_BOOKED = "This appointment is no longer booked, so it cannot be changed."


def test_cancel_by_token_respects_the_window(client: HttpClient, cast: Cast) -> None:
    post(client, body(cast))
    token = emailed_token()
    assert client.post(f"/api/v1/bookings/{token}/confirm").status_code == 200
    with time_machine.travel(datetime(2026, 12, 2, 0, 0, tzinfo=UTC), tick=False):
        refused = client.post(f"/api/v1/bookings/{token}/cancel")
        assert (refused.status_code, refused.json()) == (409, {"code": "outside_window", "detail": OUTSIDE_WINDOW})
    ok = client.post(f"/api/v1/bookings/{token}/cancel")
    assert ok.status_code == 200
    assert ok.json()["status"] == Status.CANCELLED_CLIENT
    again = client.post(f"/api/v1/bookings/{token}/cancel")
    assert (again.status_code, again.json()) == (409, {"code": "not_booked", "detail": NOT_BOOKED})


def test_an_unknown_token_is_a_404(client: HttpClient, cast: Cast) -> None:
    for response in (client.get("/api/v1/bookings/nope"), client.post("/api/v1/bookings/nope/cancel")):
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "No booking has this token.", "code": "not_found"},
        )


def test_the_openapi_document_has_the_booking_endpoints(client: HttpClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/p/{slug}/availability",
        "/api/v1/p/{slug}/bookings",
        "/api/v1/bookings/{token}",
        "/api/v1/bookings/{token}/cancel",
        "/api/v1/bookings/{token}/confirm",
        "/api/v1/bookings/{token}/release",
    ]:
        assert path in paths
