"""A merge of two records that each have an open care episode for the same concern: the record kept
would have two open episodes for one concern (which opening an episode refuses), and the outcome
report, one record per episode, would count the client twice. The preview refuses, naming the
concern to whoever may read outcomes (to front desk they are outcome records, as the preview counts
them), and a confirmation is refused with that message (409), nothing changed. Openness is judged
as it will be after the merge: a duplicate's episode lapsed by inactivity comes back to life with
the kept record's visits. A closed episode, or episodes for different concerns, merge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.measurement import actions
from longtide.measurement.models import Episode
from longtide.measurement.report import Filters, episode_records
from longtide.outcomes.concerns import Concern, measure_for
from longtide.records.merge import MergeRefused, merge_clients, preview
from longtide.records.models import ClientMerge
from tests.measurement.conftest import staff_actor, today, visit

pytestmark = pytest.mark.django_db


def _episode(cast: Cast, client: Client, back: int, *, slot: int, concern: str = "neck_back_pain") -> Episode:
    """An episode opened `back` days ago, with a completed visit that day."""
    first = today(cast) - timedelta(days=back)
    visit(cast, client, first, slot=slot)
    return actions.open_episode(
        client=client, concern=concern, opened_on=first, by=staff_actor(cast.ana_user), now=timezone.now()
    )


def _duplicate(cast: Cast) -> Client:
    return Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email="cleo2@example.test"
    )


def _open_episodes(client: Client, concern: str = "neck_back_pain") -> list[Episode]:
    today_ = actions.practice_today(client.practice)
    return [e for e in Episode.objects.filter(client=client, concern=concern) if actions.is_open(e, today_)]


def _login(user: Any) -> HttpClient:
    http = HttpClient(raise_request_exception=False)
    http.force_login(user)
    return http


def _unchanged(cast: Cast, duplicate: Client) -> None:
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None and not ClientMerge.objects.exists()
    assert Episode.objects.filter(client=duplicate).count() == 1
    assert Episode.objects.filter(client=cast.cleo).count() == 1


def test_two_open_episodes_for_one_concern_are_refused_in_the_preview_and_on_confirming(cast: Cast) -> None:
    _episode(cast, cast.cleo, 10, slot=0)
    duplicate = _duplicate(cast)
    _episode(cast, duplicate, 5, slot=1)
    page = f"/staff/tidewater/clients/{cast.cleo.pk}/merge/"

    owner = _login(cast.olga_user).get(page, {"duplicate": duplicate.pk}).text
    assert 'id="merge-refusal"' in owner
    assert "both records have an open outcome episode for the same concern: Neck or back pain" in owner
    desk = _login(cast.ben_user)
    shown = desk.get(page, {"duplicate": duplicate.pk}).text
    assert 'id="merge-refusal"' in shown
    assert "both records have open outcome records for the same concern" in shown
    assert "neck" not in shown.lower() and "episode" not in shown.lower()

    seen = preview(cast.cleo, duplicate).fingerprint
    answer = desk.post(page, {"duplicate": duplicate.pk, "seen": seen})
    assert answer.status_code == 409 and "open outcome records for the same concern" in answer.text
    _unchanged(cast, duplicate)
    with pytest.raises(MergeRefused, match="Neck or back pain"):
        merge_clients(
            practice=cast.tidewater,
            kept=cast.cleo,
            duplicate=duplicate,
            by=Actor(cast.olga_user, "owner"),
            now=timezone.now(),
            clinical=True,
        )
    _unchanged(cast, duplicate)


def test_an_episode_lapsed_on_its_own_record_is_open_again_with_the_kept_records_visits(cast: Cast) -> None:
    """The duplicate's episode had no visit for longer than the practice's inactivity days (counted
    closed), but after the merge the kept record's recent visits are the client's: it would be open."""
    duplicate = _duplicate(cast)
    lapsed = _episode(cast, duplicate, 200, slot=1)
    assert not actions.is_open(lapsed, actions.practice_today(cast.tidewater))
    _episode(cast, cast.cleo, 10, slot=0)
    assert preview(cast.cleo, duplicate, clinical=True).refusal is not None
    with pytest.raises(MergeRefused, match="Neck or back pain"):
        merge_clients(
            practice=cast.tidewater,
            kept=cast.cleo,
            duplicate=duplicate,
            by=Actor(cast.olga_user, "owner"),
            now=timezone.now(),
            clinical=True,
        )
    _unchanged(cast, duplicate)


def test_a_closed_episode_or_another_concern_merges_and_the_report_counts_the_client_once(cast: Cast) -> None:
    _episode(cast, cast.cleo, 10, slot=0)
    duplicate = _duplicate(cast)
    closed = _episode(cast, duplicate, 30, slot=1)
    actions.close_episode(
        episode=closed, on=today(cast) - timedelta(days=20), reason="Discharged", by=staff_actor(None)
    )
    _episode(cast, duplicate, 5, slot=2, concern="headache")
    shown = preview(cast.cleo, duplicate, clinical=True)
    assert shown.refusal is None
    merge_clients(
        practice=cast.tidewater,
        kept=cast.cleo,
        duplicate=duplicate,
        by=Actor(cast.olga_user, "owner"),
        now=timezone.now(),
        seen=shown.fingerprint,
        clinical=True,
    )
    assert len(_open_episodes(cast.cleo)) == 1 and len(_open_episodes(cast.cleo, "headache")) == 1
    measure = measure_for(Concern.NECK_BACK_PAIN)
    assert measure is not None
    period = Filters(Concern.NECK_BACK_PAIN, today(cast) - timedelta(days=365), today(cast))
    records = episode_records(cast.tidewater, period, measure)
    # Two episodes of care, one after the other: the closed one holds only its own visit.
    assert len(records) == 2
    assert sorted(len(r.sessions) for r in records) == [1, 2]  # the later one: both records' visits since
