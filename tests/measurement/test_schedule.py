"""Episodes open by themselves at booking, and each timepoint's questionnaires go once, in their fixed
window, through the outbox (measurement/schedule.py). The tests drive the clock: the planner is
called with the time it runs at."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.intake.actions import current_form
from longtide.intake.models import Intake, IntakeStatus
from longtide.measurement import links
from longtide.measurement.models import Episode, PlannedSend, QuestionnaireLink
from longtide.measurement.schedule import open_for_visit, plan_outcomes
from longtide.notifications.models import Message
from longtide.notifications.subjects import run_planners
from longtide.outcomes.concerns import Concern
from tests.measurement.conftest import today, visit

pytestmark = pytest.mark.django_db


def intake(cast: Cast, client: Any, main: str | None) -> None:
    reasons = {"reasons": [main] if main else [], "main_reason": main} if main else {}
    Intake.objects.create(
        practice=cast.tidewater,
        client=client,
        form=current_form(cast.tidewater),
        answers={"reasons": reasons},
        status=IntakeStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def booked(cast: Cast, client: Any, days_ahead: int, *, slot: int = 0) -> Any:
    return visit(cast, client, today(cast) + timedelta(days=days_ahead), slot=slot, status="booked")


def plan_messages() -> list[Message]:
    return list(Message.objects.filter(dedupe_key__startswith="outcomes-plan:").order_by("pk"))


def test_a_first_booking_opens_an_episode_with_the_intakes_main_concern_once(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    now = timezone.now()
    assert plan_outcomes(now) == 1
    episode = Episode.objects.get(client=cast.cleo)
    assert (episode.concern, episode.primary_instrument) == ("neck_back_pain", "nprs_pain")
    assert episode.opened_on == first.start.astimezone(cast.location.zone).date()
    assert episode.opened_for_id == first.pk and episode.opened_by is None
    event = AuditEvent.objects.get(object_type="episode", client_id=cast.cleo.pk)
    assert event.action == "create" and event.detail == "opened at booking"
    # Another run, and another booking: still one episode.
    booked(cast, cast.cleo, 17)
    assert plan_outcomes(now + timedelta(minutes=1)) == 0
    assert Episode.objects.filter(client=cast.cleo).count() == 1


def test_no_main_concern_no_episode_and_an_open_episode_is_not_doubled(cast: Cast, episode: Any) -> None:
    other = _other(cast)
    intake(cast, other, None)
    booked(cast, other, 4, slot=2)
    intake(cast, cast.cleo, "headache")  # Cleo already has her neck episode, opened by hand
    booked(cast, cast.cleo, 3)
    assert plan_outcomes(timezone.now()) == 0
    assert Episode.objects.count() == 1


def _other(cast: Cast) -> Any:
    from longtide.clients.models import Client

    return Client.objects.create(practice=cast.tidewater, first_name="Dee", last_name="Ng", email="dee@example.test")


def test_a_moved_first_visit_moves_day_0(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    plan_outcomes(timezone.now())
    first.start += timedelta(days=4)
    first.end += timedelta(days=4)
    first.blocked_start, first.blocked_end = first.start, first.end
    first.save()
    plan_outcomes(timezone.now())
    assert Episode.objects.get().opened_on == today(cast) + timedelta(days=14)


def _move(first: Any, days: int) -> None:
    first.start += timedelta(days=days)
    first.end += timedelta(days=days)
    first.blocked_start, first.blocked_end = first.start, first.end
    first.save()


def test_a_baseline_sent_then_the_first_visit_moved_later_is_sent_again_before_the_new_one(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    old_start = first.start
    plan_outcomes(timezone.now())
    sent_at = old_start - timedelta(days=3) + timedelta(minutes=1)
    assert plan_outcomes(sent_at) == 1
    old = list(QuestionnaireLink.objects.filter(timepoint="baseline"))
    assert old and all(link.expires_at == old_start for link in old)
    # Not answered, and the visit moves five weeks later: the first links would lapse long before it.
    _move(first, 35)
    plan_outcomes(sent_at + timedelta(minutes=1))
    episode = Episode.objects.get()
    assert episode.opened_on == first.start.astimezone(cast.location.zone).date()
    for link in old:
        link.refresh_from_db()
        assert link.voided_at is not None
    due = first.start - timedelta(days=3)
    assert plan_outcomes(due - timedelta(minutes=1)) == 0
    assert plan_outcomes(due + timedelta(minutes=1)) == 1
    assert plan_outcomes(due + timedelta(minutes=2)) == 0  # once
    fresh = QuestionnaireLink.objects.filter(timepoint="baseline", voided_at__isnull=True)
    assert [link.instrument for link in fresh.order_by("pk")] == ["nprs_pain", "psfs"]
    assert all(link.expires_at == first.start for link in fresh)
    assert [m.dedupe_key for m in plan_messages()] == [
        f"outcomes-plan:{episode.pk}:baseline",
        f"outcomes-plan:{episode.pk}:baseline:{episode.opened_on.isoformat()}",
    ]
    assert AuditEvent.objects.filter(
        object_type="episode", detail="baseline to be sent again before the moved first visit"
    ).exists()


def test_a_baseline_answered_in_the_new_window_stays_and_the_rest_works_until_the_new_first_visit(cast: Cast) -> None:
    from longtide.audit.trail import Actor
    from longtide.measurement.actions import submit
    from longtide.measurement.models import Response

    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    plan_outcomes(timezone.now())
    sent_at = first.start - timedelta(days=3) + timedelta(minutes=1)
    plan_outcomes(sent_at)
    pain = QuestionnaireLink.objects.get(timepoint="baseline", instrument="nprs_pain")
    submit(link=pain, data={"rating": "6"}, by=Actor(None, "client"), now=sent_at + timedelta(minutes=5))
    # A week later: the pain answer (10 days before) is still inside the 28-day baseline window.
    _move(first, 7)
    plan_outcomes(sent_at + timedelta(minutes=10))
    activity = QuestionnaireLink.objects.get(timepoint="baseline", instrument="psfs")
    assert activity.voided_at is None and activity.expires_at == first.start
    assert PlannedSend.objects.get(timepoint="baseline").expires_at == first.start
    assert Response.objects.filter(timepoint="baseline").count() == 1
    assert plan_outcomes(first.start - timedelta(days=2)) == 0  # not sent again
    assert len(plan_messages()) == 1
    # Then moved earlier than the links' end: they stop when the new first visit begins.
    _move(first, -9)
    plan_outcomes(sent_at + timedelta(minutes=20))
    activity.refresh_from_db()
    assert activity.expires_at == first.start


def test_racing_planners_open_one_episode(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    day = first.start.astimezone(cast.location.zone).date()
    opened = [
        open_for_visit(
            client_id=cast.cleo.pk, visit_id=first.pk, concern=Concern.NECK_BACK_PAIN, day=day, now=timezone.now()
        )
        for _ in range(2)
    ]
    assert [e is not None for e in opened] == [True, False]
    assert Episode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_open_one_episode(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    booked(cast, cast.cleo, 10)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            plan_outcomes(timezone.now())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # SQLite may refuse the second writer ("database is locked"); it must never duplicate.
    assert all("locked" in str(e) for e in errors), errors
    assert Episode.objects.count() == 1
    assert PlannedSend.objects.count() <= 1


def at(cast: Cast, day: Any, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=cast.location.zone)


def test_the_baseline_goes_three_days_before_the_first_visit_once_and_says_nothing_clinical(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    plan_outcomes(timezone.now())
    assert plan_messages() == []  # not yet: the answer must fall close to day 0
    due = first.start - timedelta(days=3)
    assert plan_outcomes(due - timedelta(minutes=1)) == 0
    assert plan_outcomes(due + timedelta(minutes=1)) == 1
    assert plan_outcomes(due + timedelta(minutes=2)) == 0  # never twice
    episode = Episode.objects.get()
    [message] = plan_messages()
    assert message.dedupe_key == f"outcomes-plan:{episode.pk}:baseline"
    text = (message.subject + message.body_text).lower()
    for clinical in ("neck", "pain", "nprs", "psfs", "back"):
        assert clinical not in text
    sent = QuestionnaireLink.objects.filter(episode=episode).order_by("pk")
    assert [(s.instrument, s.timepoint) for s in sent] == [("nprs_pain", "baseline"), ("psfs", "baseline")]
    assert all(s.expires_at == first.start for s in sent)
    # After the visit began, a missed baseline is not sent late (it would not be a baseline).
    PlannedSend.objects.all().delete()
    assert plan_outcomes(first.start + timedelta(minutes=1)) == 0


def test_a_headache_episode_sends_the_diary_at_booking(cast: Cast) -> None:
    intake(cast, cast.cleo, "headache")
    booked(cast, cast.cleo, 30)
    morning = at(cast, today(cast), time(10))  # before the diary's evening reminder
    assert plan_outcomes(morning) == 2  # opened, and the diary link sent
    [link] = QuestionnaireLink.objects.all()
    assert link.is_diary and link.expires_at > morning + timedelta(days=60)
    assert len(plan_messages()) == 1


def completed_course(cast: Cast, client: Any, sessions: int, *, concern: str = "neck_back_pain") -> Any:
    """`sessions` weekly completed visits ending 2 days ago, through an episode opened at booking."""
    intake(cast, client, concern)
    start = today(cast) - timedelta(days=2 + 7 * (sessions - 1))
    visits = [visit(cast, client, start + timedelta(days=7 * n), status="booked") for n in range(sessions)]
    plan_outcomes(visits[0].start - timedelta(days=20))
    for v in visits:
        v.status = "completed"
        v.save()
    return Episode.objects.get(client=client)


def test_before_session_4_goes_two_days_before_it_after_session_3(cast: Cast) -> None:
    episode = completed_course(cast, cast.cleo, 3)
    fourth = booked(cast, cast.cleo, 5)
    now = timezone.now()
    assert plan_outcomes(now) == 0
    due = fourth.start - timedelta(days=2)
    assert plan_outcomes(due + timedelta(minutes=1)) == 1
    sent = QuestionnaireLink.objects.filter(episode=episode, timepoint="before_session_4").order_by("pk")
    assert [s.instrument for s in sent] == ["nprs_pain", "psfs", "pgic"]
    assert {s.expires_at for s in sent} == {fourth.start}
    assert plan_outcomes(due + timedelta(hours=1)) == 0
    assert [m.dedupe_key for m in plan_messages()] == [f"outcomes-plan:{episode.pk}:before_session_4"]


def test_week_12_goes_on_day_84_and_not_after_its_window(cast: Cast) -> None:
    from longtide.measurement.models import Episode as E

    episode = completed_course(cast, cast.cleo, 1)
    day84 = episode.opened_on + timedelta(days=84)
    assert plan_outcomes(at(cast, day84, time(8, 59))) == 0
    # The worker was down from day 84 to after day 105: the window has closed, nothing goes.
    assert plan_outcomes(at(cast, episode.opened_on + timedelta(days=106), time(9))) == 0
    assert plan_outcomes(at(cast, day84, time(9, 1))) == 1
    sent = QuestionnaireLink.objects.filter(episode=episode, timepoint="week_12")
    assert {s.instrument for s in sent} == {"nprs_pain", "psfs", "pgic"}
    assert E.objects.get().pk == episode.pk


def test_a_client_without_email_gets_the_links_on_the_booking_page(cast: Cast) -> None:
    cast.cleo.email = ""
    cast.cleo.save()
    intake(cast, cast.cleo, "stress_anxiety")
    first = booked(cast, cast.cleo, 2)
    assert plan_outcomes(timezone.now()) == 2
    assert plan_messages() == []
    assert {link.instrument for link in links.live_links(cast.cleo.pk)} == {"gad7", "phq4"}
    assert PlannedSend.objects.get().emailed is False
    page = HttpClient().get(_manage_path(first))
    assert page.status_code == 200 and "A short questionnaire" in page.text


def _manage_path(appointment: Any) -> str:
    from longtide.scheduling.manage_links import token_for

    return f"/p/tidewater/manage/{token_for(appointment)}/"


def test_the_thank_you_page_leads_to_the_next_questionnaire_of_the_timepoint(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 2)
    plan_outcomes(timezone.now())
    nprs, psfs = QuestionnaireLink.objects.order_by("pk")
    web = HttpClient()
    done = web.post(links.path_of(nprs), {"rating": "6"})
    assert done.status_code == 200
    assert links.path_of(psfs) in done.text
    assert first.pk


def test_the_worker_runs_the_outcomes_planner(cast: Cast) -> None:
    intake(cast, cast.cleo, "neck_back_pain")
    booked(cast, cast.cleo, 2)
    made = run_planners(timezone.now())
    assert made["outcomes"] == 2


def test_the_planners_queries_do_not_grow_with_the_episodes(cast: Cast) -> None:
    """Run every minute by the worker: with nothing due, a fixed number of queries however many
    episodes and clients there are."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from longtide.clients.models import Client

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            client = Client.objects.create(practice=cast.tidewater, first_name=f"C{i}", last_name="Q")
            intake(cast, client, "neck_back_pain")
            visit(cast, client, today(cast) - timedelta(days=20), slot=i % 16)
            Episode.objects.create(
                practice=cast.tidewater,
                client=client,
                concern="neck_back_pain",
                primary_instrument="nprs_pain",
                opened_on=today(cast) - timedelta(days=20),
            )

    noon = at(cast, today(cast), time(12))
    add(2, 0)
    plan_outcomes(noon)
    with CaptureQueriesContext(db) as few:
        assert plan_outcomes(noon) == 0
    add(10, 2)
    plan_outcomes(noon)
    with CaptureQueriesContext(db) as many:
        assert plan_outcomes(noon) == 0
    assert len(many) == len(few), [q["sql"][:80] for q in many]


