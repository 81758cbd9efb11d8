"""The client's own progress from their manage link: charts with text tables, plain words, the
printable report with the non-causal caveat, honest copy, audited, nothing staff-only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.measurement.models import Episode, PrimaryChange, Response
from longtide.outcomes import instruments
from longtide.outcomes.wording import banned_wording
from longtide.scheduling.manage_links import token_for
from tests.measurement.conftest import today, visit

pytestmark = pytest.mark.django_db


def answer(cast: Cast, episode: Episode, value: int, on: date) -> None:
    nprs = instruments.get("nprs_pain")
    Response.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        episode=episode,
        instrument="nprs_pain",
        version=nprs.version,
        content_hash=nprs.content_hash(),
        timepoint="ad_hoc",
        answers={"rating": value},
        total=float(value),
        band="",
        taken_on=on,
        submitted_at=timezone.now(),
    )


def _manage(cast: Cast) -> str:
    booked = visit(cast, cast.cleo, today(cast) + timedelta(days=3), slot=3, status="booked")
    return f"/p/tidewater/manage/{token_for(booked)}/"


def test_nothing_to_show_until_there_are_answers(cast: Cast, episode: Any) -> None:
    manage = _manage(cast)
    page = HttpClient().get(manage)
    assert page.status_code == 200 and 'id="my-progress"' not in page.text
    progress = HttpClient().get(manage + "progress/")
    assert progress.status_code == 200 and 'id="no-progress"' in progress.text


def test_the_client_sees_their_progress_in_charts_tables_and_plain_words(cast: Cast, episode: Any) -> None:
    answer(cast, episode, 7, episode.opened_on - timedelta(days=2))
    answer(cast, episode, 3, episode.opened_on + timedelta(days=8))
    PrimaryChange.objects.create(
        episode=episode, old="nprs_pain", new="nprs_pain", reason="SECRET STAFF REASON", at=timezone.now()
    )
    manage = _manage(cast)
    assert 'id="my-progress"' in HttpClient().get(manage).text
    page = HttpClient().get(manage + "progress/")
    assert page.status_code == 200
    text = page.text
    assert 'class="outcome-chart" role="img"' in text and "<table" in text  # chart and its text table
    assert "Your latest answer compared with your first: improved by at least the minimal important change" in text
    assert "SECRET STAFF REASON" not in text and "crisis" not in text.lower()
    assert "cannot show whether your sessions made the difference" in text
    assert "may help some people" in text
    assert banned_wording(text) == []
    event = AuditEvent.objects.get(object_type="outcomes", client_id=cast.cleo.pk)
    assert (event.action, event.actor_role, event.detail) == ("view", "client", "own progress")

    report = HttpClient().get(manage + "progress/print/")
    assert report.status_code == 200
    assert "Progress report for Cleo Park" in report.text and "record.css" in report.text
    assert "cannot show whether your sessions made the difference" in report.text
    assert banned_wording(report.text) == []
    assert AuditEvent.objects.filter(object_type="outcomes", action="print", client_id=cast.cleo.pk).count() == 1


def test_another_practices_address_or_an_unknown_token_is_a_404(cast: Cast, episode: Any) -> None:
    manage = _manage(cast)
    assert HttpClient().get(manage.replace("tidewater", "harbour") + "progress/").status_code == 404
    assert HttpClient().get("/p/tidewater/manage/not-a-token/progress/").status_code == 404
    assert HttpClient().get("/p/tidewater/manage/not-a-token/progress/print/").status_code == 404


@pytest.mark.parametrize(
    ("days", "status", "opens"),
    [
        (3, "booked", True),
        (-30, "completed", True),
        (-100, "completed", False),
        (3, "cancelled_client", False),
        (-400, "cancelled_clinic", False),
        (-5, "no_show", False),
    ],
    ids=["upcoming", "completed-recently", "completed-long-ago", "cancelled", "cancelled-long-ago", "no-show"],
)
def test_only_a_current_or_recent_visits_link_opens_the_progress(
    cast: Cast, episode: Any, days: int, status: str, opens: bool
) -> None:
    """An old confirmation email (forwarded, a shared inbox) must not open the client's scores."""
    answer(cast, episode, 7, episode.opened_on)
    appointment = visit(cast, cast.cleo, today(cast) + timedelta(days=days), slot=4, status=status)
    manage = f"/p/tidewater/manage/{token_for(appointment)}/"
    for page in ("progress/", "progress/print/"):
        response = HttpClient().get(manage + page)
        assert response.status_code == (200 if opens else 404)
        if not opens:
            assert "This link no longer opens your progress" in response.text
    if days > 0 or status == "completed":
        assert ('id="my-progress"' in HttpClient().get(manage).text) == opens
    seen = AuditEvent.objects.filter(object_type="outcomes", client_id=cast.cleo.pk).count()
    assert seen == (2 if opens else 0)


def test_after_an_erasure_request_an_old_links_progress_does_not_open(cast: Cast, episode: Any) -> None:
    """Erasure voids the client's questionnaire and diary links; the recent visit's manage link
    (an email that stays in an inbox) no longer opens their scores either."""
    from longtide.audit.trail import Actor
    from longtide.records.erasure import erase_contact

    answer(cast, episode, 7, episode.opened_on)
    recent = visit(cast, cast.cleo, today(cast) - timedelta(days=5), slot=4, status="completed")
    manage = f"/p/tidewater/manage/{token_for(recent)}/"
    assert HttpClient().get(manage + "progress/").status_code == 200
    by = Actor(cast.olga_user, "owner")
    assert erase_contact(cast.cleo, by=by, reason="Asked by email on 1 Dec", now=timezone.now())
    for page in ("progress/", "progress/print/"):
        assert HttpClient().get(manage + page).status_code == 404
    assert 'id="my-progress"' not in HttpClient().get(manage).text
