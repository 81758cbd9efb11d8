"""A merge ends the break-glass grants still open on the duplicate (they move as history): an
opening of a near-empty duplicate never becomes access to the record kept. The kept record's
access report includes the trails of the records merged into it, so that opening shows there."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.records.merge import merge_clients
from longtide.records.models import BreakGlass
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
REASON = "checking an empty new record"


def test_a_merge_ends_the_duplicates_open_grants_and_the_report_shows_them(world: World) -> None:
    cast = world.cast
    cleo = world.appointments["tidewater"].client
    bea = world.users["colleague"]
    duplicate = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email="cleo.other@example.test"
    )
    http = HttpClient()
    http.force_login(bea)
    chart = f"/staff/tidewater/clients/{cleo.pk}/chart/"
    assert 'data-basis="not_in_care"' in http.get(chart).text
    opened = http.post(f"/staff/tidewater/clients/{duplicate.pk}/chart/break-glass/", {"reason": REASON})
    assert opened.status_code == 302

    merge_clients(
        practice=cast.tidewater,
        kept=cleo,
        duplicate=duplicate,
        by=Actor(cast.ben_user, "front_desk"),
        now=timezone.now(),
    )
    page = http.get(chart).text
    assert 'data-basis="break_glass"' not in page and 'data-basis="not_in_care"' in page
    [grant] = BreakGlass.objects.all()
    assert grant.client_id == cleo.pk and grant.until <= timezone.now()  # moved, as history
    merged = AuditEvent.objects.get(object_type="client_merge")
    assert "break-glass grants ended 1" in merged.detail

    owner = HttpClient()
    owner.force_login(cast.olga_user)
    report = owner.get(f"{chart}access/").text
    assert 'id="merged-trails"' in report
    openings = report.split('id="break-glass"')[1].split("</section>")[0]
    assert REASON in openings and f"on merged record {duplicate.pk}" in openings
