"""The headache diary offline, in a real browser on a phone: the client opens the diary online (its
service worker installs), loses the connection, opens the diary again (served from the phone),
records a day, sees it kept "on this phone, not sent yet", gets the connection back and sees it
sent; the row is in the database once. And the plain form, online, is unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def diary(demo_practice: Any) -> dict[str, Any]:
    """Dana: a headache episode opened ten days ago and her diary link."""
    from longtide.audit.trail import Actor
    from longtide.clients.models import Client
    from longtide.measurement import links
    from longtide.measurement.actions import open_episode, practice_today, send_link

    client = Client.objects.create(
        practice=demo_practice, first_name="Dana", last_name="Offline", email="dana@example.test"
    )
    now = timezone.now()
    episode = open_episode(
        client=client,
        concern="headache",
        opened_on=practice_today(demo_practice, now) - timedelta(days=10),
        by=Actor(None, "practitioner"),
        now=now,
    )
    link = send_link(
        episode=episode, instrument="headache_diary", timepoint="diary", by=Actor(None, "practitioner"), now=now
    )
    token = links.token_of(link)
    assert token is not None
    return {
        "client": client,
        "base": f"/p/demo/diary/{token}/",
        "today": practice_today(demo_practice, now),
        # The phone is where the practice is: offline it works out "today" on its own clock, and a
        # browser on a UTC machine is a day ahead of New York every evening.
        "phone": {"timezone_id": demo_practice.locations.get().time_zone},
    }


def _controlled(phone: Page) -> None:
    """Wait until the diary's service worker controls the page (it claims it once installed)."""
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_a_diary_day_recorded_offline_is_kept_on_the_phone_and_sent_when_back_online(
    diary: dict[str, Any], new_page: Any, screenshot: Any, console_errors: Any
) -> None:
    from longtide.measurement.models import DiaryEntry

    phone = new_page("phone", **diary["phone"])
    phone.goto(diary["base"])
    expect(phone.locator("#diary-day")).to_contain_text("Today")
    _controlled(phone)
    manifest = phone.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest == diary["base"] + "manifest.webmanifest"
    # Chromium's own reading of the manifest, and its installability verdict: nothing but that a
    # Playwright context is an incognito one (where nothing installs).
    devtools = phone.context.new_cdp_session(phone)
    read = devtools.send("Page.getAppManifest")
    assert read["errors"] == [] and read["url"].endswith(manifest)
    errors = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
    devtools.detach()

    phone.context.set_offline(True)
    # The network is really gone for the page...
    assert phone.evaluate("() => fetch('/p/demo/').then(() => 'online', () => 'offline')") == "offline"
    # ...and the diary still opens: the copy the service worker kept, today's day worked out on the phone.
    response = phone.goto(diary["base"])
    assert response is not None and response.from_service_worker
    expect(phone.locator("#diary")).to_have_attribute("data-shell", "1")
    expect(phone.locator("#diary-day")).to_contain_text("Today")
    expect(phone.locator("#sync-status")).to_contain_text("You are offline")
    phone.locator("#item-headache").get_by_label("Yes").check()
    phone.locator('input[name="peak"][value="7"]').check()
    phone.locator("#item-migraine").get_by_label("Yes").check()
    phone.locator("#item-medication").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    pending = phone.locator("#offline-pending")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text("Saved on this phone, not sent yet")
    expect(phone.locator(f'#recent li[data-day="{diary["today"].isoformat()}"]')).to_contain_text(
        "saved on this phone, not sent yet"
    )
    # Catching up on a missed day, still offline: its address opens the kept page for that day.
    yesterday = diary["today"] - timedelta(days=1)
    phone.locator(f'#recent li[data-day="{yesterday.isoformat()}"] a').click()
    expect(phone.locator("#diary")).to_have_attribute("data-shell", "1")
    expect(phone.locator("#diary-day")).not_to_contain_text("Today")
    phone.locator("#item-headache").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    expect(phone.locator("#pending-list li")).to_have_count(2)
    screenshot(phone, "pending")
    assert not DiaryEntry.objects.filter(client=diary["client"]).exists()

    phone.context.set_offline(False)
    expect(phone.locator("#sync-status")).to_contain_text("Sent to the practice.")
    expect(pending).to_be_hidden()
    expect(phone.locator(f'#recent li[data-day="{diary["today"].isoformat()}"]')).to_contain_text("filled in")
    screenshot(phone, "sent")
    entry, missed = DiaryEntry.objects.filter(client=diary["client"]).order_by("-day")
    assert entry.day == diary["today"] and entry.complete
    assert entry.answers == {"headache": 1, "peak": 7, "migraine": 1, "medication": 0}
    assert entry.sync_id is not None
    assert missed.day == yesterday and missed.answers == {"headache": 0}

    # Opened again online: nothing is left waiting, nothing is sent twice, the page is the server's.
    phone.goto(diary["base"])
    expect(phone.locator("#diary")).to_have_attribute("data-shell", "0")
    expect(phone.locator("#offline-pending")).to_be_hidden()
    assert DiaryEntry.objects.filter(client=diary["client"]).count() == 2
    failed = [e for e in console_errors(phone) if "ERR_INTERNET_DISCONNECTED" not in e]
    assert failed == []


