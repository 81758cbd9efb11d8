"""'Book with …' on a practitioner's page and 'Book' on each service lead into the booking flow with
what they name already chosen; stale or hand-made links say what was wrong and let the visitor go on."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Practitioner, Service

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ben(cast: Cast) -> Practitioner:
    """A second practitioner who offers only the CST session."""
    person = Practitioner.objects.create(
        practice=cast.tidewater, display_name="Ben Ode", slug="ben-ode", style="biomechanical"
    )
    cast.session.practitioners.add(person)
    return person


def test_a_practitioners_page_books_with_them(client: HttpClient, cast: Cast) -> None:
    page = client.get("/p/tidewater/practitioners/ana-silva/").text
    assert f'href="/p/tidewater/book/?practitioner={cast.ana.pk}"' in page
    assert "Book with Ana Silva" in page
    # Each service they offer goes straight to their free times: the practitioner step is answered.
    assert f'href="/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}"' in page
    assert f'href="/p/tidewater/book/first-visit/times/?practitioner={cast.ana.pk}"' in page


def test_the_practitioner_list_books_with_each(client: HttpClient, cast: Cast, ben: Practitioner) -> None:
    page = client.get("/p/tidewater/practitioners/").text
    assert f'href="/p/tidewater/book/?practitioner={ben.pk}"' in page and "Book with Ben Ode" in page


def test_someone_with_no_bookable_service_has_no_book_link(client: HttpClient, cast: Cast) -> None:
    Practitioner.objects.create(practice=cast.tidewater, display_name="Zoe Lin", slug="zoe-lin", style="integrated")
    assert "Book with Zoe Lin" not in client.get("/p/tidewater/practitioners/zoe-lin/").text
    assert "Book with Zoe Lin" not in client.get("/p/tidewater/practitioners/").text


def test_the_service_step_for_a_practitioner_shows_only_their_services(
    client: HttpClient, cast: Cast, ben: Practitioner
) -> None:
    response = client.get(f"/p/tidewater/book/?practitioner={ben.pk}")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Book with Ben Ode</h1>" in page
    assert f'href="/p/tidewater/book/cst-60/times/?practitioner={ben.pk}"' in page
    assert "first-visit" not in page  # Ben does not offer it


def test_the_services_page_books_each_service(client: HttpClient, cast: Cast) -> None:
    page = client.get("/p/tidewater/services/").text
    assert 'href="/p/tidewater/book/cst-60/"' in page and 'href="/p/tidewater/book/first-visit/"' in page


def test_the_times_step_with_a_practitioner_shows_their_times(client: HttpClient, cast: Cast) -> None:
    response = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02")
    assert response.status_code == 200
    assert "CST session with Ana Silva: choose a time" in response.text
    # Going back keeps the practitioner chosen.
    back = client.get(f"/p/tidewater/book/cst-60/?practitioner={cast.ana.pk}").text
    assert f'value="{cast.ana.pk}" checked' in back and 'value="any" checked' not in back


@pytest.mark.parametrize(
    "query", ["practitioner=abc", "practitioner=99999999", "practitioner=99999999999999999999", "practitioner=-1"]
)
def test_a_bad_practitioner_in_a_link_says_so(client: HttpClient, cast: Cast, query: str) -> None:
    for url in (f"/p/tidewater/book/?{query}", f"/p/tidewater/book/cst-60/times/?{query}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "That practitioner is not taking online bookings at the moment." in response.text
    # The service step still lists every service to choose from.
    assert 'href="/p/tidewater/book/cst-60/"' in client.get(f"/p/tidewater/book/?{query}").text


def test_an_inactive_practitioner_in_an_old_link_says_so(client: HttpClient, cast: Cast, ben: Practitioner) -> None:
    Practitioner.objects.filter(pk=ben.pk).update(active=False)
    response = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={ben.pk}")
    assert response.status_code == 404
    assert "That practitioner is not taking online bookings at the moment." in response.text
    assert 'name="practitioner" value="any" checked' in response.text


def test_a_practitioner_who_does_not_offer_the_service_says_so(
    client: HttpClient, cast: Cast, ben: Practitioner
) -> None:
    response = client.get(f"/p/tidewater/book/first-visit/times/?practitioner={ben.pk}")
    assert response.status_code == 404
    assert "Ben Ode does not offer First visit online." in response.text


def test_another_practices_practitioner_is_unknown_here(client: HttpClient, cast: Cast) -> None:
    response = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.dov.pk}")
    assert response.status_code == 404
    assert "Dov Amir" not in response.text


def test_a_hidden_service_in_an_old_link_says_so(client: HttpClient, cast: Cast) -> None:
    Service.objects.filter(pk=cast.session.pk).update(active=False)
    for url in ("/p/tidewater/book/cst-60/", f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}"):
        response = client.get(url)
        assert response.status_code == 404
        assert "That service is not bookable online at the moment." in response.text
        assert 'href="/p/tidewater/book/first-visit/"' in response.text


def test_the_times_step_marks_the_day_a_phone_shows(client: HttpClient, cast: Cast) -> None:
    url = f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02"
    page = client.get(url).text
    # No day asked: the first day with free times.
    assert 'class="day chosen" aria-labelledby="day-2026-12-02"' in page
    assert 'data-day="2026-12-04"' in page and "&amp;day=2026-12-04" in page
    asked = client.get(url + "&day=2026-12-04").text
    assert 'class="day chosen" aria-labelledby="day-2026-12-04"' in asked
    assert 'data-day="2026-12-04" hx-get' in asked and 'aria-current="date"' in asked
    # A day past the week asked for starts its own week.
    later = client.get(url + "&day=2026-12-20").text
    assert 'class="day chosen" aria-labelledby="day-2026-12-20"' in later and "Saturday 26 December" in later


def test_a_bad_day_is_a_clear_400(client: HttpClient, cast: Cast) -> None:
    response = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&day=2026-13-45")
    assert response.status_code == 400
    assert "1900-01-01" in response.text
    back = re.search(r'<a href="([^"]+)">Go back to the page without it', response.text)
    assert back and "day=" not in back.group(1) and f"practitioner={cast.ana.pk}" in back.group(1)
