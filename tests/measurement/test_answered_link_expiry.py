"""An answered questionnaire link shows its thank-you page (a double submit, the back button) only
while the link would still work: not once it has expired or was voided (the client's erasure
request voids every link). And the self-harm crisis box shows again only shortly after the answer,
not to whoever opens the same email later."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.measurement.models import QuestionnaireLink, Response
from tests.measurement.conftest import send, staff_actor
from tests.measurement.test_collection import GAD7_ANSWERS
from tests.measurement.test_crisis import PHQ9_LOW, switch_on

pytestmark = pytest.mark.django_db


def test_an_expired_answered_phq9_link_no_longer_shows_the_self_harm_crisis_box(cast: Cast, episode: Any) -> None:
    switch_on(cast)
    link, token = send(episode, "phq9")
    url = f"/p/tidewater/questions/{token}/"
    assert 'id="crisis-resources"' in HttpClient().post(url, {**PHQ9_LOW, "q9": "1"}).text
    QuestionnaireLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=30))
    later = HttpClient().get(url)  # an old email, opened months later by whoever reads that inbox
    assert later.status_code == 410
    assert "crisis-resources" not in later.text
    assert "Thank you" not in later.text
    # a late second submit is gone too, and stores nothing
    again = HttpClient().post(url, {**PHQ9_LOW, "q9": "1"})
    assert again.status_code == 410 and "crisis-resources" not in again.text
    assert Response.objects.count() == 1


def test_an_erased_clients_answered_link_is_gone(cast: Cast, episode: Any) -> None:
    from longtide.records.erasure import erase_contact

    switch_on(cast)
    _link, token = send(episode, "phq9")
    url = f"/p/tidewater/questions/{token}/"
    HttpClient().post(url, {**PHQ9_LOW, "q9": "1"})
    assert erase_contact(
        cast.cleo, by=staff_actor(cast.olga_user, "owner"), reason="Client asked by email", now=timezone.now()
    )
    later = HttpClient().get(url)
    assert later.status_code == 410
    assert "crisis-resources" not in later.text


def test_a_voided_answered_link_is_gone(cast: Cast, episode: Any) -> None:
    link, token = send(episode, "gad7")
    url = f"/p/tidewater/questions/{token}/"
    assert HttpClient().post(url, GAD7_ANSWERS).status_code == 200
    QuestionnaireLink.objects.filter(pk=link.pk).update(voided_at=timezone.now())
    assert HttpClient().get(url).status_code == 410


def test_the_thank_you_page_stays_while_the_link_is_live_but_the_crisis_box_only_shortly_after(
    cast: Cast, episode: Any
) -> None:
    switch_on(cast)
    _link, token = send(episode, "phq9")
    url = f"/p/tidewater/questions/{token}/"
    web = HttpClient()
    web.post(url, {**PHQ9_LOW, "q9": "1"})
    back = web.get(url)  # the back button, a double tap: the same thanks and resources
    assert back.status_code == 200 and 'id="thanks"' in back.text and 'id="crisis-resources"' in back.text
    # Two hours later the link has not expired (14 days), but whoever opens it now sees only thanks.
    Response.objects.update(submitted_at=timezone.now() - timedelta(hours=2))
    later = HttpClient().get(url)
    assert later.status_code == 200 and 'id="thanks"' in later.text
    assert "crisis-resources" not in later.text
