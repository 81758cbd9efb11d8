"""/api/v1/docs in a real browser with the network cut off: Swagger UI comes from the package's own
files on this server, runs under the Content-Security-Policy and shows the API's operations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]


def test_the_api_docs_work_offline_under_the_policy(
    page: Page, live_server: LiveServer, console_errors: Callable[[Page], list[str]], screenshot: Callable[..., Path]
) -> None:
    ours = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    response = page.goto("/api/v1/docs")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Longtide API")).to_be_visible()
    expect(page.get_by_text("Book a slot (held until confirmed from the email)")).to_be_visible()
    screenshot(page)
    assert elsewhere == [], "nothing is loaded from another site"
    assert console_errors(page) == []
