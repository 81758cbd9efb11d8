"""Bad input on the JSON API (docs/security.md, "Bad input"): every answer is JSON with a specific
code and message, never a 500 or an HTML page, with DEBUG off as in production (the test runner's
default). Runs on SQLite and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn

import pytest
import time_machine
from django.test import Client as HttpClient
from pytest_django import Settings

from conftest import Cast, ClientResponse
from longtide.lib.bounds import DATE_MESSAGE, ID_MESSAGE

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BIG = "99999999999999999999"
TIME_MESSAGE = "Choose a time from 1900-01-01 to 2999-12-31 (also in UTC)."
NUL_FIELD = "Null characters (\\u0000) are not allowed."


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(raise_request_exception=False)


def booking(cast: Cast, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": cast.session.pk,
        "practitioner": cast.ana.pk,
        "start": "2026-12-02T10:00:00-05:00",
        "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""},
    }
    data.update(over)
    return data


def post(http: HttpClient, data: dict[str, Any], **headers: str) -> ClientResponse:
    return http.post("/api/v1/p/tidewater/bookings", data, content_type="application/json", headers=headers)


def answer(response: ClientResponse) -> tuple[int, dict[str, Any]]:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return response.status_code, response.json()


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("9999-12-31", "9999-12-31", "start"),
        ("0001-01-01", "0001-01-01", "start"),
        ("2026-12-01", "3000-01-01", "end"),
        ("1899-12-31", "1900-01-01", "start"),
    ],
)
def test_availability_refuses_dates_outside_the_bounds(
    http: HttpClient, cast: Cast, start: str, end: str, field: str
) -> None:
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start={start}&end={end}"
    status, data = answer(http.get(url))
    assert (status, data["code"]) == (422, "date_out_of_range")
    assert data["errors"][field] == [DATE_MESSAGE]


def test_availability_answers_on_the_last_days_inside_the_bounds(http: HttpClient, cast: Cast) -> None:
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=2999-12-30&end=2999-12-31"
    assert answer(http.get(url)) == (200, {"slots": []})  # beyond the booking horizon: nothing free
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=1900-01-01&end=1900-01-02"
    assert answer(http.get(url)) == (200, {"slots": []})


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00+14:00", "2999-12-31T23:00:00-05:00"]
)
def test_a_booking_start_outside_the_bounds_is_refused(http: HttpClient, cast: Cast, start: str) -> None:
    status, data = answer(post(http, booking(cast, start=start)))
    assert (status, data["code"], data["errors"]) == (422, "date_out_of_range", {"start": [TIME_MESSAGE]})


# -- ids ------------------------------------------------------------------------------------------


def test_a_20_digit_service_id_is_refused_with_the_id_rule(http: HttpClient, cast: Cast) -> None:
    status, data = answer(http.get(f"/api/v1/p/tidewater/availability?service={BIG}&start=2026-12-02&end=2026-12-02"))
    assert (status, data["code"], data["errors"]) == (422, "id_out_of_range", {"service": [ID_MESSAGE]})
    status, data = answer(post(http, booking(cast, service=int(BIG))))
    assert (status, data["code"], data["errors"]) == (422, "id_out_of_range", {"service": [ID_MESSAGE]})


@pytest.mark.parametrize("service", [True, "SERVICE", " SERVICE", "1_0", 1.5, None, [1], {"id": 1}])
def test_a_service_id_in_a_booking_is_a_json_number_not_true_or_text(
    http: HttpClient, cast: Cast, service: object
) -> None:
    # pydantic alone read true as 1 (service 1 booked), "7" and " 7" as 7 and "1_0" as 10.
    if isinstance(service, str):
        service = service.replace("SERVICE", str(cast.session.pk))
    status, data = answer(post(http, booking(cast, service=service)))
    assert (status, data["code"], data["errors"]) == (422, "invalid", {"service": [ID_MESSAGE]})
    assert not cast.ana.appointments.exists()


def test_a_service_id_written_as_a_whole_float_is_that_number(http: HttpClient, cast: Cast) -> None:
    status, data = answer(post(http, booking(cast, service=float(cast.session.pk))))
    assert (status, data["service"]) == (201, cast.session.pk)


@pytest.mark.parametrize("service", ["+SERVICE", "%20SERVICE", "SERVICE.0", "1_0", "%D9%A7", "", "x"])
def test_a_service_id_in_the_query_is_ascii_digits(http: HttpClient, cast: Cast, service: str) -> None:
    service = service.replace("SERVICE", str(cast.session.pk))
    url = f"/api/v1/p/tidewater/availability?service={service}&start=2026-12-02&end=2026-12-02"
    status, data = answer(http.get(url))
    assert (status, data["code"], data["errors"]) == (422, "invalid", {"service": [ID_MESSAGE]})


@pytest.mark.parametrize("practitioner", [BIG, int(BIG), "9223372036854775808", 0])
def test_a_practitioner_id_past_the_bounds_is_refused_in_a_booking(
    http: HttpClient, cast: Cast, practitioner: int | str
) -> None:
    status, data = answer(post(http, booking(cast, practitioner=practitioner)))
    assert (status, data["code"], data["errors"]) == (422, "id_out_of_range", {"practitioner": [ID_MESSAGE]})


def test_the_largest_id_is_simply_unknown(http: HttpClient, cast: Cast) -> None:
    status, data = answer(post(http, booking(cast, practitioner=2**63 - 1)))
    assert (status, data["code"]) == (404, "unknown_practitioner")
    url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=2026-12-02&end=2026-12-02"
    status, data = answer(http.get(url + f"&practitioner={2**63 - 1}"))
    assert (status, data["code"]) == (404, "unknown_practitioner")
    status, data = answer(http.get(url + f"&practitioner={BIG}"))
    assert (status, data["code"], data["errors"]) == (422, "invalid", {"practitioner": ["Use an id or 'any'."]})


# -- NUL bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"client": {"first_name": "C\x00", "last_name": "P", "email": "c@example.test"}}, "client.first_name"),
        (
            {"client": {"first_name": "C", "last_name": "P", "email": "c@example.test", "phone": "1\x00"}},
            "client.phone",
        ),
        ({"note": "\x00"}, "note"),
        ({"practitioner": "any\x00"}, "practitioner"),
        ({"x\x00y": 1}, "x\\x00y"),
    ],
)
def test_a_nul_byte_in_the_json_body_is_a_422_naming_where(
    http: HttpClient, cast: Cast, change: dict[str, Any], path: str
) -> None:
    status, data = answer(post(http, booking(cast, **change)))
    assert (status, data["code"], data["errors"]) == (422, "null_character", {path: [NUL_FIELD]})
    assert data["detail"] == "The body contains a null character (\\u0000), which is never valid."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_a_nul_in_a_json_body_of_any_encoding_json_reads_is_a_422(http: HttpClient, cast: Cast, encoding: str) -> None:
    # The parser looks for NULs only when the body may hold one (bounds.may_hold_nul): the escape
    # in UTF-8, any NUL byte (every ASCII character of UTF-16 and UTF-32 has one).
    body = json.dumps(booking(cast, note="a\x00b")).encode(encoding)
    response = http.post("/api/v1/p/tidewater/bookings", body, content_type="application/json")
    status, data = answer(response)
    assert (status, data["code"], data["errors"]) == (422, "null_character", {"note": [NUL_FIELD]})


def test_a_backslash_before_u0000_is_text_not_a_nul(http: HttpClient, cast: Cast) -> None:
    # The six characters \u0000 written as text (the backslash escaped) are no NUL: booked.
    status, data = answer(post(http, booking(cast, note="\\u0000")))
    assert (status, data["status"]) == (201, "held")


def test_a_nul_byte_in_the_idempotency_key_is_a_400(http: HttpClient, cast: Cast) -> None:
    status, data = answer(post(http, booking(cast), **{"Idempotency-Key": "key\x00"}))
    assert (status, data) == (
        400,
        {
            "detail": "A request header contains a null character (\\x00), which is never valid.",
            "code": "null_character",
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/p/tidewater/practitioners?style=%00",
        "/api/v1/p/tidewater/availability?service=1&start=2026-12-02&end=2026-12-02&practitioner=any%00",
    ],
)
def test_a_nul_byte_in_the_query_is_a_400(http: HttpClient, cast: Cast, url: str) -> None:
    status, data = answer(http.get(url))
    assert (status, data["code"]) == (400, "null_character")
    assert data["detail"] == "The address contains a null character (\\x00), which is never valid here."


@pytest.mark.parametrize("url", ["/api/v1/p/tide%00water/", "/api/v1/bookings/abc%00def"])
def test_a_nul_byte_in_the_path_is_a_404(http: HttpClient, cast: Cast, url: str) -> None:
    assert answer(http.get(url)) == (
        404,
        {"detail": "Not found: the address contains a null character.", "code": "not_found"},
    )


# -- other input the schema refuses ---------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_400(http: HttpClient, cast: Cast) -> None:
    response = http.post("/api/v1/p/tidewater/bookings", "{not json", content_type="application/json")
    status, data = answer(response)
    assert (status, data["code"]) == (400, "invalid_json")
    assert data["detail"].startswith("The body is not valid JSON:")


def test_an_unknown_style_is_a_422_listing_the_styles(http: HttpClient, cast: Cast) -> None:
    status, data = answer(http.get("/api/v1/p/tidewater/practitioners?style=reiki"))
    assert (status, data["code"]) == (422, "invalid")
    assert data["errors"] == {"style": ["Input should be 'biomechanical', 'biodynamic' or 'integrative'"]}


@pytest.mark.parametrize("slug", ["tide water", "x" * 51])
def test_a_slug_that_cannot_be_a_practice_is_a_422(http: HttpClient, cast: Cast, slug: str) -> None:
    status, data = answer(http.get(f"/api/v1/p/{slug}/services"))
    assert (status, data["code"], list(data["errors"])) == (422, "invalid", ["slug"])


# -- errors are JSON with DEBUG off ---------------------------------------------------------------


def test_api_errors_that_django_answers_are_json_too(http: HttpClient, cast: Cast, settings: Settings) -> None:
    assert settings.DEBUG is False
    assert answer(http.get("/api/v1/no-such-thing")) == (404, {"detail": "Not found.", "code": "not_found"})
    response = http.delete("/api/v1/p/tidewater/")
    assert answer(response) == (
        405,
        {"detail": "This address does not take that method.", "code": "method_not_allowed"},
    )
    assert response["Allow"] == "GET"


def test_a_server_error_in_the_api_is_json(http: HttpClient, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(slug: str) -> NoReturn:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("longtide.api.public.get_practice", broken)
    status, data = answer(http.get("/api/v1/p/tidewater/"))
    assert (status, data["code"]) == (500, "server_error")
    assert "database" not in data["detail"]


# -- bodies that are not JSON, booleans that are not booleans ---------------------------------------


def _staff_token(cast: Cast) -> str:
    from django.utils import timezone

    from longtide.tokens.issue import create_token

    return create_token(practice=cast.tidewater, user=cast.ana_user, days=30, name="t", now=timezone.now()).token


def _body_endpoints(cast: Cast) -> list[tuple[str, dict[str, str]]]:
    bearer = {"Authorization": f"Bearer {_staff_token(cast)}"}
    return [
        ("/api/v1/p/tidewater/bookings", {}),
        ("/api/v1/p/tidewater/appointments/1/mark", bearer),
        ("/api/v1/p/tidewater/appointments/1/cancel", bearer),
    ]


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        ("text/plain", "text/plain"),
        ("", "not given"),
    ],
)
def test_a_body_that_is_not_sent_as_json_is_a_415_on_every_endpoint_that_reads_one(
    http: HttpClient, cast: Cast, content_type: str, shown: str
) -> None:
    for path, headers in _body_endpoints(cast):
        response = http.generic("POST", path, "late=yes&status=no_show", content_type=content_type, headers=headers)
        assert answer(response) == (
            415,
            {
                "detail": "Send the body as JSON with the header Content-Type: application/json "
                f"(this one was {shown}).",
                "code": "unsupported_media_type",
            },
        ), path


def test_a_multipart_body_is_a_415_too(http: HttpClient, cast: Cast) -> None:
    status, data = answer(http.post("/api/v1/p/tidewater/bookings", booking(cast) | {"client": "x"}))
    assert (status, data["code"]) == (415, "unsupported_media_type")


def test_json_with_a_charset_or_a_json_suffix_is_json(http: HttpClient, cast: Cast) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.longtide+json"):
        status, data = answer(http.post("/api/v1/p/tidewater/bookings", "{not json", content_type=content_type))
        assert (status, data["code"]) == (400, "invalid_json"), content_type


def test_the_openapi_document_lists_the_415_only_where_a_body_is_read(http: HttpClient) -> None:
    paths = http.get("/api/v1/openapi.json").json()["paths"]
    with_415 = {
        (path, method) for path, item in paths.items() for method, op in item.items() if "415" in op["responses"]
    }
    with_body = {(path, method) for path, item in paths.items() for method, op in item.items() if "requestBody" in op}
    assert with_415 == with_body and len(with_body) == 3


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (
            "application/x-www-form-urlencoded",
            (415, "unsupported_media_type", "(this one was application/x-www-form-urlencoded)."),
        ),
        ("", (415, "unsupported_media_type", "(this one was not given).")),
        ("application/json", (400, "invalid_json", "The body is empty: send a JSON object.")),
    ],
)
def test_an_empty_body_says_what_to_send_not_that_a_field_called_request_is_missing(
    http: HttpClient, cast: Cast, content_type: str, expected: tuple[int, str, str]
) -> None:
    # ninja does not parse an empty body, and its validation answered 422 with errors
    # {"request": ["Field required"]}, whatever the content type (a form posted with no fields).
    status, code, ending = expected
    for path, headers in _body_endpoints(cast):
        # The test client leaves out the content type of an empty body: set it as the server sees it.
        response = http.generic("POST", path, b"", headers=headers, CONTENT_TYPE=content_type)
        got_status, data = answer(response)
        assert (got_status, data["code"]) == (status, code), path
        assert data["detail"].endswith(ending), path


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("application/json", "The body is empty: send a JSON object."),
        ("", "Send the body as JSON with the header Content-Type: application/json (this one was not given)."),
    ],
)
def test_an_empty_body_beside_other_errors_is_said_as_such_beside_them(
    http: HttpClient, content_type: str, said: str
) -> None:
    response = http.generic("POST", "/api/v1/p/Bad_Slug!/bookings", b"", CONTENT_TYPE=content_type)
    status, data = answer(response)
    assert status == 422 and data["code"] == "invalid"
    assert data["errors"]["request"] == [said]
    assert set(data["errors"]) == {"request", "slug"}


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"null", "null"), (b"[]", "an array"), (b'"x"', "a string"), (b"7", "a number"), (b"true", "true or false")],
)
def test_a_body_that_is_not_a_json_object_says_so_not_that_a_field_called_request_is_invalid(
    http: HttpClient, cast: Cast, body: bytes, kind: str
) -> None:
    # Every body of the API is an object. ninja's validation answered 422 with errors
    # {"request": ["Input should be a valid dictionary..."]} for null, a list, a string or a number.
    for path, headers in _body_endpoints(cast):
        response = http.generic("POST", path, body, headers=headers, CONTENT_TYPE="application/json")
        status, data = answer(response)
        assert (status, data["code"]) == (400, "invalid_json"), path
        assert data["detail"] == f"The body must be a JSON object ({{...}}), not {kind}.", path
