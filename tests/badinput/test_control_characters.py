"""One rule for the free text people type as a reason (lib/text.py): no control character but tab,
line feed and carriage return. A reason with one (an escape sequence, a bell, DEL) is refused with a
specific message on the pages and in the API, as NUL already was; nothing is recorded and what was
typed is kept on the page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.lib.text import CONTROL_FREE, CONTROL_MESSAGE, has_control
from longtide.scheduling.manage_links import token_from_nonce
from longtide.scheduling.models import Appointment, AppointmentEvent, EventKind, Status
from longtide.tokens.issue import create_token
from tests.notes.conftest import make_visit

pytestmark = pytest.mark.django_db

CONTROLS = ["\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f"]


@pytest.mark.parametrize("text", ["", "Ill\tat home\r\n", "Krank — 病気 😷", "a\u200bb"])
def test_tabs_new_lines_and_other_scripts_are_text(text: str) -> None:
    assert not has_control(text)


@pytest.mark.parametrize("control", [*CONTROLS, "\x00"])
def test_every_other_c0_control_and_del_is_refused(control: str) -> None:
    assert has_control(f"Ill{control}")


def _future(cast: Cast, *, hours: int = 72) -> Appointment:
    visit = make_visit(cast)
    start = timezone.now() + timedelta(hours=hours)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + timedelta(hours=1), blocked_start=start, blocked_end=start + timedelta(minutes=75)
    )
    return Appointment.objects.get(pk=visit.pk)


def _api(cast: Cast, path: str, body: object) -> Any:
    token = create_token(practice=cast.tidewater, user=cast.ana_user, days=30, name="t", now=timezone.now()).token
    return HttpClient().post(
        path, json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize("control", CONTROLS)
def test_the_api_refuses_a_cancel_reason_with_a_control_character(cast: Cast, control: str) -> None:
    visit = _future(cast)
    response = _api(
        cast,
        f"/api/v1/p/tidewater/appointments/{visit.pk}/cancel",
        {"reason": f"Practitioner{control} ill", "decided_by": "clinic"},
    )
    assert response.status_code == 422, response.content
    assert response.json() == {
        "detail": CONTROL_MESSAGE,
        "code": "reason_control",
        "errors": {"reason": [CONTROL_MESSAGE]},
    }
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED


def test_the_api_refuses_an_override_reason_with_a_control_character(cast: Cast) -> None:
    visit = make_visit(cast, consent=False)
    response = _api(
        cast,
        f"/api/v1/p/tidewater/appointments/{visit.pk}/mark",
        {"status": "completed", "override_reason": "Verbal consent\x07"},
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"override_reason": [CONTROL_MESSAGE]}
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED
    assert not AuditEvent.objects.filter(object_type="consent_override").exists()


def test_the_openapi_document_states_the_rule() -> None:
    schema = HttpClient().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["CancelIn"]["properties"]["reason"]["pattern"] == CONTROL_FREE
    assert schema["MarkIn"]["properties"]["override_reason"]["pattern"] == CONTROL_FREE


def test_the_staff_cancel_form_refuses_it_and_keeps_what_was_typed(client: HttpClient, cast: Cast) -> None:
    visit = _future(cast)
    client.force_login(cast.ben_user)
    response = client.post(
        f"/staff/tidewater/appointments/{visit.pk}/cancel/",
        {"cancel-reason": "Practitioner\x1b[31m ill", "cancel-decided_by": "clinic"},
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text and "Practitioner" in response.text
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED
    assert not AppointmentEvent.objects.filter(appointment=visit, kind=EventKind.CANCELLED).exists()


def test_the_clients_cancel_form_refuses_it(client: HttpClient, cast: Cast) -> None:
    visit = _future(cast, hours=24 * 7)
    token = token_from_nonce(visit.manage_nonce)
    response = client.post(f"/p/tidewater/manage/{token}/cancel/", {"reason": "Away\x07 that week"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text and "that week" in response.text
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED
