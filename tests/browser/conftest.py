"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Fixtures for browser tests (every test here is `@pytest.mark.browser`):

- `page` / `phone_page`: a fresh browser context and page per test, 1280x900 desktop or 390x844
  phone (touch, mobile viewport). Relative URLs go to the live server: `page.goto("/p/demo/")`.
- `new_page(viewport="desktop"|"phone", *, java_script_enabled=True, **context_options)`: the
  factory behind them, for a second page, a JavaScript-free context, or extra context options.
- `demo_practice`: the demo clinic (`longtide.sampledata.demo.seed_demo(sample_week=False)`) in the
  live server's database.
- `console_errors(page) -> list[str]`: console errors, uncaught exceptions and failed requests
  seen on a page made by these fixtures.
- `axe_violations(page) -> list[dict]` runs axe-core on the page; `assert_accessible(page)` fails
  listing each violation's id, impact, help and target nodes.
- `screenshot(page, suffix="") -> Path`: a full-page PNG at
  `test-artifacts/screenshots/<test name>[-suffix].png`. A failing test also leaves
  `<test name>-failed[-n].png` for each of its pages.

Without Chromium every browser test is skipped with a reason.

Playwright's sync API runs an asyncio loop in the test thread for as long as it is started, so
Django's ORM, called from a test or by pytest-django's flush between tests, would raise
SynchronousOnlyOperation. DJANGO_ALLOW_ASYNC_UNSAFE is therefore set for exactly that span: the
Playwright fixture is package-scoped (tests/browser is a package), sets the variable when it starts
Chromium and restores it when it stops, right after the last browser test, so the rest of the
suite keeps Django's safety check.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, expect, sync_playwright

from conftest import DAYS_AHEAD

if TYPE_CHECKING:
    from longtide.practice.models import Practice

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# A local server answers in milliseconds: fail well before Playwright's 30 s, yet leave room for a
# cold first request on a busy two-core CI machine.
TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000

_console_errors: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()
_failed_key = pytest.StashKey[bool]()


def _chromium_missing_reason() -> str | None:
    found = shutil.which(CHROMIUM)
    if found and os.access(found, os.X_OK):
        return None
    if os.environ.get("CHROMIUM"):
        return f"CHROMIUM={CHROMIUM} is not an executable Chromium"
    return "Debian's chromium is not installed: apt-get install chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _chromium_missing_reason()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:  # kept on the item so that `new_page` can screenshot a failed test's pages
        item.stash[_failed_key] = True
    return report


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        manager = sync_playwright().start()
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield manager
        finally:
            manager.stop()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def demo_practice(transactional_db: None) -> Practice:
    """The demo clinic at /p/demo/, committed so that the live server sees it."""
    from longtide.sampledata.demo import seed_demo

    return seed_demo(sample_week=False)


# The days-ahead sweep's clock (new_page) is a script Playwright puts in every frame: a sandboxed
# frame without scripts (the message preview's srcdoc) blocks it, and Chromium logs that.
_CLOCK_BLOCKED = "Blocked script execution in 'about:srcdoc'"


def _record_console_error(errors: list[str], message: ConsoleMessage) -> None:
    url = message.location.get("url", "")
    # Chromium asks for /favicon.ico on its own; the 404 is the browser's guess, not the page's error.
    if message.type == "error" and not url.endswith("/favicon.ico"):
        if DAYS_AHEAD and message.text.startswith(_CLOCK_BLOCKED):
            return
        errors.append(f"{message.text} ({url})" if url else message.text)


def _screenshot_path(request: pytest.FixtureRequest, suffix: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    if suffix:
        name = f"{name}-{suffix}"
    directory = request.config.rootpath / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{name}.png"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    def take(page: Page, suffix: str = "", *, full_page: bool = True) -> Path:
        path = _screenshot_path(request, suffix)
        # caret="initial": hiding the caret would inject a <style>, which the page's CSP refuses.
        page.screenshot(path=path, full_page=full_page, caret="initial")
        return path

    return take


def _record_failed_request(errors: list[str], request: Any) -> None:
    # net::ERR_ABORTED is the browser dropping a request the page no longer needs because it navigated
    # away (seen for the favicon under load), not a failure of the page: everything else is recorded.
    if request.failure != "net::ERR_ABORTED":
        errors.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture
def new_page(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(viewport: str = "desktop", *, java_script_enabled: bool = True, **context_options: Any) -> Page:
        options = {**VIEWPORTS[viewport], **context_options}
        context = browser.new_context(base_url=live_server.url, java_script_enabled=java_script_enabled, **options)
        if DAYS_AHEAD:
            # The root conftest's days-ahead sweep moves this process's clock: the page's clock
            # (Date, timers) starts from the same moved now and runs on, so that what a page
            # works out itself ("today" on an offline phone) agrees with the server.
            from django.utils import timezone

            context.clock.install(time=timezone.now())
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: _record_console_error(errors, message))
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda req: _record_failed_request(errors, req))
        _console_errors[page] = errors
        pages.append(page)
        return page

    yield make
    if request.node.stash.get(_failed_key, False):
        for index, page in enumerate(pages):
            # Best effort: a page that crashed must not hide the test's own failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=_screenshot_path(request, "failed" + (f"-{index}" if index else "")))
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop page (1280x900) in a fresh context."""
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A phone page (390x844, touch) in a fresh context."""
    return new_page("phone")


@pytest.fixture
def console_errors() -> Callable[[Page], list[str]]:
    return lambda page: _console_errors[page]


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
        # govern; a <script> tag with the source inline (add_script_tag) would be refused by it.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return violations


def _axe_report(page: Page) -> str:
    violations = _axe_violations(page)
    if not violations:
        return ""
    lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def axe_violations() -> Callable[[Page], list[dict[str, Any]]]:
    """Run axe-core on the page as it is now; the violations with id, impact, help, helpUrl, nodes."""
    return _axe_violations


@pytest.fixture
def axe_report() -> Callable[[Page], str]:
    """Run axe-core on the page; "" when clean, else one readable line per violation and node."""
    return _axe_report


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Run axe-core on the page and fail listing each violation's id, impact, help and target nodes."""

    def check(page: Page) -> None:
        if report := _axe_report(page):
            raise AssertionError(report)

    return check
