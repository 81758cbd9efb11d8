"""The client access report's "Who looked" counts the same looks as the monthly report (`LOOKS`):
views, exports, prints and PDF downloads of the notes, break-glass openings."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.records.audit_reports import LOOKS
from tests.notes.conftest import complete, make_visit

pytestmark = pytest.mark.django_db


def test_who_looked_counts_prints_and_pdf_downloads(cast: Cast) -> None:
    visit = make_visit(cast, days_ago=1)
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(visit, by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=None, by=by)
    sign_note(note, by=by, now=timezone.now(), consents_on_file=frozenset({"treatment"}))
    ana = HttpClient()
    ana.force_login(cast.ana_user)
    assert ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/pdf/").status_code == 200
    assert ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/print/").status_code == 200
    looks = AuditEvent.objects.filter(client_id=cast.cleo.pk, actor_id=cast.ana_user.pk, action__in=LOOKS)
    assert looks.count() == 2 and set(looks.values_list("action", flat=True)) == {"print"}
    owner = HttpClient()
    owner.force_login(cast.olga_user)
    page = owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/access/").content.decode()
    readers = page.split('id="readers"')[1].split("</section>")[0]
    assert f"{looks[0].actor_label}: 2 times" in readers