def test_a_headache_client_booked_sooner_than_4_weeks_is_told_they_may_wait(cast: Cast) -> None:
    intake(cast, cast.cleo, "headache")
    first = booked(cast, cast.cleo, 10)
    plan_outcomes(timezone.now())
    [link] = QuestionnaireLink.objects.all()
    page = HttpClient().get(links.path_of(link), follow=True)
    assert page.status_code == 200 and 'id="baseline-wait"' in page.text
    ready = today(cast) + timedelta(days=28)
    assert ready.strftime("%A %-d %B") in page.text
    assert first.start.astimezone(cast.location.zone).strftime("%A %-d %B") in page.text


def test_after_an_erasure_request_no_new_questionnaire_links_are_made(cast: Cast) -> None:
    """Erasure voids the client's questionnaire and diary links (records/erasure.py); the planner
    must not make new ones for the episode afterwards, which the old booking's page would show."""
    from longtide.audit.trail import Actor
    from longtide.records.erasure import erase_contact

    episode = completed_course(cast, cast.cleo, 1)
    assert erase_contact(
        cast.cleo, by=Actor(cast.olga_user, "owner"), reason="Asked by email on 1 Dec", now=timezone.now()
    )
    day84 = episode.opened_on + timedelta(days=84)
    assert plan_outcomes(at(cast, day84, time(9, 1))) == 0
    assert not QuestionnaireLink.objects.filter(episode=episode, voided_at__isnull=True).exists()


def test_a_first_visit_moved_back_and_forth_sends_each_new_baseline(cast: Cast) -> None:
    """Moved to a day, back, and to that day again: each time the sent links are voided and new
    ones made, and each new set goes out in its own email (none is taken for a repeat of the
    first email to that day)."""
    intake(cast, cast.cleo, "neck_back_pain")
    first = booked(cast, cast.cleo, 10)
    plan_outcomes(timezone.now())
    clock = first.start - timedelta(days=3) + timedelta(minutes=1)
    assert plan_outcomes(clock) == 1
    for days in (2, -2, 2):  # later, back, later again
        _move(first, days)
        clock += timedelta(minutes=1)
        plan_outcomes(clock)
        clock = max(clock, first.start - timedelta(days=3)) + timedelta(minutes=1)
        assert plan_outcomes(clock) == 1
    live = QuestionnaireLink.objects.filter(timepoint="baseline", voided_at__isnull=True)
    newest = Message.objects.filter(dedupe_key__startswith="outcomes-plan:").order_by("-pk").first()
    assert newest is not None and newest.about == f"outcomes-link:{live.order_by('pk').first().pk}"  # type: ignore[union-attr]
    assert len(plan_messages()) == 4
