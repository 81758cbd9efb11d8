"""An episode that lapsed (no completed visit for the practice's inactivity days) stays ended. When a
new episode opens for the client (at booking, by the planner, or by hand) the lapsed one is closed
then, under the same lock: `closed_on` its last session, the reason saying it lapsed. Before, it
kept no `closed_on`, and the new episode's first completed visit made it open again
(`Episode.is_open` saw a recent visit): the client had two open episodes for one concern and the
outcome report, one record per episode, counted every later visit as a session of both (and the old
episode in a style or service filter only the new visits match).

Rows written before the fix (a lapsed episode without `closed_on` followed by a newer one for the
same concern, or two such episodes brought together by a merge) are read with the same rule: an
episode without `closed_on` ends the day before the next episode for its concern opened."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Cast
from longtide.measurement import actions
from longtide.measurement.models import Episode, PlannedSend, QuestionnaireLink
from longtide.measurement.report import Filters, cohort_report, episode_records
from longtide.measurement.schedule import plan_outcomes, plan_sends
from longtide.outcomes.concerns import Concern, measure_for
from longtide.scheduling.models import Appointment
from tests.measurement.conftest import staff_actor, today, visit
from tests.measurement.test_schedule import intake

pytestmark = pytest.mark.django_db

NECK = Concern.NECK_BACK_PAIN


def _lapsed(cast: Cast, concern: str = "neck_back_pain") -> Episode:
    """Cleo's episode opened 200 days ago, sessions 200 and 190 days ago: lapsed (120 days)."""
    first = today(cast) - timedelta(days=200)
    visit(cast, cast.cleo, first, slot=0)
    visit(cast, cast.cleo, first + timedelta(days=10), slot=0)
    episode = actions.open_episode(
        client=cast.cleo, concern=concern, opened_on=first, by=staff_actor(cast.ana_user), now=timezone.now()
    )
    assert not actions.is_open(episode, today(cast))
    return episode


def _complete(appointment: Appointment, *, service: Any) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(status="completed", service=service)


def _open(client: Any, concern: str = "neck_back_pain") -> list[Episode]:
    on = actions.practice_today(client.practice)
    return [e for e in Episode.objects.filter(client=client, concern=concern) if actions.is_open(e, on)]


def _report(cast: Cast, **filters: Any) -> list[Any]:
    measure = measure_for(NECK)
    assert measure is not None
    period = Filters(NECK, today(cast) - timedelta(days=365), today(cast), **filters)
    return episode_records(cast.tidewater, period, measure)


def _sessions(records: list[Any]) -> list[date]:
    return sorted(s.on for r in records for s in r.sessions)


