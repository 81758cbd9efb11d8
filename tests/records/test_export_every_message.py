"""The access-request export holds every message about the client, as retention and erasure count
them (records/retention.py `message_subjects`): not only those about appointments but the
questionnaire and diary links, intake links, check-ins and alerts too."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.notifications.models import Message
from longtide.records.retention import message_subjects

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_questionnaire_link_emails_too(cast: Cast) -> None:
    from longtide.measurement.actions import open_episode
    from tests.measurement.conftest import send, staff_actor, today, visit

    first = today(cast) - timedelta(days=10)
    visit(cast, cast.cleo, first)
    episode = open_episode(
        client=cast.cleo, concern="neck_back_pain", opened_on=first, by=staff_actor(cast.ana_user), now=timezone.now()
    )
    send(episode, "nprs_pain", "ad_hoc", by=cast.ana_user)
    held = Message.objects.filter(message_subjects([cast.cleo.pk]), practice=cast.tidewater)
    links = held.filter(about__startswith="outcomes-link:")
    assert links.exists()
    owner = HttpClient()
    owner.force_login(cast.olga_user)
    bundle = json.loads(owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/export.json").content)
    assert len(bundle["messages"]) == held.count()
    exported = {(m["purpose"], m["subject"], m["created_at"]) for m in bundle["messages"]}
    assert {(m.purpose, m.subject, m.created_at.isoformat()) for m in links} <= exported
    page = owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/export/").text
    assert all(m.purpose in page for m in links)
