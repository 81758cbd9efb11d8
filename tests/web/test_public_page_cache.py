"""The public pages' cache (web/public/page_cache.py): an edit shows on the next request, whatever
wrote it, and nothing private is kept or served from it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from conftest import Cast
from longtide.practice.models import Location, Practice, Practitioner, Service
from longtide.web.public.page_cache import pages

pytestmark = pytest.mark.django_db

PAGES = [
    "/p/tidewater/",
    "/p/tidewater/practitioners/",
    "/p/tidewater/practitioners/ana-silva/",
    "/p/tidewater/services/",
]


def text(client: HttpClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_second_visit_is_served_from_the_cache(client: HttpClient, cast: Cast, url: str) -> None:
    first = text(client, url)
    with CaptureQueriesContext(connection) as queries:
        assert text(client, url) == first
    assert len(queries) == 1, "only the practice's public version is read"
    assert queries[0]["sql"].startswith("SELECT public_version")


@pytest.mark.parametrize(
    ("url", "edit", "shown"),
    [
        # An owner's edits through the ORM's save().
        ("/p/tidewater/", lambda cast: _save(cast.tidewater, intro="Gentle, hands-on sessions."), "Gentle, hands-on"),
        (
            "/p/tidewater/practitioners/ana-silva/",
            lambda cast: _save(cast.ana, bio="Ana has practised since 2009."),
            "practised since 2009",
        ),
        ("/p/tidewater/services/", lambda cast: _save(cast.session, name="Long CST session"), "Long CST session"),
        (
            "/p/tidewater/",
            lambda cast: _save(cast.location, address="12 Quay Street"),
            "12 Quay Street",
        ),
        # Writes that send no signal: a queryset update, plain SQL, a many-to-many change.
        (
            "/p/tidewater/practitioners/",
            lambda cast: Practitioner.objects.filter(pk=cast.ana.pk).update(credentials="RCST, BCST"),
            "RCST, BCST",
        ),
        (
            "/p/tidewater/",
            lambda cast: _sql("UPDATE practice_practice SET phone = '555-0199' WHERE id = %s", cast.tidewater.pk),
            "555-0199",
        ),
        (
            "/p/tidewater/practitioners/",
            lambda cast: Practitioner.objects.create(
                practice=cast.tidewater, display_name="Bea Okafor", slug="bea-okafor"
            ),
            "Bea Okafor",
        ),
        (
            "/p/tidewater/services/",
            lambda cast: Service.objects.filter(pk=cast.first_visit.pk).update(active=False),
            "!First visit",
        ),
        (
            "/p/tidewater/",
            lambda cast: Location.objects.create(practice=cast.tidewater, name="Annex", address="1 Dock Road"),
            "1 Dock Road",
        ),
    ],
)
def test_an_edit_shows_on_the_next_request(
    client: HttpClient, cast: Cast, url: str, edit: Callable[[Cast], object], shown: str
) -> None:
    before = text(client, url)
    assert text(client, url) == before  # cached
    edit(cast)
    after = text(client, url)
    if shown.startswith("!"):
        assert shown[1:] in before and shown[1:] not in after
    else:
        assert shown not in before and shown in after


def test_who_offers_a_service_shows_on_the_next_request(client: HttpClient, cast: Cast) -> None:
    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea Okafor", slug="bea-okafor")
    before = text(client, "/p/tidewater/services/")
    cast.session.practitioners.add(bea)
    assert text(client, "/p/tidewater/services/").count("Bea Okafor") > before.count("Bea Okafor")
    cast.session.practitioners.remove(bea)
    assert text(client, "/p/tidewater/services/") == before


def test_a_stale_save_of_the_practice_never_takes_the_version_back(client: HttpClient, cast: Cast) -> None:
    stale = Practice.objects.get(pk=cast.tidewater.pk)  # read before the edits below
    first = text(client, "/p/tidewater/")
    Practitioner.objects.filter(pk=cast.ana.pk).update(display_name="Ana S. Silva")
    edited = text(client, "/p/tidewater/")
    assert "Ana S. Silva" in edited
    stale.tagline = "Quiet rooms by the harbour"
    stale.save()  # writes the public_version it read
    latest = text(client, "/p/tidewater/")
    assert "Quiet rooms by the harbour" in latest and "Ana S. Silva" in latest
    assert first != latest


def test_other_practices_pages_are_not_mixed_up(client: HttpClient, cast: Cast) -> None:
    assert "Tidewater" in text(client, "/p/tidewater/")
    assert "Harbour Bodywork" in text(client, "/p/harbour/")
    assert "Harbour Bodywork" not in text(client, "/p/tidewater/")


def test_a_signed_in_visitor_is_never_served_or_stored(client: HttpClient, cast: Cast) -> None:
    pages.clear()
    client.force_login(cast.olga_user)
    with CaptureQueriesContext(connection) as queries:
        text(client, "/p/tidewater/")
    assert not any(q["sql"].startswith("SELECT public_version") for q in queries), "a session skips the cache"
    assert not pages._pages, "nothing rendered for a session is kept"


def test_pages_that_set_a_cookie_or_use_a_csrf_token_are_not_kept(client: HttpClient, cast: Cast) -> None:
    pages.clear()
    # The booking pages carry forms: not decorated, and a page using a CSRF token is not kept anyway.
    client.get("/p/tidewater/book/")
    assert not pages._pages
    from django.http import HttpRequest, HttpResponse
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from longtide.web.public.page_cache import cached_public_page

    @cached_public_page
    def with_token(request: HttpRequest, practice_slug: str) -> HttpResponse:
        return HttpResponse(get_token(request))

    @cached_public_page
    def with_cookie(request: HttpRequest, practice_slug: str) -> HttpResponse:
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    request = RequestFactory().get("/p/tidewater/")
    first = with_token(request, "tidewater").content
    assert with_token(RequestFactory().get("/p/tidewater/"), "tidewater").content != first
    with_cookie(RequestFactory().get("/p/tidewater/"), "tidewater")
    assert not pages._pages


def test_unknown_practices_and_pages_still_answer_404(client: HttpClient, cast: Cast) -> None:
    assert client.get("/p/no-such-clinic/").status_code == 404
    assert client.get("/p/tidewater/practitioners/nobody/").status_code == 404
    assert client.get("/p/tidewater/practitioners/nobody/").status_code == 404


def _save(instance: Model, **fields: object) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.save()


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