def test_a_new_booking_closes_the_lapsed_episode_and_the_report_counts_each_visit_once(cast: Cast) -> None:
    old = _lapsed(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    # The client comes back: a visit booked (and held) 3 days ago, the planner opens the new episode.
    back = visit(cast, cast.cleo, today(cast) - timedelta(days=3), slot=1, status="booked")
    assert plan_outcomes(timezone.now()) >= 1
    new = Episode.objects.get(client=cast.cleo, opened_for=back)

    # The first visit of the new episode is done, and one more after it.
    _complete(back, service=cast.first_visit)
    _complete(
        visit(cast, cast.cleo, today(cast) - timedelta(days=1), slot=1, status="booked"), service=cast.first_visit
    )

    assert [e.pk for e in _open(cast.cleo)] == [new.pk]
    assert not actions.is_open(old, today(cast))
    assert actions.session_days(old) == [today(cast) - timedelta(days=200), today(cast) - timedelta(days=190)]
    assert actions.session_days(new) == [today(cast) - timedelta(days=3), today(cast) - timedelta(days=1)]

    # Two courses of care, each visit a session of one of them.
    records = _report(cast)
    assert len(records) == 2
    assert sorted(len(r.sessions) for r in records) == [2, 2]
    assert _sessions(records) == sorted(
        a.start.astimezone(cast.location.zone).date() for a in Appointment.objects.filter(client=cast.cleo)
    )
    # Only the new episode had a visit of the first-visit service: the client counts once there.
    only_new = _report(cast, service_id=cast.first_visit.pk)
    assert [r.episode_id for r in only_new] == [str(new.pk)]
    measured = cohort_report(
        cast.tidewater,
        Filters(NECK, today(cast) - timedelta(days=365), today(cast), service_id=cast.first_visit.pk),
        as_of=today(cast),
    )
    assert measured is not None and measured.n_started == 1 and measured.adverse.sessions == 2
    # The lapsed episode was closed when the new one opened, at its last session.
    old.refresh_from_db()
    assert old.closed_on == today(cast) - timedelta(days=190)
    assert old.lapsed and "no visit" in old.close_reason.lower()


def test_the_lapsed_episode_gets_no_more_questionnaires(cast: Cast) -> None:
    """A short inactivity setting (30 days): the lapsed episode's week 12 would still fall in its window."""
    from longtide.measurement.models import MeasurementSettings

    MeasurementSettings.objects.update_or_create(practice=cast.tidewater, defaults={"inactivity_days": 30})
    first = today(cast) - timedelta(days=70)
    visit(cast, cast.cleo, first, slot=0)
    old = actions.open_episode(
        client=cast.cleo, concern="neck_back_pain", opened_on=first, by=staff_actor(None), now=timezone.now()
    )
    intake(cast, cast.cleo, "neck_back_pain")
    back = visit(cast, cast.cleo, today(cast) - timedelta(days=1), slot=1, status="booked")
    plan_outcomes(timezone.now())
    _complete(back, service=cast.session)
    later = timezone.now() + timedelta(days=20)  # day 90 of the old episode: its week-12 window
    plan_sends(later)
    assert not PlannedSend.objects.filter(episode=old).exists()
    assert not QuestionnaireLink.objects.filter(episode=old, voided_at__isnull=True).exists()


def test_opening_by_hand_closes_the_lapsed_episode_and_refuses_an_overlap(cast: Cast) -> None:
    old = _lapsed(cast)
    with pytest.raises(actions.Refused, match="after"):
        actions.open_episode(
            client=cast.cleo,
            concern="neck_back_pain",
            opened_on=today(cast) - timedelta(days=195),  # inside the old episode's sessions
            by=staff_actor(cast.ana_user),
            now=timezone.now(),
        )
    old.refresh_from_db()
    assert old.closed_on is None  # the refusal changed nothing
    visit(cast, cast.cleo, today(cast) - timedelta(days=2), slot=1)
    new = actions.open_episode(
        client=cast.cleo,
        concern="neck_back_pain",
        opened_on=today(cast) - timedelta(days=2),
        by=staff_actor(cast.ana_user),
        now=timezone.now(),
    )
    old.refresh_from_db()
    assert old.closed_on == today(cast) - timedelta(days=190) and old.lapsed
    assert [e.pk for e in _open(cast.cleo)] == [new.pk]


def test_a_new_episode_for_another_concern_does_not_revive_the_lapsed_one(cast: Cast) -> None:
    old = _lapsed(cast)
    intake(cast, cast.cleo, "headache")
    back = visit(cast, cast.cleo, today(cast) - timedelta(days=3), slot=1, status="booked")
    plan_outcomes(timezone.now())
    assert Episode.objects.filter(client=cast.cleo, concern="headache").exists()
    _complete(back, service=cast.session)
    old.refresh_from_db()
    assert old.closed_on == today(cast) - timedelta(days=190)
    assert _open(cast.cleo) == [] and len(_open(cast.cleo, "headache")) == 1
    assert len(_sessions(_report(cast))) == 2


def test_rows_from_before_the_fix_are_read_with_the_next_episodes_opening_as_the_end(cast: Cast) -> None:
    """A lapsed episode left without closed_on and a newer one for the same concern (what the planner
    made before): each visit belongs to one of them, and only the newer is open."""
    first = today(cast) - timedelta(days=200)
    visit(cast, cast.cleo, first, slot=0)
    old = Episode.objects.create(practice=cast.tidewater, client=cast.cleo, concern=NECK, opened_on=first)
    new = Episode.objects.create(
        practice=cast.tidewater, client=cast.cleo, concern=NECK, opened_on=today(cast) - timedelta(days=3)
    )
    visit(cast, cast.cleo, today(cast) - timedelta(days=3), slot=1)
    visit(cast, cast.cleo, today(cast) - timedelta(days=1), slot=1)

    assert [e.pk for e in _open(cast.cleo)] == [new.pk]
    assert actions.session_days(old) == [first]
    records = _report(cast)
    assert sorted(len(r.sessions) for r in records) == [1, 2]
    assert len(_sessions(records)) == 3
    # The planner sends nothing for the old one either.
    plan_sends(timezone.now())
    assert not PlannedSend.objects.filter(episode=old).exists()
