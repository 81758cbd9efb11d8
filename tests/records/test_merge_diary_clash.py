"""A merge of two records that both have a headache-diary entry for the same day (a client has one
entry a day): the preview refuses, naming the days (to front desk as outcome records, as the
preview counts them), and a confirmation is refused with that message (409), nothing changed; a
clash the checks do not know of is refused too, never an error page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.measurement.models import DiaryEntry
from longtide.records import merge as merge_module
from longtide.records.merge import MergeRefused, merge_clients, preview
from longtide.records.models import ClientMerge

pytestmark = pytest.mark.django_db


def _diary(cast: Cast, client: Client, days: list[int], slot: int) -> list[date]:
    from longtide.measurement.actions import open_episode, save_diary_day
    from tests.measurement.conftest import send, staff_actor, today, visit

    first = today(cast) - timedelta(days=10)
    visit(cast, client, first, slot=slot)
    episode = open_episode(
        client=client, concern="headache", opened_on=first, by=staff_actor(cast.ana_user), now=timezone.now()
    )
    link, _token = send(episode, "headache_diary", "diary")
    for back in days:
        save_diary_day(
            link=link,
            day=today(cast) - timedelta(days=back),
            data={"headache": "0"},
            by=staff_actor(None),
            now=timezone.now(),
        )
    return [today(cast) - timedelta(days=back) for back in days]


def _records(cast: Cast) -> tuple[Client, list[date], list[date]]:
    duplicate = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email="cleo2@example.test"
    )
    ours = _diary(cast, cast.cleo, [0, 1, 2], slot=0)
    _diary(cast, duplicate, [1, 2, 3], slot=1)
    return duplicate, sorted(ours[1:]), ours


def _unchanged(cast: Cast, duplicate: Client) -> None:
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None and not ClientMerge.objects.exists()
    assert DiaryEntry.objects.filter(client=duplicate).count() == 3
    assert DiaryEntry.objects.filter(client=cast.cleo).count() == 3


def _login(user: Any) -> HttpClient:
    http = HttpClient(raise_request_exception=False)
    http.force_login(user)
    return http


def test_a_diary_clash_is_refused_in_the_preview_and_on_confirming(cast: Cast) -> None:
    duplicate, clash, _ours = _records(cast)
    days = ", ".join(day.isoformat() for day in clash)
    page = f"/staff/tidewater/clients/{cast.cleo.pk}/merge/"

    owner = _login(cast.olga_user).get(page, {"duplicate": duplicate.pk}).text
    assert 'id="merge-refusal"' in owner
    assert f"both records have diary entries for the same days: {days}" in owner
    desk = _login(cast.ben_user)
    shown = desk.get(page, {"duplicate": duplicate.pk}).text
    assert f"both records have outcome records for the same days: {days}" in shown and "diary" not in shown.lower()

    seen = preview(cast.cleo, duplicate).fingerprint
    answer = desk.post(page, {"duplicate": duplicate.pk, "seen": seen})
    assert answer.status_code == 409 and f"outcome records for the same days: {days}" in answer.text
    _unchanged(cast, duplicate)


def test_a_clash_the_checks_miss_is_a_refusal_not_an_error(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    duplicate, _clash, _ours = _records(cast)
    monkeypatch.setattr(merge_module, "_refusal", lambda *args, **kwargs: None)
    with pytest.raises(MergeRefused, match="Nothing was merged"):
        merge_clients(
            practice=cast.tidewater,
            kept=cast.cleo,
            duplicate=duplicate,
            by=Actor(cast.ben_user, "front_desk"),
            now=timezone.now(),
        )
    _unchanged(cast, duplicate)
    seen = preview(cast.cleo, duplicate).fingerprint
    answer = _login(cast.ben_user).post(
        f"/staff/tidewater/clients/{cast.cleo.pk}/merge/", {"duplicate": duplicate.pk, "seen": seen}
    )
    assert answer.status_code == 409 and "Nothing was merged" in answer.text
    _unchanged(cast, duplicate)
