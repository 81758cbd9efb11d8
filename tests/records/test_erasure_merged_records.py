"""An erasure request on a record that others were merged into erases their contact details too:
the duplicates' rows (transitively: a record merged into a duplicate), the details each merge
record kept, their waitlist places; the plan page and the audit row name them. Nothing of them is
left on the kept record's page, the duplicates' pages or the staff API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.records.merge import merge_clients
from longtide.records.models import ClientMerge
from longtide.scheduling.models import Appointment, Status, WaitlistEntry
from longtide.tokens.issue import create_token
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
REASON = "Client emailed on 1 Dec asking us to delete her details"
WORK, WORK_PHONE = "cleo.work@example.test", "+15555550123"
OLD, OLD_PHONE = "cleo.old@example.test", "+15555550188"


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
        token_hash=email,
    )


def test_erasure_erases_the_records_merged_into_the_client(world: World) -> None:
    cast = world.cast
    cleo = world.appointments["tidewater"].client
    Appointment.objects.filter(client=cleo).update(status=Status.CANCELLED_CLINIC)
    work = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email=WORK, phone=WORK_PHONE
    )
    old = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Parks", email=OLD, phone=OLD_PHONE
    )
    desk = Actor(cast.ben_user, "front_desk")
    merge_clients(practice=cast.tidewater, kept=work, duplicate=old, by=desk, now=timezone.now())
    merge_clients(practice=cast.tidewater, kept=cleo, duplicate=work, by=desk, now=timezone.now())
    place = _waitlisted(world, WORK)
    older_place = _waitlisted(world, OLD.upper())
    others = _waitlisted(world, "someone.else@example.test")

    owner = HttpClient()
    owner.force_login(world.users["owner"])
    erase = f"/staff/tidewater/clients/{cleo.pk}/chart/erase/"
    form = owner.get(erase).text
    assert 'id="erased-merged"' in form and f"record {work.pk}" in form and f"record {old.pk}" in form
    assert "2 waitlist places" in form
    assert owner.post(erase, {"reason": REASON, "confirm": "1"}).status_code == 302

    for record in (cleo, work, old):
        record.refresh_from_db()
        assert (record.email, record.phone, record.sms_consent_at, record.reminder_channel) == ("", "", None, "none")
        assert record.contact_erased_at is not None
    assert set(ClientMerge.objects.values_list("merged_email", "merged_phone")) == {("", "")}
    assert not WaitlistEntry.objects.filter(pk__in=[place.pk, older_place.pk]).exists()
    assert WaitlistEntry.objects.filter(pk=others.pk).exists()
    [event] = AuditEvent.objects.filter(action="erase")
    assert f"merged records {work.pk}, {old.pk}" in event.detail and "2 waitlist rows" in event.detail

    token = create_token(
        practice=cast.tidewater, user=world.users["owner"], days=1, name="test", now=timezone.now()
    ).token
    shown = [owner.get(f"/staff/tidewater/clients/{pk}/").text for pk in (cleo.pk, work.pk, old.pk)] + [
        HttpClient().get(f"/api/v1/p/tidewater/clients/{pk}", headers={"Authorization": f"Bearer {token}"}).text
        for pk in (work.pk, old.pk)
    ]
    for page in shown:
        for detail in (WORK, OLD, WORK_PHONE, OLD_PHONE, "5550123", "5550188"):
            assert detail not in page
