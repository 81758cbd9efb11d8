"""Security headers: a Content-Security-Policy on every page (no inline script or style anywhere in
our templates), `Cache-Control: no-store` on every page with private data, and the API's docs
served from the package, not a CDN. HSTS and the HTTPS redirect (production only) are checked
against the real production server in tests/test_production_steps.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from conftest import Cast, ClientResponse, streamed, without_random_keys
from longtide.notifications.delivery import deliver_due

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "longtide"
NOW = "2026-12-01 15:00:00+00:00"


def policy(response: ClientResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_every_page_has_a_policy_without_inline_script_or_style(client: HttpClient, cast: Cast) -> None:
    for url in ("/p/tidewater/", "/p/tidewater/book/", "/staff/login/", "/api/v1/docs", "/p/no-such-clinic/"):
        directives = policy(client.get(url))
        assert directives["default-src"] == ["'self'"], url
        assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"], url
        assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'self'"], url


def test_no_template_has_an_inline_script_style_or_event_handler() -> None:
    """The class of problem, not one page: scripts only from files, styles only from stylesheets."""
    found = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{template.name}: {tag}")
        found += [f"{template.name}: {m}" for m in re.findall(r"<style\b|\sstyle=\"|\son[a-z]+=\"", text)]
    assert found == []


def test_the_calendar_is_laid_out_by_classes_from_a_stylesheet(client: HttpClient, cast: Cast) -> None:
    from longtide.web.staff.calendar_css import stylesheet

    css = TEMPLATES / "web" / "static" / "longtide" / "calendar-grid.css"
    assert css.read_text() == stylesheet(), "regenerate calendar-grid.css (see calendar_css.py)"
    client.force_login(cast.olga_user)
    page = client.get("/staff/tidewater/calendar/?date=2026-12-02").text
    assert "calendar-grid.css" in page and ' style="' not in page
    assert re.search(r'class="cal-grid cal-day rows-\d+"', page)


def test_private_pages_are_never_stored(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        details = {
            "slot": f"2026-12-02T10:00:00-05:00|{cast.ana.pk}",
            "first_name": "Cleo",
            "last_name": "Park",
            "email": "cleo@example.test",
            "phone": "",
            "note": "",
        }
        requested = client.post("/p/tidewater/book/cst-60/details/", details)
        assert requested.status_code == 302
        deliver_due(worker="test")
        token = re.search(r"/p/tidewater/manage/([\w-]+)/", str(mail.outbox[-1].body))
        assert token
        private = [
            requested["Location"],
            f"/p/tidewater/manage/{token.group(1)}/",
            f"/api/v1/bookings/{token.group(1)}",
            "/p/tidewater/book/cst-60/details/",
            "/staff/login/",
            "/admin/login/",
        ]
        anonymous = {url: client.get(url) for url in private}
        client.force_login(cast.olga_user)
        staff = ("/staff/", "/staff/tidewater/calendar/", "/staff/tidewater/settings/")
        signed_in = {url: client.get(url) for url in staff}
    for url, response in {**anonymous, **signed_in}.items():
        assert response.status_code in (200, 302), url
        assert "no-store" in response["Cache-Control"], url
    # By address, so pages added later are covered too.
    from longtide.web.private_pages import is_private

    for later in (
        "/p/x/intake/t/step/",
        "/p/x/waitlist/t/",
        "/calendar-feed/t.ics",
        "/staff/x/anything/",
        "/p/x/questions/t/",
        "/p/x/diary/t/2026-12-02/",
        "/p/x/diary/t/sw.js",
        "/p/x/diary/t/manifest.webmanifest",
    ):
        assert is_private(later), later
    assert not is_private("/p/x/") and not is_private("/p/x/book/")
    # Public pages may be cached.
    assert "no-store" not in client.get("/p/tidewater/").get("Cache-Control", "")


def test_the_api_docs_use_the_packaged_swagger_ui(client: HttpClient) -> None:
    page = client.get("/api/v1/docs").text
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in without_random_keys(page).lower() and "https://" not in page
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert b"SwaggerUIBundle" in streamed(bundle)


def test_the_staff_api_answers_are_never_stored(cast: Cast) -> None:
    """A session note read through the staff API is as private as the page showing it; the public
    API's answers (services, availability) may be cached."""
    from django.utils import timezone

    from longtide.tokens.issue import create_token

    token = create_token(practice=cast.tidewater, user=cast.olga_user, days=1, name="t", now=timezone.now()).token
    web = HttpClient(headers={"Authorization": f"Bearer {token}"})
    for path in (
        f"/api/v1/p/tidewater/clients/{cast.cleo.pk}/notes",
        f"/api/v1/p/tidewater/clients/{cast.cleo.pk}/chart",
        "/api/v1/p/tidewater/clients",
        "/api/v1/p/tidewater/appointments",
        "/api/v1/p/tidewater/reports/outcomes",
    ):
        response = web.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    assert "no-store" not in web.get("/api/v1/p/tidewater/services").get("Cache-Control", "")
