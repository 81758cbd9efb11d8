"""PHQ-9 only behind the practice's crisis protocol; a positive item 9 shows the crisis resources at
once and takes the intake's crisis route (an EMERGENCY crisis flag, the practitioner emailed with
nothing clinical)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone
from django.utils.html import escape

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.intake.models import Flag, IntakeSettings
from longtide.measurement.actions import Refused, offered_ids, send_link
from longtide.measurement.models import QuestionnaireLink, Response
from longtide.notifications.models import Message
from tests.measurement.conftest import send, staff_actor, today, visit
from tests.measurement.test_schedule import intake

pytestmark = pytest.mark.django_db

SETTINGS = "/staff/tidewater/settings/outcomes/"
ON = {"crisis_protocol": "on", "emergency_number": "911", "crisis_line": "988 (call or text)", "inactivity_days": "120"}
PHQ9_LOW = {f"q{n}": "1" for n in range(1, 9)}


def _as(user: User) -> HttpClient:
    web = HttpClient()
    web.force_login(user)
    return web


def switch_on(cast: Cast) -> None:
    assert _as(cast.olga_user).post(SETTINGS, ON).status_code == 302


def test_phq9_is_offered_only_once_an_owner_switches_the_crisis_protocol_on(cast: Cast, episode: Any) -> None:
    assert "phq9" not in offered_ids(cast.tidewater)
    with pytest.raises(Refused, match="cannot be used"):
        send_link(episode=episode, instrument="phq9", timepoint="ad_hoc", by=staff_actor(None), now=timezone.now())
    for user in (cast.ana_user, cast.ben_user):  # practitioner, front desk: not theirs
        assert _as(user).get(SETTINGS).status_code == 404
        assert _as(user).post(SETTINGS, ON).status_code == 404
    owner = _as(cast.olga_user)
    page = owner.get(SETTINGS)
    assert page.status_code == 200 and 'name="crisis_protocol"' in page.text
    refused = owner.post(SETTINGS, {**ON, "crisis_line": ""})
    assert refused.status_code == 422 and "needs the emergency number and the crisis line" in refused.text
    assert 'value="911"' in refused.text  # what was typed is kept
    assert "phq9" not in offered_ids(cast.tidewater)
    switch_on(cast)
    assert "phq9" in offered_ids(cast.tidewater)
    assert IntakeSettings.objects.get(practice=cast.tidewater).crisis_line == "988 (call or text)"
    assert AuditEvent.objects.filter(object_type="outcome_settings", detail__startswith="crisis protocol on").exists()
    link, _token = send(episode, "phq9")
    # Switching it off again voids the PHQ-9 links not yet answered.
    assert owner.post(SETTINGS, {**ON, "crisis_protocol": ""}).status_code == 302
    link.refresh_from_db()
    assert link.voided_at is not None and "phq9" not in offered_ids(cast.tidewater)


def test_a_positive_item_9_shows_crisis_resources_at_once_and_takes_the_intakes_crisis_route(
    cast: Cast, episode: Any
) -> None:
    switch_on(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    visit(cast, cast.cleo, today(cast) + timedelta(days=3), status="booked")
    link, token = send(episode, "phq9")
    web = HttpClient()
    done = web.post(f"/p/tidewater/questions/{token}/", {**PHQ9_LOW, "q9": "1"})
    assert done.status_code == 200
    assert 'id="crisis-resources"' in done.text and "911" in done.text and "988 (call or text)" in done.text
    assert done.text.index("crisis-resources") < done.text.index('id="thanks"')  # first thing on the page
    response = Response.objects.get()
    assert response.alerts == [{"kind": "self_harm", "item": "q9"}]
    [flag] = Flag.objects.filter(client=cast.cleo)
    assert (flag.crisis, flag.level, flag.urgent, flag.acknowledged_at) == (True, 3, True, None)
    [alert] = Message.objects.filter(purpose="outcomes.alert")
    assert alert.recipient == "ana@tidewater.test"
    text = (alert.subject + alert.body_text).lower()
    for clinical in ("harm", "phq", "suicid", "cleo", "park", "depress", "mood"):
        assert clinical not in text
    assert f"/staff/tidewater/clients/{cast.cleo.pk}/intake/" in alert.body_text
    # Coming back to the page shows the resources again; nothing is raised twice.
    again = web.get(f"/p/tidewater/questions/{token}/")
    assert 'id="crisis-resources"' in again.text
    assert Flag.objects.count() == 1 and Message.objects.filter(purpose="outcomes.alert").count() == 1
    # The practitioner sees it on the outcomes page.
    page = _as(cast.ana_user).get(f"/staff/tidewater/clients/{cast.cleo.pk}/outcomes/")
    assert "Self-harm answer: crisis protocol" in page.text
    assert link.pk


def test_an_incomplete_questionnaire_with_item_9_still_alerts(cast: Cast, episode: Any) -> None:
    switch_on(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    _link, token = send(episode, "phq9")
    done = HttpClient().post(f"/p/tidewater/questions/{token}/", {"q9": "3"})
    assert done.status_code == 200 and 'id="crisis-resources"' in done.text
    assert Response.objects.get().total is None
    assert Flag.objects.filter(client=cast.cleo, crisis=True).count() == 1
    assert Message.objects.filter(purpose="outcomes.alert").count() == 1  # to the last visit's practitioner


def test_answers_that_do_not_fit_still_show_the_resources(cast: Cast, episode: Any) -> None:
    switch_on(cast)
    _link, token = send(episode, "phq9")
    wrong = HttpClient().post(f"/p/tidewater/questions/{token}/", {**PHQ9_LOW, "q9": "2", "q1": "7"})
    assert wrong.status_code == 400 and 'id="crisis-resources"' in wrong.text
    assert Response.objects.count() == 0


def test_no_alert_for_not_at_all(cast: Cast, episode: Any) -> None:
    switch_on(cast)
    _link, token = send(episode, "phq9")
    done = HttpClient().post(f"/p/tidewater/questions/{token}/", {**PHQ9_LOW, "q9": "0"})
    assert done.status_code == 200 and 'id="crisis-resources"' not in done.text
    assert not Flag.objects.exists() and not Message.objects.filter(purpose="outcomes.alert").exists()
    assert QuestionnaireLink.objects.count() == 1


def test_the_crisis_alert_goes_with_the_clients_record_when_it_is_destroyed_or_erased(cast: Cast, episode: Any) -> None:
    """records/retention.message_subjects (retention --apply and erasure) names the practitioners'
    crisis alerts about the client's answers, which carry the client's id in their link."""
    from longtide.records.retention import message_subjects

    switch_on(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    _link, token = send(episode, "phq9")
    HttpClient().post(f"/p/tidewater/questions/{token}/", {"q9": "3"})
    [alert] = Message.objects.filter(purpose="outcomes.alert")
    assert Message.objects.filter(message_subjects([cast.cleo.pk]), pk=alert.pk).exists()
    assert not Message.objects.filter(message_subjects([cast.cleo.pk + 1000]), pk=alert.pk).exists()


def test_front_desk_sees_that_a_crisis_alert_went_but_not_its_text(cast: Cast, episode: Any) -> None:
    """The alert's text links to the client's record under the crisis protocol: whose answers need
    clinical attention and why. The outbox shows front desk that it went, to whom and when, not
    what it says; the practitioner and the owner read it."""
    switch_on(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    visit(cast, cast.cleo, today(cast) + timedelta(days=3), status="booked")
    _link, token = send(episode, "phq9")
    assert HttpClient().post(f"/p/tidewater/questions/{token}/", {**PHQ9_LOW, "q9": "2"}).status_code == 200
    [alert] = Message.objects.filter(purpose="outcomes.alert")
    page = f"/staff/tidewater/outbox/{alert.pk}/"
    record = f"/staff/tidewater/clients/{cast.cleo.pk}/"
    front_desk = _as(cast.ben_user).get(page)
    assert front_desk.status_code == 200 and "ana@tidewater.test" in front_desk.text
    assert record not in front_desk.text and "crisis" not in front_desk.text.lower()
    assert 'id="alert-withheld"' in front_desk.text
    listing = _as(cast.ben_user).get("/staff/tidewater/outbox/")
    assert listing.status_code == 200 and record not in listing.text
    # Nor which kind of alert it was: right after a questionnaire link to the same client, "questionnaire
    # answer needs attention" would say who answered the crisis question. Every alert reads alike.
    for shown_to_desk in (front_desk, listing):
        assert "Questionnaire answer needs attention" not in shown_to_desk.text
        assert escape(alert.subject) not in shown_to_desk.text  # its subject names the kind too
    assert "Alert to a practitioner" in front_desk.text and "Alert to a practitioner" in listing.text
    for user in (cast.ana_user, cast.olga_user):
        shown = _as(user).get(page)
        assert record in shown.text and 'id="alert-withheld"' not in shown.text
        assert "Questionnaire answer needs attention" in shown.text and escape(alert.subject) in shown.text


def test_a_practitioner_the_alert_was_not_sent_to_sees_only_that_it_went(cast: Cast, episode: Any) -> None:
    """Found by a review: any practitioner read every alert's text in the outbox, so one outside the
    client's care learnt which client had answered the crisis question. The alert is its recipient's
    (and the owner's) to read."""
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Role, StaffMembership

    switch_on(cast)
    intake(cast, cast.cleo, "neck_back_pain")
    visit(cast, cast.cleo, today(cast) + timedelta(days=3), status="booked")
    _link, token = send(episode, "phq9")
    assert HttpClient().post(f"/p/tidewater/questions/{token}/", {**PHQ9_LOW, "q9": "2"}).status_code == 200
    [alert] = Message.objects.filter(purpose="outcomes.alert")
    assert alert.recipient == "ana@tidewater.test"
    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw-bea-123")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    record = f"/staff/tidewater/clients/{cast.cleo.pk}/"
    shown = _as(bea).get(f"/staff/tidewater/outbox/{alert.pk}/")
    assert shown.status_code == 200 and 'id="alert-withheld"' in shown.text and record not in shown.text
    assert escape(alert.subject) not in shown.text and "Alert to a practitioner" in shown.text
    listing = _as(bea).get("/staff/tidewater/outbox/").text
    assert "Questionnaire answer needs attention" not in listing and "Alert to a practitioner" in listing
    # The recipient's own address in another case still reads it.
    cast.ana_user.email = "ANA@Tidewater.test"
    cast.ana_user.save()
    assert 'id="alert-withheld"' not in _as(cast.ana_user).get(f"/staff/tidewater/outbox/{alert.pk}/").text
