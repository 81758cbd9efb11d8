"""An erasure request: the owner sees what is erased and what is kept until when; it refuses while
visits are still booked and without a reason or a confirmation (keeping what was typed); then it
erases every copy of the client's contact details Longtide holds to reach them, withdraws waiting
messages, keeps the clinical record, and writes one audit row. Who may: owners only
(tests/access/test_records_matrix.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.audit.verify import verify_trail
from longtide.clients.models import Client
from longtide.intake.links import new_link
from longtide.intake.models import IntakeLink
from longtide.lib.text import CONTROL_MESSAGE
from longtide.notifications.models import Message, State
from longtide.records.erasure import ERASED_RECIPIENT
from longtide.scheduling.models import Appointment, Status, WaitlistEntry
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
REASON = "Client emailed on 1 Dec asking us to delete her details"


def _owner(world: World) -> HttpClient:
    client = HttpClient()
    client.force_login(world.users["owner"])
    return client


def _paths(world: World) -> tuple[Client, str, str]:
    cleo = world.appointments["tidewater"].client
    return cleo, f"/staff/tidewater/clients/{cleo.pk}/chart/erase/", f"/staff/tidewater/clients/{cleo.pk}/chart/"


def _waitlisted(world: World, email: str) -> WaitlistEntry:
    today = timezone.localdate()
    return WaitlistEntry.objects.create(
        practice=world.practices["tidewater"],
        service=world.cast.session,
        first_name="Cleo",
        last_name="Park",
        email=email,
        earliest=today,
        latest=today + timedelta(days=30),
        weekdays="12345",
        time_from="09:00",
        time_to="17:00",
        token_hash=email,  # unique; never looked up here
    )


def test_it_refuses_while_a_visit_is_booked_and_keeps_what_was_typed(world: World) -> None:
    cleo, erase, _chart = _paths(world)
    owner = _owner(world)
    form = owner.get(erase).text
    assert 'id="upcoming"' in form and "Cancel these upcoming visits first" in form
    refused = owner.post(erase, {"reason": REASON, "confirm": "1"})
    assert refused.status_code == 422 and "1 upcoming visit(s) are still booked" in refused.text
    assert REASON in refused.text
    cleo.refresh_from_db()
    assert cleo.email == "cleo@example.test" and cleo.contact_erased_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": REASON}, "Tick the box to confirm"),
        ({"reason": " short \t ", "confirm": "1"}, "Say what the client asked for, in at least 10 characters."),
        ({"reason": REASON + "\x00\x1b", "confirm": "1"}, CONTROL_MESSAGE),
        ({"reason": "x" * 2001, "confirm": "1"}, "Keep the reason under 2000 characters."),
    ],
)
def test_a_missing_confirmation_or_reason_is_refused(world: World, data: dict[str, Any], message: str) -> None:
    cleo, erase, _chart = _paths(world)
    Appointment.objects.filter(client=cleo).update(status=Status.CANCELLED_CLINIC)
    refused = _owner(world).post(erase, data)
    assert refused.status_code == 422 and message in refused.text
    cleo.refresh_from_db()
    assert cleo.contact_erased_at is None and not AuditEvent.objects.filter(action="erase").exists()


def test_erasure_removes_every_copy_of_the_contact_details_and_keeps_the_record(world: World) -> None:
    cleo, erase, chart = _paths(world)
    visit = world.appointments["tidewater"]
    Appointment.objects.filter(pk=visit.pk).update(status=Status.CANCELLED_CLINIC, booked_phone="+1 207 555 0101")
    cleo.phone = "+1 207 555 0101"
    cleo.sms_consent_at = timezone.now()
    cleo.save()
    place = _waitlisted(world, "CLEO@example.test")
    other = _waitlisted(world, "someone.else@example.test")
    with transaction.atomic():
        link = new_link(cleo)
    pending = Message.objects.filter(about=f"appointment:{visit.pk}").update(status=State.PENDING)
    assert pending >= 1
    owner = _owner(world)
    form = owner.get(erase).text
    assert 'id="upcoming"' not in form and "1 waitlist place" in form
    done = owner.post(erase, {"reason": REASON + "\r\n", "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == chart

    cleo.refresh_from_db()
    assert (cleo.email, cleo.phone, cleo.reminder_channel) == ("", "", "none")
    assert cleo.sms_consent_at is None
    assert cleo.contact_erased_at is not None and cleo.full_name == "Cleo Park"  # the record stays identifiable
    visit.refresh_from_db()
    assert (visit.booked_email, visit.booked_phone, visit.note) == ("", "", world.notes["tidewater"])
    about_her = Message.objects.filter(about=f"appointment:{visit.pk}")
    assert set(about_her.values_list("recipient", flat=True)) == {ERASED_RECIPIENT}
    assert set(about_her.values_list("status", flat=True)) == {State.WITHDRAWN}
    assert not WaitlistEntry.objects.filter(pk=place.pk).exists() and WaitlistEntry.objects.filter(pk=other.pk).exists()
    assert IntakeLink.objects.get(pk=link.pk).voided_at is not None
    [event] = AuditEvent.objects.filter(action="erase")
    assert (event.client_id, event.actor_id, event.reason) == (cleo.pk, world.users["owner"].pk, REASON)
    assert "1 waitlist rows" in event.detail and "cleo" not in event.detail.lower()
    assert verify_trail(chain=None).ok
    assert 'id="contact-erased"' in owner.get(chart).text and "cleo@example.test" not in owner.get(chart).text

    again = owner.post(erase, {"reason": REASON, "confirm": "1"})  # back button, double submit
    assert again.status_code == 302 and AuditEvent.objects.filter(action="erase").count() == 1
    assert 'id="already-erased"' in owner.get(erase).text
