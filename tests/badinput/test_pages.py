"""Bad input on pages (docs/security.md, "Bad input"): dates near the calendar's ends, ids past
2**63 - 1, NUL bytes in the address, headers and form fields. Each answer is a 400 or 404 page
that says what was wrong (never a 500), and a form keeps what was typed. Runs on SQLite and
PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import Cast, ClientResponse
from longtide.lib.bounds import DATE_MESSAGE
from longtide.scheduling.booking import ClientDetails, book_appointment, confirm_booking
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BIG = "99999999999999999999"
SLOT_NOT_VALID = "That time is not valid. Please choose a time from the calendar."
NUL_IN_ADDRESS = "The address contains a null character (\\x00), which is never valid here."


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(raise_request_exception=False)


@pytest.fixture
def olga(cast: Cast) -> HttpClient:
    client = HttpClient(raise_request_exception=False)
    client.force_login(cast.olga_user)
    return client


@pytest.fixture
def booked(cast: Cast) -> Appointment:
    held = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("America/New_York")),
        client=ClientDetails("Cleo", "Park", "cleo@example.test", ""),
    ).appointment
    return confirm_booking(appointment=held)


def text(response: ClientResponse) -> str:
    return response.content.decode()


# -- dates near the calendar's ends ---------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_the_staff_calendar_refuses_a_date_outside_the_bounds_with_a_page_that_says_so(
    olga: HttpClient, cast: Cast, day: str, view: str
) -> None:
    response = olga.get(f"/staff/tidewater/calendar/?date={day}&view={view}")
    assert response.status_code == 400
    assert DATE_MESSAGE in text(response)
    assert f'href="/staff/tidewater/calendar/?view={view}"' in text(response)


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_staff_calendar_shows_the_first_and_last_day_inside_the_bounds(
    olga: HttpClient, cast: Cast, day: str
) -> None:
    for view in ("day", "week"):
        assert olga.get(f"/staff/tidewater/calendar/?date={day}&view={view}").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_for_a_client_on_a_date_outside_the_bounds_says_so_and_keeps_the_search(
    olga: HttpClient, cast: Cast, day: str
) -> None:
    response = olga.get(f"/staff/tidewater/appointments/new/?service={cast.session.pk}&date={day}&first_name=Pia")
    assert response.status_code == 400
    assert DATE_MESSAGE in text(response)
    assert f'value="{day}"' in text(response) and 'value="Pia"' in text(response)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_moving_to_a_date_outside_the_bounds_says_so(olga: HttpClient, booked: Appointment, day: str) -> None:
    response = olga.get(f"/staff/tidewater/appointments/{booked.pk}/move/?date={day}")
    assert response.status_code == 400
    assert DATE_MESSAGE in text(response)
    assert f'value="{day}"' in text(response)


@pytest.mark.parametrize(
    "slot",
    [
        "9999-12-31T23:59:59-10:00|1",
        "0001-01-01T00:00:00+14:00|1",
        "2999-12-31T23:30:00-10:00|1",
        f"2026-06-02T10:00:00-04:00|{BIG}",
    ],
)
def test_the_booking_details_page_refuses_a_slot_it_cannot_use(http: HttpClient, cast: Cast, slot: str) -> None:
    response = http.get(f"/p/tidewater/book/{cast.session.slug}/details/", {"slot": slot})
    assert response.status_code == 400
    assert SLOT_NOT_VALID in text(response)
    assert f'href="/p/tidewater/book/{cast.session.slug}/times/"' in text(response)


def test_sending_the_details_form_with_a_slot_in_year_9999_keeps_what_was_typed(http: HttpClient, cast: Cast) -> None:
    form = {
        "slot": "9999-12-31T23:59:59-10:00|1",
        "request_key": "k" * 32,
        "first_name": "Pia",
        "last_name": "Lee",
        "email": "pia@example.test",
        "note": "First time",
    }
    response = http.post(f"/p/tidewater/book/{cast.session.slug}/details/", form)
    assert response.status_code == 400
    assert SLOT_NOT_VALID in text(response)
    assert 'value="Pia"' in text(response) and "First time" in text(response)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "yesterday"])
def test_the_week_of_free_times_refuses_an_unusable_from_date(http: HttpClient, cast: Cast, day: str) -> None:
    response = http.get(f"/p/tidewater/book/{cast.session.slug}/times/", {"from": day, "practitioner": "any"})
    assert response.status_code == 400
    assert DATE_MESSAGE in text(response)
    assert f'href="/p/tidewater/book/{cast.session.slug}/times/?practitioner=any"' in text(response)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_clients_reschedule_page_refuses_an_unusable_from_date(
    http: HttpClient, booked: Appointment, day: str
) -> None:
    response = http.get(f"/p/tidewater/manage/{token_for(booked)}/reschedule/", {"from": day})
    assert response.status_code == 400
    assert DATE_MESSAGE in text(response)


# -- ids past 2**63 - 1 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/p/tidewater/book/cst-60/times/?practitioner=" + BIG,
        "/staff/tidewater/calendar/?view=week&practitioner=" + BIG,
        "/staff/tidewater/clients/" + BIG + "/",
        "/staff/tidewater/appointments/" + BIG + "/",
        "/staff/tidewater/appointments/" + BIG + "/move/",
        "/staff/tidewater/settings/hours/?location=" + BIG,
    ],
)
def test_a_20_digit_id_is_a_404_or_the_default(olga: HttpClient, cast: Cast, url: str) -> None:
    response = olga.get(url)
    assert response.status_code in (200, 404), url
    if response.status_code == 200:  # the calendar falls back to the member's own week
        assert "Ana Silva" in text(response)


def test_a_20_digit_id_in_a_staff_search_is_a_form_error(olga: HttpClient, cast: Cast) -> None:
    response = olga.get(f"/staff/tidewater/appointments/new/?service={BIG}&practitioner={BIG}&date=2026-06-02")
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


# -- NUL bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/p/tide%00water/", "/p/tidewater/manage/abc%00def/", "/calendar-feed/x%00y.ics", "/welcome/a%00/"]
)
def test_a_nul_byte_in_the_path_is_a_404_page(http: HttpClient, cast: Cast, url: str) -> None:
    response = http.get(url)
    assert response.status_code == 404
    assert "null character" in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/p/tidewater/practitioners/?style=a%00b",
        "/p/tidewater/book/?style=%00",
        "/p/tidewater/book/cst-60/times/?practitioner=1%00",
        "/p/tidewater/waitlist/?service=%00",
        "/staff/tidewater/clients/?q=%00",
        "/staff/tidewater/calendar/?date=2026-06-01%00",
        "/staff/login/?next=/staff/%00",
        "/p/tidewater/?a%00=1",
    ],
)
def test_a_nul_byte_in_the_query_is_a_400_page_that_says_so(olga: HttpClient, cast: Cast, url: str) -> None:
    response = olga.get(url)
    assert response.status_code == 400
    assert NUL_IN_ADDRESS in text(response)


def test_a_nul_byte_in_a_header_is_a_400(http: HttpClient, cast: Cast) -> None:
    response = http.get("/p/tidewater/", headers={"User-Agent": "Firefox\x00"})
    assert response.status_code == 400
    assert "A request header contains a null character" in text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "P\x00ia", "Null characters are not allowed."),
        ("last_name", "Le\x00e", "Null characters are not allowed."),
        ("phone", "207\x00555", "Enter a phone number using digits, spaces, + ( ) - or ."),
        ("note", "back\x00pain", "Null characters are not allowed."),
    ],
)
def test_a_nul_byte_in_a_booking_form_field_is_named_and_what_was_typed_is_kept(
    http: HttpClient, cast: Cast, field: str, value: str, message: str
) -> None:
    form = {
        "slot": "2026-06-02T10:00:00-04:00|" + str(cast.ana.pk),
        "request_key": "k" * 32,
        "first_name": "Pia",
        "last_name": "Lee",
        "email": "pia@example.test",
        "phone": "",
        "note": "",
        field: value,
    }
    response = http.post(f"/p/tidewater/book/{cast.session.slug}/details/", form)
    assert response.status_code == 400
    assert message in text(response)
    assert "pia@example.test" in text(response)
