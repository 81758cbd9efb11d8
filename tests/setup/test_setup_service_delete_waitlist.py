"""Deleting a service is refused while clients wait for it (waiting, or offered a time): the owner is
told to hide it instead. WaitlistEntry.service is PROTECT, so no delete path drops them silently.
Finished entries (booked, left, ended) and unconfirmed sign-ups go with the service."""

import secrets
from datetime import time, timedelta

import pytest
from django.db.models.deletion import ProtectedError
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.models import Service
from longtide.scheduling.models import WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db


def short_service(cast: Cast) -> Service:
    service = Service.objects.create(practice=cast.tidewater, name="Short", slug="short", duration_minutes=30)
    service.practitioners.add(cast.ana)
    return service


def wait_for(cast: Cast, service: Service, status: str) -> WaitlistEntry:
    today = timezone.now().date()
    return WaitlistEntry.objects.create(
        practice=cast.tidewater,
        service=service,
        first_name="Wren",
        last_name="Lee",
        email=f"wren-{status}@example.test",
        earliest=today,
        latest=today + timedelta(days=30),
        weekdays="01234",
        time_from=time(9),
        time_to=time(17),
        status=status,
        nonce=secrets.token_hex(16),
        token_hash=secrets.token_hex(32),
        queued_at=timezone.now(),
    )


@pytest.mark.parametrize("status", [WaitlistStatus.WAITING, WaitlistStatus.OFFERED])
def test_a_service_someone_waits_for_is_not_deleted(client: HttpClient, cast: Cast, status: str) -> None:
    service = short_service(cast)
    entry = wait_for(cast, service, status)
    client.force_login(cast.olga_user)
    response = client.post(f"/staff/tidewater/settings/services/{service.pk}/delete/", follow=True)
    assert "Short has clients on its waitlist, so it cannot be deleted; hide it instead." in response.text
    assert Service.objects.filter(pk=service.pk).exists()
    assert WaitlistEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_layer_protects_a_waitlisted_service(cast: Cast) -> None:
    service = short_service(cast)
    wait_for(cast, service, WaitlistStatus.ENDED)
    with pytest.raises(ProtectedError):
        service.delete()


def test_a_service_with_only_finished_entries_or_none_is_deleted(client: HttpClient, cast: Cast) -> None:
    service = short_service(cast)
    for status in (WaitlistStatus.ENDED, WaitlistStatus.LEFT, WaitlistStatus.BOOKED, WaitlistStatus.UNCONFIRMED):
        wait_for(cast, service, status)
    client.force_login(cast.olga_user)
    response = client.post(f"/staff/tidewater/settings/services/{service.pk}/delete/", follow=True)
    assert "Deleted the service Short." in response.text
    assert not Service.objects.filter(pk=service.pk).exists()
    assert not WaitlistEntry.objects.filter(email__startswith="wren-").exists()
    other = Service.objects.create(practice=cast.tidewater, name="Other", slug="other", duration_minutes=30)
    client.post(f"/staff/tidewater/settings/services/{other.pk}/delete/")
    assert not Service.objects.filter(pk=other.pk).exists()
