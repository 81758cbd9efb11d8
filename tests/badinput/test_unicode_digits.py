"""A number typed as a digit Python's str.isdigit() accepts but int() refuses ("²", "¹", "³") is
bad input like any other: never a 500 (security.md §5). Each entry point that read an id or a
score with isdigit() then int() raised ValueError on it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from tests.access.conftest import _booked
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen
from tests.intake.test_intake_pages import _fill, _open_intake
from tests.measurement import conftest as outcomes

if TYPE_CHECKING:
    from longtide.measurement.models import Episode
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

SUP = "²"


@pytest.fixture
def visit(cast: Cast) -> Appointment:
    return _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")


@pytest.fixture
def cleos_episode(cast: Cast) -> Episode:
    """Cleo's neck-pain episode, first visit 10 days ago."""
    from longtide.measurement.actions import open_episode

    first = outcomes.today(cast) - timedelta(days=10)
    outcomes.visit(cast, cast.cleo, first)
    by = outcomes.staff_actor(cast.ana_user)
    return open_episode(client=cast.cleo, concern="neck_back_pain", opened_on=first, by=by, now=timezone.now())


@pytest.fixture
def olga(cast: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(cast.olga_user)
    return http


def test_the_intakes_consent_step_and_severity_refuse_a_superscript(client: HttpClient, visit: Any) -> None:
    base = _open_intake(client, visit)
    reasons = client.post(base + "reasons/", {**REASONS, "severity_headache": SUP})
    assert reasons.status_code == 422 and "bothers you, from 0 to 10" in reasons.text
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert client.post(base + f"{step}/", data).status_code == 302
    consent = client.post(base + "consent/", {"agreed": [SUP], "typed_name": "Cleo Park", "action": "submit"})
    assert consent.status_code == 422 and 'value="Cleo Park"' in consent.text


def test_signing_again_refuses_a_superscript(client: HttpClient, visit: Any) -> None:
    base = _open_intake(client, visit)
    _fill(client, base)
    page = client.post(base + "sign-again/", {"agreed": [SUP], "shown": [SUP], "typed_name": "Cleo Park"})
    assert page.status_code in (200, 422)


def test_a_questionnaire_answer_of_a_superscript_is_explained(client: HttpClient, cleos_episode: Any) -> None:
    _link, token = outcomes.send(cleos_episode, "nprs_pain")
    page = client.post(f"/p/tidewater/questions/{token}/", {"rating": SUP})
    assert page.status_code == 400 and "Choose one of the answers offered." in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/staff/tidewater/settings/practitioners/{ana}/hours/?location=%C2%B2",
        "/staff/tidewater/clients/{cleo}/merge/?duplicate=%C2%B2",
        "/staff/tidewater/appointments/new/?client=%C2%B2",
        "/staff/tidewater/reports/outcomes/?service=%C2%B2",
    ],
)
def test_a_superscript_id_in_a_staff_address_is_not_a_500(olga: HttpClient, cast: Any, url: str) -> None:
    page = olga.get(url.format(ana=cast.ana.pk, cleo=cast.cleo.pk))
    assert page.status_code in (200, 400, 404, 422)


def test_a_superscript_episode_on_the_outcomes_page_is_refused(olga: HttpClient, cast: Any, cleos_episode: Any) -> None:
    page = olga.post(f"/staff/tidewater/clients/{cast.cleo.pk}/outcomes/", {"action": "primary", "episode": SUP})
    assert page.status_code in (302, 400, 422)
