"""The staff home asks the database a fixed number of questions, however many practices the member
belongs to: their roles and their practitioner profiles are read once for all the practice cards
(practice/access.py roles_in, web/staff/calendar_links.py own_day_urls), not once per card."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from conftest import Cast
from longtide.practice.models import Practice, Practitioner, Role, StaffMembership

pytestmark = pytest.mark.django_db


def _home_queries(client: HttpClient) -> tuple[int, str]:
    client.get("/staff/")  # the session's first request may write (last activity): not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/")
    assert response.status_code == 200
    return len(queries), response.text


def test_a_member_of_three_practices_costs_no_more_queries_than_a_member_of_one(cast: Cast) -> None:
    client = HttpClient()
    client.force_login(cast.ana_user)
    one, _page = _home_queries(client)

    # A user has one practitioner profile (Practitioner.user is unique): in Harbour Ana has none.
    StaffMembership.objects.create(practice=cast.harbour, user=cast.ana_user, role=Role.PRACTITIONER)
    cove = Practice.objects.create(name="Cove Clinic", slug="cove")
    StaffMembership.objects.create(practice=cove, user=cast.ana_user, role=Role.FRONT_DESK)
    three, page = _home_queries(client)

    assert three == one, f"{one} queries for one practice, {three} for three"
    assert f"/staff/tidewater/calendar/?view=day&amp;by=practitioner&amp;practitioner={cast.ana.pk}" in page
    assert page.count("My day") == 1 and page.count(">Calendar<") == 3
    assert "/staff/cove/calendar/" in page and "/staff/cove/settings" not in page


def test_an_inactive_profile_has_no_my_day(cast: Cast) -> None:
    Practitioner.objects.filter(pk=cast.ana.pk).update(active=False)
    client = HttpClient()
    client.force_login(cast.ana_user)
    _count, page = _home_queries(client)
    assert "My day" not in page and "/staff/tidewater/calendar/" in page


def test_the_owner_sees_the_settings_and_the_front_desk_does_not(cast: Cast) -> None:
    client = HttpClient()
    client.force_login(cast.olga_user)
    assert "/staff/tidewater/settings/" in _home_queries(client)[1]
    client.force_login(cast.ben_user)
    _count, page = _home_queries(client)
    assert "/staff/tidewater/settings/" not in page and "My day" not in page