def test_online_the_plain_form_still_saves_and_goes_on_to_the_missed_day(diary: dict[str, Any], new_page: Any) -> None:
    from longtide.measurement.models import DiaryEntry

    for java_script in (True, False):
        phone = new_page("phone", java_script_enabled=java_script, **diary["phone"])
        day = diary["today"] - timedelta(days=1 if java_script else 2)
        phone.goto(diary["base"] + f"{day.isoformat()}/")
        phone.locator("#item-headache").get_by_label("No").check()
        phone.get_by_role("button", name="Save this day").click()
        expect(phone.get_by_role("status")).to_contain_text("Saved")
        saved = DiaryEntry.objects.get(client=diary["client"], day=day)
        assert saved.answers == {"headache": 0}
        # With JavaScript a copy was kept on the phone (its id posted with the form) and dropped
        # once the practice's page named it stored: nothing waits on the phone.
        assert (saved.sync_id is not None) == java_script
        if java_script:
            expect(phone.locator("#offline-pending")).to_be_hidden()
            assert phone.evaluate(f"LongtideDiary.all({diary['base']!r})") == []


def test_a_post_lost_online_is_kept_on_the_phone_and_sent_later(diary: dict[str, Any], new_page: Any) -> None:
    """A connection that says it is online but does not reach the practice (a captive portal, a
    dropped Wi-Fi): the form's post fails, and the day is not lost. Found in an earlier stop."""
    from longtide.measurement.models import DiaryEntry

    phone = new_page("phone", **diary["phone"])
    day = diary["today"] - timedelta(days=1)
    phone.goto(diary["base"] + f"{day.isoformat()}/")
    _controlled(phone)
    aborted: list[str] = []

    def lose_the_post(route: Any) -> None:
        if route.request.method == "POST":
            aborted.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    phone.route(f"**{diary['base']}{day.isoformat()}/", lose_the_post)
    phone.locator("#item-headache").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    for _ in range(100):
        if aborted:
            break
        phone.wait_for_timeout(50)
    assert aborted, "the post was never sent"
    phone.wait_for_load_state()
    assert not DiaryEntry.objects.filter(client=diary["client"], day=day).exists()
    phone.unroute(f"**{diary['base']}{day.isoformat()}/")
    phone.goto(diary["base"])
    expect(phone.locator("#sync-status")).to_contain_text("Sent to the practice.")
    entry = DiaryEntry.objects.get(client=diary["client"], day=day)
    assert entry.answers == {"headache": 0} and entry.sync_id is not None
    assert phone.evaluate(f"LongtideDiary.all({diary['base']!r})") == []


