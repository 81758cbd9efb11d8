import pytest
from django.test import Client as HttpClient

from conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_practice_endpoint_lists_locations_with_time_zones_and_policies(client: HttpClient, cast: Cast) -> None:
    body = client.get("/api/v1/p/tidewater/").json()
    assert body["name"] == "Tidewater Craniosacral"
    assert body["locations"][0]["time_zone"] == "America/New_York"
    assert body["policies"]["cancellation_window_hours"] == 24


def test_services_carry_duration_price_currency_and_first_visit(client: HttpClient, cast: Cast) -> None:
    body = client.get("/api/v1/p/tidewater/services").json()
    by_name = {s["name"]: s for s in body}
    assert by_name["CST session"]["duration_minutes"] == 60
    assert by_name["CST session"]["price"] == "100.00"
    assert by_name["CST session"]["currency"] == "USD"
    assert by_name["First visit"]["first_visit"] is True
    assert "Harbour session" not in by_name


def test_practitioners_list_their_services(client: HttpClient, cast: Cast) -> None:
    body = client.get("/api/v1/p/tidewater/practitioners").json()
    assert [p["name"] for p in body] == ["Ana Silva"]
    assert body[0]["style"] == "biodynamic"
    assert sorted(body[0]["service_ids"]) == sorted([cast.session.pk, cast.first_visit.pk])


def test_an_unknown_practice_is_a_json_404(client: HttpClient, cast: Cast) -> None:
    response = client.get("/api/v1/p/nowhere/services")
    assert response.status_code == 404
    assert response.json() == {"detail": "No practice called 'nowhere'.", "code": "not_found"}


def test_the_openapi_document_describes_the_endpoints(client: HttpClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert "/api/v1/p/{slug}/" in paths
    assert "/api/v1/p/{slug}/services" in paths
    assert "/api/v1/p/{slug}/practitioners" in paths
