"""The diary's daily reminder: once a day from 19:00 while the day is empty, nothing clinical in it,
the client switches it off (and on) on the diary page, and a client who stopped is not nagged."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.measurement.diary_reminders import plan_diary_reminders
from longtide.measurement.models import DiaryEntry
from longtide.notifications.models import Message
from longtide.notifications.subjects import unwanted_because
from tests.measurement.conftest import send, today

pytestmark = pytest.mark.django_db


def at(cast: Cast, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=cast.location.zone)


def reminders() -> list[Message]:
    return list(Message.objects.filter(purpose="outcomes.diary_reminder").order_by("pk"))


def test_one_reminder_a_day_from_seven_in_the_evening_with_nothing_clinical(cast: Cast, episode: Any) -> None:
    link, _token = send(episode, "headache_diary", "diary")
    day = today(cast)
    assert plan_diary_reminders(at(cast, day, time(18, 59))) == 0
    assert plan_diary_reminders(at(cast, day, time(19, 1))) == 1
    assert plan_diary_reminders(at(cast, day, time(19, 30))) == 0  # once a day
    [message] = reminders()
    assert message.dedupe_key == f"diary-reminder:{link.pk}:{day.isoformat()}"
    assert message.about == f"outcomes-link:{link.pk}" and message.recipient == "cleo@example.test"
    text = (message.subject + message.body_text).lower()
    for clinical in ("headache", "migraine", "pain", "medic"):
        assert clinical not in text
    assert "[[outcomes_url]]" in message.body_text
    # Filled in before it went: not sent.
    DiaryEntry.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        episode=episode,
        day=day,
        version=1,
        content_hash="x",
        answers={"headache": 0},
        complete=True,
        saved_at=at(cast, day, time(19, 5)),
    )
    assert (
        unwanted_because(message, at(cast, day, time(19, 6))) == "Not sent: the client has filled in the day already."
    )
    # The next evening, the diary in use and the day empty: one more.
    assert plan_diary_reminders(at(cast, day + timedelta(days=1), time(19, 1))) == 1


def test_the_client_switches_reminders_off_and_on_on_the_diary_page(cast: Cast, episode: Any) -> None:
    link, token = send(episode, "headache_diary", "diary")
    day = today(cast)
    assert plan_diary_reminders(at(cast, day, time(19, 1))) == 1
    web = HttpClient()
    page = web.get(f"/p/tidewater/diary/{token}/{day.isoformat()}/")
    assert page.status_code == 200 and 'id="reminders-off"' in page.text
    off = web.post(f"/p/tidewater/diary/{token}/reminders/", {"reminders": "off"})
    assert off.status_code == 302
    link.refresh_from_db()
    assert link.diary_reminders is False
    assert AuditEvent.objects.filter(object_type="questionnaire_link", detail="diary reminders off").count() == 1
    [message] = reminders()
    assert unwanted_because(message, at(cast, day, time(19, 2))) == "Not sent: the client switched diary reminders off."
    assert plan_diary_reminders(at(cast, day + timedelta(days=1), time(19, 1))) == 0
    assert 'id="reminders-on"' in web.get(off["Location"]).text
    assert web.post(f"/p/tidewater/diary/{token}/reminders/", {"reminders": "maybe"}).status_code == 400
    assert web.get(f"/p/tidewater/diary/{token}/reminders/").status_code == 405
    assert web.post(f"/p/tidewater/diary/{token}/reminders/", {"reminders": "on"}).status_code == 302
    assert plan_diary_reminders(at(cast, day + timedelta(days=1), time(19, 1))) == 1
    assert HttpClient().post("/p/harbour/diary/" + token + "/reminders/", {"reminders": "off"}).status_code == 404


def test_a_client_who_stopped_filling_in_is_not_nagged(cast: Cast, episode: Any) -> None:
    send(episode, "headache_diary", "diary")
    later = today(cast) + timedelta(days=8)
    assert plan_diary_reminders(at(cast, later, time(19, 1))) == 0
