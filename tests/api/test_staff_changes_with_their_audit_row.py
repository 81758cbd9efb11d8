"""Marking and cancelling through the staff API: the change and its audit row commit together
(docs/records.md: a committed change always has its row). When the audit row cannot be written,
nothing changes and the answer is 503 `not_saved` (try again), never a 500 over a saved change."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.api import staff
from longtide.audit.models import AuditEvent
from longtide.scheduling.models import Appointment, AppointmentEvent, EventKind, Status
from longtide.tokens.issue import create_token
from tests.notes.conftest import make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: object) -> None:
        raise DatabaseError("audit store down")

    monkeypatch.setattr(staff, "record", refuse)


def _post(cast: Any, appointment: Appointment, action: str, body: dict[str, object]) -> Any:
    token = create_token(practice=cast.tidewater, user=cast.ben_user, days=1, name="test", now=timezone.now()).token
    return HttpClient().post(
        f"/api/v1/p/tidewater/appointments/{appointment.pk}/{action}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _unchanged(appointment: Appointment, response: Any) -> None:
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "not_saved"
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    assert not AppointmentEvent.objects.filter(appointment=appointment).exclude(kind=EventKind.CREATED).exists()
    assert not AuditEvent.objects.filter(object_type="appointment").exists()


def test_a_mark_whose_audit_row_fails_changes_nothing(cast: Any, audit_down: None) -> None:
    visit = make_visit(cast)
    _unchanged(visit, _post(cast, visit, "mark", {"status": "no_show"}))


def test_a_cancel_whose_audit_row_fails_changes_nothing(cast: Any, audit_down: None) -> None:
    visit = make_visit(cast)
    start = timezone.now() + timedelta(days=3)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + timedelta(hours=1), blocked_start=start, blocked_end=start + timedelta(minutes=75)
    )
    _unchanged(visit, _post(cast, visit, "cancel", {"reason": "Ill", "decided_by": "client"}))


def test_the_openapi_document_lists_the_503(client: HttpClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for action in ("mark", "cancel"):
        assert "503" in paths[f"/api/v1/p/{{slug}}/appointments/{{appointment_id}}/{action}"]["post"]["responses"]
