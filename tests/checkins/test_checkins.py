"""After-session check-ins end to end: the worker plans the message a day after a completed session,
the client answers once from the visit's private link, the care team reads it (audited), front desk
and other practices do not, and a client who needed care or asks to be contacted alerts the
practitioner without any clinical content in the email."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client as HttpClient

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.checkins.actions import OPEN_FOR, plan_checkins
from longtide.checkins.models import CheckIn
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message, State
from longtide.notifications.subjects import run_planners
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.message_texts import Purpose
from longtide.scheduling.models import Appointment, Status
from tests.scheduling.test_reminders import BOOKED_AT, VISIT, book, clock

pytestmark = pytest.mark.django_db
__all__ = ["clock"]  # the fixture, used by name
END = VISIT + timedelta(hours=1)
GOOD = {"effects": ["headache"], "severity_headache": "moderate", "sought_care": "no", "contact_me": "no"}


def run_worker_at(clock: time_machine.Traveller, moment: datetime) -> None:
    """One turn of `longtide worker` at that moment: every planner, then send what is due."""
    clock.move_to(moment, tick=False)
    assert -1 not in run_planners(moment).values()
    while deliver_due(worker="test").claimed:
        pass


def _completed(cast: Cast, status: str = Status.COMPLETED) -> Appointment:
    appointment = book(cast)
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    appointment.refresh_from_db()
    return appointment


def _checkin_link() -> str:
    [email] = [m for m in mail.outbox if m.subject.startswith("How have you been")]
    assert "headache" not in email.subject.lower()
    paths: list[str] = re.findall(r"https?://[^/\s]+(/p/tidewater/manage/[^/\s]+/check-in/)", str(email.body))
    [path] = paths
    return path


def _as(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def test_a_completed_session_gets_one_check_in_a_day_later_and_the_client_answers_once(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = _completed(cast)
    run_worker_at(clock, END + timedelta(hours=22, minutes=30))
    assert Message.objects.filter(purpose=Purpose.CHECKIN).count() == 0  # not due within the hour yet
    run_worker_at(clock, END + timedelta(hours=23, minutes=30))
    [planned] = Message.objects.filter(purpose=Purpose.CHECKIN)
    assert (planned.status, planned.send_after, planned.expires_at) == (
        State.PENDING,
        END + timedelta(hours=24),
        END + timedelta(hours=48),
    )
    assert plan_checkins(END + timedelta(hours=23, minutes=40)) == 0  # planned once
    run_worker_at(clock, END + timedelta(hours=24))
    path = _checkin_link()

    visitor = HttpClient()
    page = visitor.get(path)
    assert page.status_code == 200 and "How have you been since your session?" in page.text
    typed = {"effects": ["headache", "other"], "severity_headache": "moderate", "other": "x" * 501}
    wrong = visitor.post(path, typed)
    assert wrong.status_code == 422
    assert "Please keep this under 500 characters." in wrong.text and "Please say how strong it was." in wrong.text
    assert 'value="headache" checked' in wrong.text and 'value="moderate" selected' in wrong.text
    assert CheckIn.objects.count() == 0

    done = visitor.post(path, GOOD)
    assert done.status_code == 200 and 'id="checkin-thanks"' in done.text and 'id="checkin-follow-up"' not in done.text
    again = visitor.post(path, {**GOOD, "severity_headache": "severe"})  # back button, double click
    assert again.status_code == 200 and 'id="checkin-thanks"' in again.text
    [stored] = CheckIn.objects.all()
    assert (stored.effects, stored.appointment_id, stored.client_id) == (
        {"headache": "moderate"},
        appointment.pk,
        appointment.client_id,
    )
    assert AuditEvent.objects.filter(object_type="checkin", action="create").count() == 1
    assert not Message.objects.filter(purpose="checkin.alert").exists()
    manage = visitor.get(path.removesuffix("check-in/")).text
    assert "you have told us how you have been" in manage


def test_no_check_in_for_a_visit_not_completed_or_already_answered(cast: Cast, clock: time_machine.Traveller) -> None:
    for status in (Status.BOOKED, Status.NO_SHOW, Status.LATE_CANCELLED):
        clock.move_to(BOOKED_AT, tick=False)
        _completed(cast, status)
        run_worker_at(clock, END + timedelta(hours=24))
        assert Message.objects.filter(purpose=Purpose.CHECKIN).count() == 0, status
        Appointment.objects.all().delete()


def test_a_check_in_answered_before_its_message_goes_is_withdrawn(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = _completed(cast)
    run_worker_at(clock, END + timedelta(hours=23, minutes=30))
    clock.move_to(END + timedelta(hours=23, minutes=40), tick=False)
    HttpClient().post(f"/p/tidewater/manage/{token_for(appointment)}/check-in/", GOOD)
    run_worker_at(clock, END + timedelta(hours=24))
    [message] = Message.objects.filter(purpose=Purpose.CHECKIN)
    assert (message.status, message.last_error) == (State.WITHDRAWN, "Not sent: the client has already answered.")


def test_the_form_is_closed_before_completion_and_a_week_after_and_to_other_links(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = book(cast)
    path = f"/p/tidewater/manage/{token_for(appointment)}/check-in/"
    clock.move_to(END + timedelta(hours=2), tick=False)
    assert HttpClient().get(path).status_code == 404  # booked, not marked completed
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.COMPLETED)
    assert HttpClient().get(path).status_code == 200
    assert HttpClient().get(path.replace("tidewater", "harbour")).status_code == 404
    assert HttpClient().get("/p/tidewater/manage/not-a-token/check-in/").status_code == 404
    assert HttpClient().get(f"/p/tidewater/manage/{'9' * 20}\x00/check-in/").status_code in (400, 404)
    clock.move_to(END + OPEN_FOR + timedelta(minutes=1), tick=False)
    closed = HttpClient().post(path, GOOD)
    assert closed.status_code == 410 and 'id="checkin-closed"' in closed.text and CheckIn.objects.count() == 0


def test_needing_care_alerts_the_practitioner_with_nothing_clinical(cast: Cast, clock: time_machine.Traveller) -> None:
    appointment = _completed(cast)
    clock.move_to(END + timedelta(hours=26), tick=False)
    answer = {"effects": ["dizziness"], "severity_dizziness": "severe", "sought_care": "yes", "contact_me": "no"}
    done = HttpClient().post(f"/p/tidewater/manage/{token_for(appointment)}/check-in/", answer)
    assert 'id="checkin-follow-up"' in done.text
    while deliver_due(worker="test").claimed:
        pass
    [alert] = [m for m in mail.outbox if m.to == ["ana@tidewater.test"]]
    text = f"{alert.subject}{alert.body}".lower()
    assert "dizz" not in text and "cleo" not in text and "park" not in text and "severe" not in text
    assert f"/staff/tidewater/appointments/{appointment.pk}/" in alert.body


def test_the_care_team_and_owner_read_it_audited_front_desk_and_others_do_not(
    cast: Cast, clock: time_machine.Traveller
) -> None:
    appointment = _completed(cast)
    clock.move_to(END + timedelta(hours=26), tick=False)
    HttpClient().post(f"/p/tidewater/manage/{token_for(appointment)}/check-in/", GOOD)
    page = f"/staff/tidewater/appointments/{appointment.pk}/"
    chart = f"/staff/tidewater/clients/{appointment.client_id}/chart/"
    for user in (cast.ana_user, cast.olga_user):
        reader = _as(user)
        shown = reader.get(page).text
        assert 'id="checkin"' in shown and "Headache: moderate" in shown
        assert "Headache: moderate" in reader.get(chart).text.split('id="checkins"')[1]
    views = AuditEvent.objects.filter(object_type="checkin", action="view")
    assert sorted(views.values_list("basis", flat=True)) == ["care_team", "owner"]
    desk = _as(cast.ben_user)
    assert 'id="checkin"' not in desk.get(page).text and "Headache" not in desk.get(chart).text
    assert _as(cast.dov_user).get(page).status_code == 404


def test_a_practice_that_switches_check_ins_off_sends_none(cast: Cast, clock: time_machine.Traveller) -> None:
    """The owner's switch (messages settings): the planner plans none, and one planned before the
    switch is withdrawn at send time."""
    _completed(cast)
    run_worker_at(clock, END + timedelta(hours=23, minutes=30))
    [planned] = Message.objects.filter(purpose=Purpose.CHECKIN)
    owner = _as(cast.olga_user)
    page = owner.get("/staff/tidewater/messages/")
    assert page.status_code == 200 and 'name="send_checkins"' in page.text and "checked" in page.text
    saved = owner.post("/staff/tidewater/messages/", {"reminder_hours_first": "48", "reminder_hours_second": "24"})
    assert saved.status_code == 302
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.send_checkins is False
    run_worker_at(clock, END + timedelta(hours=24))
    planned.refresh_from_db()
    assert (planned.status, planned.last_error) == (
        State.WITHDRAWN,
        "Not sent: the practice has switched after-session check-ins off.",
    )
    assert not [m for m in mail.outbox if m.subject.startswith("How have you been")]
    # A second completed session while switched off: nothing is planned at all.
    Message.objects.all().delete()
    assert plan_checkins(END + timedelta(hours=23, minutes=30)) == 0
    # Switched on again: the planner plans it.
    owner.post(
        "/staff/tidewater/messages/",
        {"reminder_hours_first": "48", "reminder_hours_second": "24", "send_checkins": "on"},
    )
    assert plan_checkins(END + timedelta(hours=23, minutes=30)) == 1
