"""The demo clinic's public pages in a real browser: content, the style filter (mouse, keyboard and
without JavaScript), the skip link, and axe-core's accessibility checks on desktop and phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_practice")]

CLINIC = "Stillwater Craniosacral Clinic"
PRACTITIONERS = ["Maya Okafor", "Jonah Lindqvist", "Inès Moreau"]
HOME_SECTIONS = [
    "What craniosacral therapy is",
    "Styles of practice",
    "What to expect in a session",
    "An honest word about the evidence",
]


def listed_practitioners(page: Page) -> list[str]:
    return page.locator("#practitioner-list h2").all_inner_texts()


def expect_only_jonah(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/p/demo/practitioners/\?style=biodynamic$"))
    expect(page.locator("#practitioner-list h2")).to_have_text(["Jonah Lindqvist"])
    expect(page.get_by_role("radio", name="Biodynamic")).to_be_checked()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_home_page_shows_the_clinic_and_its_sections(
    new_page: Callable[..., Page],
    viewport: str,
    console_errors: Callable[[Page], list[str]],
    screenshot: Callable[..., Path],
) -> None:
    page = new_page(viewport)
    page.goto("/p/demo/")
    expect(page).to_have_title(CLINIC)
    expect(page.get_by_role("heading", level=1)).to_have_text(CLINIC)
    for section in HOME_SECTIONS:
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    expect(page.get_by_role("region", name="An honest word about the evidence")).to_contain_text("limited and mixed")
    for name in PRACTITIONERS:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    # htmx loaded: static files are served and the page's script ran.
    assert page.evaluate("() => typeof window.htmx") == "object"
    screenshot(page)
    assert console_errors(page) == []


def test_filter_by_style_with_the_mouse(page: Page, console_errors: Callable[[Page], list[str]]) -> None:
    page.goto("/p/demo/practitioners/")
    assert listed_practitioners(page) == PRACTITIONERS
    page.get_by_role("radio", name="Biodynamic").click()
    page.get_by_role("button", name="Show practitioners").click()
    expect_only_jonah(page)
    assert console_errors(page) == []


def focused(page: Page) -> dict[str, str]:
    found: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '',
                    text: el.textContent.trim(), outline: getComputedStyle(el).outlineStyle};
        }"""
    )
    return found


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_filter_by_style_with_the_keyboard_only(page: Page, key: str) -> None:
    page.goto("/p/demo/practitioners/")
    for _ in range(12):  # skip link, brand, three nav links, then the form
        page.keyboard.press("Tab")
        if focused(page)["name"] == "style":
            break
    now = focused(page)
    assert (now["type"], now["value"]) == ("radio", ""), f"Tab never reached the style radios: {now}"
    assert now["outline"] == "solid", "the focused radio shows no focus ring"

    for _ in range(3):  # arrow keys move through the radio group, checking as they go
        page.keyboard.press("ArrowRight")
        if focused(page)["value"] == "biodynamic":
            break
    assert focused(page)["value"] == "biodynamic"
    expect(page.get_by_role("radio", name="Biodynamic")).to_be_checked()

    page.keyboard.press("Tab")  # one tab stop for the whole group: next is the button
    now = focused(page)
    assert (now["tag"], now["text"]) == ("button", "Show practitioners")
    assert now["outline"] == "solid", "the focused button shows no focus ring"
    page.keyboard.press(key)
    expect_only_jonah(page)


def test_services_page_lists_the_three_services(page: Page, console_errors: Callable[[Page], list[str]]) -> None:
    page.goto("/p/demo/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services and prices")
    services = page.locator(".card.service")
    expect(services.locator("h2")).to_have_text(
        ["First visit with intake", "Craniosacral session", "Head, neck and jaw session"]
    )

    def service(name: str) -> Locator:
        return services.filter(has=page.get_by_role("heading", name=name, exact=True))

    expect(service("First visit with intake")).to_contain_text("90 minutes")
    expect(service("First visit with intake")).to_contain_text("$150")
    expect(service("Craniosacral session")).to_contain_text("60 minutes · $110")
    expect(service("Head, neck and jaw session")).to_contain_text("30 minutes · $65")
    assert console_errors(page) == []


AXE_PAGES = ["/p/demo/", "/p/demo/practitioners/", "/p/demo/practitioners/?style=biodynamic", "/p/demo/services/"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_accessibility_violations(
    new_page: Callable[..., Page], axe_report: Callable[[Page], str], viewport: str
) -> None:
    # One test visits all four pages: one database flush per viewport rather than per page.
    page = new_page(viewport)
    reports = []
    for path in AXE_PAGES:
        page.goto(path)
        reports.append(axe_report(page))
    assert not any(reports), "\n".join(filter(None, reports))


def test_pages_work_without_javascript(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/p/demo/")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLINIC)
    for section in HOME_SECTIONS:
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()

    page.get_by_role("link", name="Meet the practitioners").click()
    expect(page).to_have_url(re.compile(r"/p/demo/practitioners/$"))
    page.get_by_role("radio", name="Biodynamic").check()
    page.get_by_role("button", name="Show practitioners").click()
    expect_only_jonah(page)

    page.get_by_role("link", name="Services").click()
    expect(page.locator(".card.service")).to_have_count(3)


def test_skip_link_moves_focus_to_main(page: Page) -> None:
    page.goto("/p/demo/")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # hidden until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside main, past the header's links.
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)