def test_a_withdrawn_diary_link_leaves_nothing_on_the_phone(diary: dict[str, Any], new_page: Any) -> None:
    from longtide.measurement.models import DiaryEntry, QuestionnaireLink

    phone = new_page("phone", **diary["phone"])
    phone.goto(diary["base"])
    _controlled(phone)
    phone.context.set_offline(True)
    phone.goto(diary["base"])
    phone.locator("#item-headache").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    expect(phone.locator("#offline-pending")).to_be_visible()
    assert phone.evaluate("() => caches.keys()") != []
    # The practice withdraws the link while the phone is offline.
    QuestionnaireLink.objects.filter(client=diary["client"]).update(voided_at=timezone.now())
    phone.context.set_offline(False)
    expect(phone.locator("#sync-status")).to_contain_text("This diary link no longer works")
    # Opened again: the practice's "no longer works" page, and the worker removes what it kept.
    response = phone.goto(diary["base"])
    assert response is not None and response.status == 410
    phone.wait_for_function("() => navigator.serviceWorker.getRegistrations().then(r => r.length === 0)")
    phone.wait_for_function("() => caches.keys().then(k => k.length === 0)")
    left = phone.evaluate(
        """() => new Promise(done => {
            const open = indexedDB.open("longtide-diary", 1);
            open.onsuccess = () => {
                const read = open.result.transaction("pending").objectStore("pending").count();
                read.onsuccess = () => done(read.result);
            };
        })"""
    )
    assert left == 0
    assert not DiaryEntry.objects.filter(client=diary["client"]).exists()


def test_a_day_kept_from_elsewhere_is_shown_as_kept_not_with_the_phones_answers(
    diary: dict[str, Any], new_page: Any
) -> None:
    """The phone recorded a day offline; meanwhile the same day was filled in on a computer. Back
    online in a browser without Background Sync, the practice keeps the computer's entry: the page
    says so and shows that entry, not the phone's answers (which "Save the change" would then have
    saved over it)."""
    from django.utils import timezone

    from longtide.audit.trail import Actor
    from longtide.measurement import links
    from longtide.measurement.actions import save_diary_day
    from longtide.measurement.models import DiaryEntry

    phone = new_page("phone", **diary["phone"])
    phone.add_init_script(
        "Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', {get() { return undefined; }});"
    )
    phone.goto(diary["base"])
    _controlled(phone)
    phone.context.set_offline(True)
    phone.goto(diary["base"])
    expect(phone.locator("#diary")).to_have_attribute("data-shell", "1")
    phone.locator("#item-headache").get_by_label("Yes").check()
    phone.locator('input[name="peak"][value="7"]').check()
    phone.locator("#item-migraine").get_by_label("Yes").check()
    phone.locator("#item-medication").get_by_label("No").check()
    phone.get_by_role("button", name="Save this day").click()
    expect(phone.locator("#offline-pending")).to_be_visible()
    phone.goto("about:blank")
    link = links.find(diary["base"].rstrip("/").split("/")[-1])
    assert link is not None
    save_diary_day(link=link, day=diary["today"], data={"headache": "0"}, by=Actor(None, "client"), now=timezone.now())
    phone.context.set_offline(False)
    phone.goto(diary["base"])
    expect(phone.locator("#diary")).to_have_attribute("data-shell", "0")
    expect(phone.locator("#sync-status")).to_contain_text("filled in elsewhere")
    expect(phone.locator("#item-headache").get_by_label("No")).to_be_checked()
    expect(phone.locator("#item-headache").get_by_label("Yes")).not_to_be_checked()
    phone.get_by_role("button", name="Save the change").click()
    phone.wait_for_load_state()
    assert DiaryEntry.objects.get(client=diary["client"], day=diary["today"]).answers == {"headache": 0}
