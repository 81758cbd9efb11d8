"""The diary offline at the HTTP level: the manifest and the service worker under the diary's own
address, and the endpoint the phone sends offline entries to — one row per client and day however
often an entry is sent, what wins when the day was filled in elsewhere, and the security walk
(other practice, questionnaire token, expired link, wrong content type, malformed JSON, NUL,
year 9999, too many entries, no CSRF needed and no cookie read)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast, ClientResponse
from longtide.audit.models import AuditEvent
from longtide.measurement.actions import save_diary_day
from longtide.measurement.models import DiaryEntry
from tests.measurement.conftest import send, staff_actor, today

pytestmark = pytest.mark.django_db


def _post(web: HttpClient, token: str, entries: object, *, slug: str = "tidewater", **extra: Any) -> ClientResponse:
    return web.post(
        f"/p/{slug}/diary/{token}/sync/", json.dumps({"entries": entries}), content_type="application/json", **extra
    )


def _entry(day: date, answers: dict[str, Any], *, id: str | None = None, seen: str = "") -> dict[str, Any]:
    return {"id": str(id or uuid.uuid4()), "day": day.isoformat(), "answers": answers, "seen": seen}


def test_the_manifest_and_worker_live_under_the_diary_and_cover_only_it(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    base = f"/p/tidewater/diary/{token}/"
    manifest = web.get(base + "manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["start_url"] == base and body["scope"] == base and body["display"] == "standalone"
    for icon in body["icons"]:  # every icon named exists
        assert finders.find(icon["src"].removeprefix("/static/")), icon
    worker = web.get(base + "sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert "no-store" in worker["Cache-Control"]
    text = worker.content.decode()
    assert f'var BASE = "{base}"'.replace("-", "\\u002D") in text or f'var BASE = "{base}"' in text
    assert "/staff/" not in text and "/manage/" not in text
    # The worker's default scope is its own folder: the diary, nothing above it.
    assert "Service-Worker-Allowed" not in worker
    page = web.get(base + f"{today(cast).isoformat()}/")
    assert "manifest.webmanifest" in page.text and "diary-offline.js" in page.text
    shell = web.get(base + "offline/")
    assert shell.status_code == 200 and 'data-shell="1"' in shell.text and "no-store" in shell["Cache-Control"]


def test_a_questionnaire_token_or_another_practice_gets_no_worker_manifest_or_sync(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "nprs_pain")
    _diary, diary_token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    for path in ("sw.js", "manifest.webmanifest"):
        assert web.get(f"/p/tidewater/diary/{token}/{path}").status_code == 404
        assert web.get(f"/p/tidewater/diary/nosuchtoken/{path}").status_code == 404
        assert web.get(f"/p/other/diary/{diary_token}/{path}").status_code == 404
    answer = _post(web, token, [_entry(today(cast), {"headache": "0"})])
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert _post(web, diary_token, [_entry(today(cast), {"headache": "0"})], slug="other").status_code == 404
    assert DiaryEntry.objects.count() == 0


def test_an_offline_entry_is_stored_once_however_often_it_is_sent(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "headache_diary", "diary")
    web = HttpClient(enforce_csrf_checks=True)  # the phone sends no CSRF token: none is needed
    yesterday = today(cast) - timedelta(days=1)
    entry = _entry(yesterday, {"headache": "1", "peak": "6", "migraine": "1", "medication": "0"})
    first = _post(web, token, [entry])
    assert first.status_code == 200
    [result] = first.json()["results"]
    assert result["outcome"] == "saved" and result["id"] == entry["id"] and result["day"] == yesterday.isoformat()
    stored = DiaryEntry.objects.get()
    assert stored.answers == {"headache": 1, "peak": 6, "migraine": 1, "medication": 0} and stored.complete
    assert str(stored.sync_id) == entry["id"]
    # The answer was lost and the phone sends again, twice in one body even: nothing changes.
    again = _post(web, token, [entry, entry])
    assert [r["outcome"] for r in again.json()["results"]] == ["already", "already"]
    assert DiaryEntry.objects.count() == 1 and DiaryEntry.objects.get().saved_at == stored.saved_at
    assert AuditEvent.objects.filter(object_type="diary_day").count() == 1


def test_a_day_filled_in_elsewhere_first_is_kept_and_a_change_of_what_the_phone_saw_wins(
    cast: Cast, episode: Any
) -> None:
    link, token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    day = today(cast)
    # Filled in on the computer after the phone last loaded the diary (the phone saw the day empty).
    elsewhere = save_diary_day(link=link, day=day, data={"headache": "0"}, by=staff_actor(None), now=timezone.now())
    kept = _post(web, token, [_entry(day, {"headache": "1", "peak": "3", "migraine": "0", "medication": "0"})])
    [result] = kept.json()["results"]
    assert result["outcome"] == "kept" and "filled in elsewhere" in result["message"]
    assert DiaryEntry.objects.get().answers == {"headache": 0}
    # The phone had seen that entry and changed it offline: its change wins.
    changed = _post(
        web,
        token,
        [
            _entry(
                day,
                {"headache": "1", "peak": "3", "migraine": "0", "medication": "0"},
                seen=elsewhere.saved_at.isoformat(),
            )
        ],
    )
    assert changed.json()["results"][0]["outcome"] == "saved"
    assert DiaryEntry.objects.get().answers == {"headache": 1, "peak": 3, "migraine": 0, "medication": 0}


def test_entries_that_do_not_fit_are_answered_each_and_bad_bodies_get_a_clear_4xx(cast: Cast, episode: Any) -> None:
    link, token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    day = today(cast)
    mixed = _post(
        web,
        token,
        [
            _entry(day + timedelta(days=1), {"headache": "0"}),
            _entry(day, {"headache": "1", "peak": "11", "migraine": "0", "medication": "0"}),
            _entry(day - timedelta(days=400), {"headache": "0"}),
            _entry(day - timedelta(days=2), {"headache": "0"}),
        ],
    )
    assert mixed.status_code == 200
    outcomes = [(r["outcome"], r["message"]) for r in mixed.json()["results"]]
    assert outcomes[0] == ("refused", "You can fill in today and days before it, not days to come.")
    assert outcomes[1][0] == "invalid" and mixed.json()["results"][1]["errors"]["peak"]
    assert outcomes[2] == ("refused", "This day is too long ago to fill in now.")
    assert outcomes[3][0] == "saved"
    assert DiaryEntry.objects.count() == 1
    base = f"/p/tidewater/diary/{token}/sync/"
    assert web.post(base, {"entries": "x"}).status_code == 415  # a form post: not JSON
    assert web.post(base, "{not json", content_type="application/json").json()["code"] == "malformed_json"
    # A list with one entry that is not even an entry takes none of it (a 400 stores nothing).
    half = _post(web, token, [_entry(day - timedelta(days=5), {"headache": "0"}), {"id": "x"}])
    assert half.status_code == 400 and not DiaryEntry.objects.filter(day=day - timedelta(days=5)).exists()
    nested = web.post(base, '{"entries": ' + "[" * 5000, content_type="application/json")  # under 64 KB
    assert nested.status_code == 400 and nested.json()["code"] == "malformed_json"
    assert web.get(base).status_code == 405
    for bad in (
        [{"id": "x", "day": day.isoformat(), "answers": {}}],
        [_entry(day, {"headache": "0"}) | {"day": "9999-12-31"}],
        [_entry(day, {"headache": "0"}) | {"day": "2026-02-30"}],
        [_entry(day, {"headache\x00": "0\x00"}) | {"seen": "yesterday"}],
        [_entry(day, {"headache": ["0"]})],
        [_entry(day, {"headache": "0"}) | {"seen": "2026-01-01T10:00:00"}],
        [_entry(day - timedelta(days=n % 60), {"headache": "0"}) for n in range(63)],
        [],
        ["x"],
    ):
        answer = _post(web, token, bad)
        assert answer.status_code == 400, bad
        assert answer.json()["detail"]
    # A NUL in a field is dropped, never stored or a 500.
    nul = _post(web, token, [_entry(day - timedelta(days=3), {"headache\x00": "0\x00"})])
    assert nul.status_code == 200 and nul.json()["results"][0]["outcome"] == "saved"
    assert DiaryEntry.objects.get(day=day - timedelta(days=3)).answers == {"headache": 0}
    # An expired link takes nothing.
    link.expires_at = timezone.now() - timedelta(minutes=1)
    link.save(update_fields=["expires_at"])
    gone = _post(web, token, [_entry(day - timedelta(days=4), {"headache": "0"})])
    assert gone.status_code == 410 and gone.json()["code"] == "gone"
    assert web.get(f"/p/tidewater/diary/{token}/sw.js").status_code == 404


def test_the_plain_form_posts_the_phones_copy_id_once_and_names_it_after(cast: Cast, episode: Any) -> None:
    """The plain form carries the id of the copy the phone kept before posting (diary-offline.js):
    the day is stored with it, the page after names it (so the phone drops its copy), the same post
    again changes nothing, and the copy sent later is answered "already"."""
    _link, token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    day = today(cast) - timedelta(days=1)
    url = f"/p/tidewater/diary/{token}/{day.isoformat()}/"
    copy = str(uuid.uuid4())
    assert web.post(url, {"headache": "0", "sync_id": copy}).status_code == 302
    entry = DiaryEntry.objects.get(day=day)
    assert str(entry.sync_id) == copy and entry.answers == {"headache": 0}
    assert f'data-sync="{copy}"' in web.get(f"/p/tidewater/diary/{token}/{today(cast).isoformat()}/").text
    assert web.post(url, {"headache": "1", "sync_id": copy}).status_code == 302  # the same post, resent
    assert DiaryEntry.objects.get(day=day).answers == {"headache": 0}
    answer = _post(web, token, [_entry(day, {"headache": "0"}, id=copy)])
    assert answer.json()["results"][0]["outcome"] == "already"
    # A refused post names its copy as refused (the phone drops it); an id that is not one is ignored.
    refused = web.post(url, {"sync_id": str(uuid.uuid4())})
    assert refused.status_code == 400 and 'data-rejected-sync="' in refused.text
    assert 'data-rejected-sync=""' not in refused.text
    assert web.post(url, {"headache": "0", "sync_id": "x\x00" * 30}).status_code == 302
    assert DiaryEntry.objects.get(day=day).sync_id is None
