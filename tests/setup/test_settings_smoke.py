import pytest
from django.test import Client as HttpClient
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_settings_page_renders_for_the_owner(client: HttpClient, cast) -> None:
    client.force_login(cast.olga_user)
    slug = "tidewater"
    for name, args in [
        ("settings-overview", []),
        ("settings-practice", []),
        ("settings-policies", []),
        ("settings-home-page", []),
        ("settings-locations", []),
        ("settings-location-new", []),
        ("settings-location", [cast.location.pk]),
        ("settings-room-new", [cast.location.pk]),
        ("settings-room", [cast.willow.pk]),
        ("settings-services", []),
        ("settings-service-new", []),
        ("settings-service", [cast.session.pk]),
        ("settings-practitioners", []),
        ("settings-practitioner-new", []),
        ("settings-practitioner", [cast.ana.pk]),
        ("settings-hours", [cast.ana.pk]),
        ("settings-time-off", [cast.ana.pk]),
        ("settings-staff", []),
    ]:
        response = client.get(reverse(name, args=[slug, *args]))
        assert response.status_code == 200, name
