"""The service and practitioner forms' multiple choices check each id against lib/bounds.py before
any query: a 20-digit id overflowed SQLite's integer (a 500). Runs on SQLite and PostgreSQL."""

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Practitioner, Service

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
BUFFERS = {"buffer_before_minutes": "0", "buffer_after_minutes": "0"}


@pytest.mark.parametrize("field", ["practitioners", "rooms"])
@pytest.mark.parametrize("bad", [HUGE, "-5", "٣", "1e309"])
def test_a_service_refuses_an_id_out_of_bounds(client: HttpClient, cast: Cast, field: str, bad: str) -> None:
    client.force_login(cast.olga_user)
    data = {"name": "Short session", "duration_minutes": "30", "price": "50", **BUFFERS, "active": "on", field: [bad]}
    response = client.post("/staff/tidewater/settings/services/new/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f"“{bad}” is not a valid value." in page
    assert 'value="Short session"' in page
    assert not Service.objects.filter(name="Short session").exists()


def test_a_practitioner_refuses_a_service_id_out_of_bounds(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    data = {"display_name": "Zed Quinn", "style": "biodynamic", "active": "on", "services": [cast.session.pk, HUGE]}
    response = client.post("/staff/tidewater/settings/practitioners/new/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f"“{HUGE}” is not a valid value." in page
    assert 'value="Zed Quinn"' in page
    assert not Practitioner.objects.filter(display_name="Zed Quinn").exists()


def test_ids_in_bounds_still_save(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    data = {
        "name": "Short session",
        "duration_minutes": "30",
        "price": "50",
        **BUFFERS,
        "active": "on",
        "practitioners": [cast.ana.pk],
        "rooms": [cast.willow.pk],
    }
    response = client.post("/staff/tidewater/settings/services/new/", data)
    assert response.status_code == 302
    saved = Service.objects.get(name="Short session")
    assert list(saved.practitioners.all()) == [cast.ana]
    assert list(saved.rooms.all()) == [cast.willow]
