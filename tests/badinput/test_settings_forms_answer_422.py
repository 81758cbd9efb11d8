"""A settings form sent with something to fix answers 422 (web/bad_input.form_status: the house
answer to a form POST that saves nothing), says what to fix and keeps what was typed. The other
settings forms are checked where their rules are tested (tests/setup/test_settings_forms.py,
test_hours_settings.py, test_practice_formats.py, test_invitations_and_staff.py,
test_practitioner_photos.py, tests/web/test_message_settings.py, tests/signin/test_sign_in_settings.py,
tests/intake/test_own_questions.py, tests/notes/test_note_checklists.py, test_text_lengths.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.web.bad_input import form_status

pytestmark = pytest.mark.django_db

S = "/staff/tidewater/settings"


@pytest.fixture
def owner(client: HttpClient, cast: Any) -> HttpClient:
    client.force_login(cast.olga_user)
    return client


@pytest.mark.parametrize(
    ("path", "data", "message", "kept"),
    [
        (f"{S}/home-page/", {"intro": "Welcome " + "a" * 5000}, "At most 5000 characters", "Welcome aaaa"),
        (
            f"{S}/outcomes/",
            {"crisis_protocol": "on", "emergency_number": "911", "crisis_line": "", "inactivity_days": "90"},
            "The crisis protocol needs the emergency number and the crisis line clients are shown.",
            'value="911"',
        ),
        (
            f"{S}/outcomes/",
            {"emergency_number": "112", "crisis_line": "Samaritans 116 123", "inactivity_days": "3"},
            "greater than or equal to 30",
            'value="Samaritans 116 123"',
        ),
        (
            f"{S}/intake/",
            {"emergency_number": "call the police", "crisis_line": "988 Lifeline"},
            "Use the number as it is dialled",
            'value="988 Lifeline"',
        ),
        (
            f"{S}/intake/consent/treatment/",
            {"title": "", "text": "Typed consent text", "agree_label": "I agree"},
            "Give the document a title.",
            "Typed consent text",
        ),
    ],
)
def test_a_settings_form_to_fix_answers_422_with_the_message_and_what_was_typed(
    owner: HttpClient, path: str, data: dict[str, str], message: str, kept: str
) -> None:
    response = owner.post(path, data)
    assert response.status_code == 422
    assert message in response.text
    assert kept in response.text


def test_a_room_to_fix_answers_422(owner: HttpClient, cast: Any) -> None:
    path = f"{S}/locations/{cast.tidewater.locations.first().pk}/rooms/new/"
    response = owner.post(path, {"name": "", "description": "Quiet room by the garden"})
    assert response.status_code == 422
    assert "This field is required." in response.text and "Quiet room by the garden" in response.text


def test_time_off_to_fix_answers_422(owner: HttpClient, cast: Any) -> None:
    path = f"{S}/practitioners/{cast.ana.pk}/time-off/"
    day = (timezone.now() + timedelta(days=7)).date().isoformat()
    data = {
        "action": "time_off",
        "start_day": day,
        "start_time": "14:00",
        "end_day": day,
        "end_time": "09:00",
        "reason": "Dentist",
    }
    response = owner.post(path, data)
    assert response.status_code == 422
    assert "The time off must end after it starts." in response.text and 'value="Dentist"' in response.text


def test_a_settings_page_shown_or_saved_is_not_422(owner: HttpClient) -> None:
    assert owner.get(f"{S}/outcomes/").status_code == 200
    assert owner.post(f"{S}/home-page/", {"intro": "Hello"}).status_code == 302


def test_form_status_counts_only_forms_that_were_sent() -> None:
    from django import forms

    class One(forms.Form):
        name = forms.CharField()

    assert form_status(One()) == 200
    assert form_status(One({"name": "x"})) == 200
    assert form_status(One(), One({})) == 422
