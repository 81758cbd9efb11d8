"""Rows for the outcome tests: completed visits written directly (the booking rules refuse times in
the past), care episodes, and questionnaire links with their tokens."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from conftest import Cast

if TYPE_CHECKING:
    from longtide.measurement.models import Episode


def visit(cast: Cast, client: Any, day: date, *, slot: int = 0, status: str = "completed") -> Any:
    """A visit on `day`; `slot` (0-15) gives each client its own 40-minute time of day."""
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment

    zone = cast.location.zone
    start = datetime.combine(day, time(6), tzinfo=zone) + timedelta(minutes=40 * slot)
    end = start + timedelta(minutes=30)
    nonce = new_nonce()
    return Appointment.objects.create(
        practice=cast.tidewater,
        location=cast.location,
        service=cast.session,
        practitioner=cast.ana,
        room=cast.willow,
        client=client,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=status,
        source="staff",
        manage_token_hash=hash_token(token_from_nonce(nonce)),
        manage_nonce=nonce,
    )


def today(cast: Cast) -> date:
    return timezone.now().astimezone(cast.location.zone).date()


def staff_actor(user: Any, role: str = "practitioner") -> Any:
    from longtide.audit.trail import Actor

    return Actor(user, role)


@pytest.fixture
def episode(cast: Cast) -> Episode:
    """Cleo's neck-pain episode, first visit 10 days ago (a completed visit that day)."""
    from longtide.measurement.actions import open_episode

    first = today(cast) - timedelta(days=10)
    visit(cast, cast.cleo, first)
    return open_episode(
        client=cast.cleo,
        concern="neck_back_pain",
        opened_on=first,
        by=staff_actor(cast.ana_user),
        now=timezone.now(),
    )


def send(episode: Any, instrument: str, timepoint: str = "ad_hoc", by: Any = None) -> tuple[Any, str]:
    from longtide.measurement import links
    from longtide.measurement.actions import send_link

    link = send_link(
        episode=episode, instrument=instrument, timepoint=timepoint, by=staff_actor(by), now=timezone.now()
    )
    token = links.token_of(link)
    assert token is not None
    return link, token


@pytest.fixture
def neck_cohort(cast: Cast) -> dict[str, Any]:
    from longtide.checkins.effects import EFFECTS, SEVERITIES
    from longtide.checkins.models import CheckIn
    from longtide.clients.models import Client
    from longtide.measurement.models import Episode, Response
    from longtide.outcomes import instruments
    from tests.outcomes.test_report import NECK

    nprs = instruments.get("nprs_pain")
    episodes = {}
    for slot, line in enumerate(NECK.strip().splitlines()):
        name, start_text, base, wk6, wk12, sessions = line.split("|")[0].split()
        start = date.fromisoformat(start_text)
        client = Client.objects.create(
            practice=cast.tidewater, first_name=name, last_name="Fixture", email=f"{name.lower()}@example.test"
        )
        episode = Episode.objects.create(
            practice=cast.tidewater,
            client=client,
            concern="neck_back_pain",
            primary_instrument="nprs_pain",
            opened_on=start,
        )
        for offset, value in ((-3, base), (42, wk6), (84, wk12)):
            if value == "-":
                continue
            Response.objects.create(
                practice=cast.tidewater,
                client=client,
                episode=episode,
                instrument="nprs_pain",
                version=nprs.version,
                content_hash=nprs.content_hash(),
                timepoint="baseline" if offset < 0 else ("week_6" if offset == 42 else "week_12"),
                answers={"rating": int(value)},
                total=float(value),
                taken_on=start + timedelta(days=offset),
                submitted_at=timezone.now(),
            )
        for n, symbol in enumerate(sessions):
            done = visit(cast, client, start + timedelta(days=7 * n), slot=slot)
            if symbol != "-":  # "." answered, "a" an after-effect, "S" serious (needed care)
                CheckIn.objects.create(
                    practice=cast.tidewater,
                    client=client,
                    appointment=done,
                    effects={EFFECTS[0][0]: SEVERITIES[0][0]} if symbol in "aS" else {},
                    sought_care=symbol == "S",
                    contact_me=False,
                    answered_at=timezone.now(),
                )
        episodes[name] = episode
    return episodes
