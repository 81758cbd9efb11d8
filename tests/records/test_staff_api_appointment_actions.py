"""Marking and cancelling appointments through the staff API: the staff pages' rules
(Appointment.can_mark / can_cancel / can_late_cancel, the treatment-consent check and who may
override it), the same history and audit rows, and the exact JSON answers for refusals and bad
input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.scheduling.models import Appointment, AppointmentEvent, EventKind, Status
from longtide.tokens.issue import create_token
from tests.notes.conftest import make_visit

pytestmark = pytest.mark.django_db


def _token(cast: Any, user: Any, practice: Any = None) -> str:
    return create_token(practice=practice or cast.tidewater, user=user, days=30, name="test", now=timezone.now()).token


def _post(path: str, token: str | None, body: object) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return HttpClient().post(path, json.dumps(body), content_type="application/json", headers=headers)


def _mark(cast: Any, token: str | None, appointment_id: object, body: object) -> Any:
    return _post(f"/api/v1/p/tidewater/appointments/{appointment_id}/mark", token, body)


def _cancel(cast: Any, token: str | None, appointment_id: object, body: object) -> Any:
    return _post(f"/api/v1/p/tidewater/appointments/{appointment_id}/cancel", token, body)


def _future(cast: Any, *, hours: int) -> Appointment:
    visit = make_visit(cast)
    start = timezone.now() + timedelta(hours=hours)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + timedelta(hours=1), blocked_start=start, blocked_end=start + timedelta(minutes=75)
    )
    return Appointment.objects.get(pk=visit.pk)


def test_front_desk_marks_a_started_visit_a_no_show_with_its_history_and_an_audit_row(cast: Any) -> None:
    visit = make_visit(cast)
    response = _mark(cast, _token(cast, cast.ben_user), visit.pk, {"status": "no_show"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["actions"]["mark"]) == (visit.pk, "no_show", True)
    event = AppointmentEvent.objects.get(appointment=visit, kind=EventKind.NO_SHOW)
    assert event.by_user_id == cast.ben_user.pk
    row = AuditEvent.objects.get(object_type="appointment")
    assert (row.action, row.via, row.client_id, row.detail) == ("change", "api", cast.cleo.pk, "marked no_show")
    assert body["changed"] is True
    # Marking the status it already has changes nothing (a replayed call, or a double submit whose
    # `seen` is now stale): no history row, no second audit row, and the answer says so.
    for replay in ({"status": "no_show"}, {"status": "no_show", "seen": "booked.0"}):
        again = _mark(cast, _token(cast, cast.ben_user), visit.pk, replay)
        assert again.status_code == 200, again.content
        assert (again.json()["status"], again.json()["changed"]) == ("no_show", False)
    assert AppointmentEvent.objects.filter(appointment=visit, kind=EventKind.NO_SHOW).count() == 1
    assert AuditEvent.objects.filter(object_type="appointment").count() == 1


def test_completed_needs_consent_or_an_override_from_the_practitioner(cast: Any) -> None:
    visit = make_visit(cast, consent=False)
    refused = _mark(cast, _token(cast, cast.ben_user), visit.pk, {"status": "completed"})
    assert refused.status_code == 409 and refused.json()["code"] == "consent_needed"
    desk = _mark(cast, _token(cast, cast.ben_user), visit.pk, {"status": "completed", "override_reason": "Agreed"})
    assert desk.status_code == 403 and desk.json()["code"] == "override_not_allowed"
    ana = _mark(
        cast,
        _token(cast, cast.ana_user),
        visit.pk,
        {"status": "completed", "override_reason": "Verbal consent, form to follow"},
    )
    assert ana.status_code == 200 and ana.json()["status"] == "completed"
    override = AppointmentEvent.objects.get(appointment=visit, kind=EventKind.CONSENT_OVERRIDE)
    assert override.reason == "Verbal consent, form to follow"
    assert AuditEvent.objects.filter(object_type="consent_override", via="api").count() == 1


def test_a_visit_that_has_not_started_cannot_be_marked(cast: Any) -> None:
    visit = _future(cast, hours=30)
    response = _mark(cast, _token(cast, cast.ben_user), visit.pk, {"status": "no_show"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_started"
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED


def test_cancelling_asks_why_and_who_decided_then_records_both(cast: Any) -> None:
    visit = _future(cast, hours=72)
    token = _token(cast, cast.ben_user)
    no_reason = _cancel(cast, token, visit.pk, {"reason": " ", "decided_by": "clinic"})
    assert no_reason.status_code == 422
    assert no_reason.json() == {
        "detail": "Say why it is cancelled (for the appointment's history).",
        "code": "reason_required",
        "errors": {"reason": ["Say why it is cancelled (for the appointment's history)."]},
    }
    no_decider = _cancel(cast, token, visit.pk, {"reason": "Practitioner ill"})
    assert no_decider.status_code == 422 and no_decider.json()["code"] == "decided_by_required"
    done = _cancel(cast, token, visit.pk, {"reason": "Practitioner ill", "decided_by": "clinic", "seen": "booked.0"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled_clinic"
    assert done.json()["actions"] == {"move": False, "cancel": False, "late_cancel": False, "mark": False}
    event = AppointmentEvent.objects.get(appointment=visit, kind=EventKind.CANCELLED)
    assert (event.reason, event.decided_by, event.by_user_id) == ("Practitioner ill", "clinic", cast.ben_user.pk)
    twice = _cancel(cast, token, visit.pk, {"reason": "Practitioner ill", "decided_by": "clinic"})
    assert twice.status_code == 409 and twice.json()["code"] == "not_booked"


def test_a_late_cancellation_only_inside_the_window(cast: Any) -> None:
    early = _future(cast, hours=24 * 5)
    token = _token(cast, cast.ben_user)
    outside = _cancel(cast, token, early.pk, {"reason": "Sick", "late": True})
    assert outside.status_code == 409 and outside.json()["code"] == "outside_window"
    Appointment.objects.filter(pk=early.pk).delete()
    near = _future(cast, hours=3)
    inside = _cancel(cast, token, near.pk, {"reason": "Sick", "late": True})
    assert inside.status_code == 200 and inside.json()["status"] == "late_cancelled"


def test_a_stale_version_changes_nothing(cast: Any) -> None:
    visit = _future(cast, hours=72)
    response = _cancel(
        cast, _token(cast, cast.ben_user), visit.pk, {"reason": "x", "decided_by": "client", "seen": "booked.3"}
    )
    assert response.status_code == 409 and response.json()["code"] == "changed_meanwhile"
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED


@pytest.mark.parametrize(
    ("appointment_id", "body", "status", "code", "field"),
    [
        ("1" * 20, {"status": "no_show"}, 404, "not_found", None),
        ("{pk}", {"status": "cancelled_client"}, 422, "invalid", "status"),
        ("{pk}", {"status": "completed", "override_reason": "a\u0000b"}, 422, "null_character", "override_reason"),
        ("{pk}", {"status": "completed", "override_reason": "x" * 301}, 422, "invalid", "override_reason"),
        ("{pk}", {}, 422, "invalid", "status"),
        ("{pk}", {"status": "no_show", "by": "someone"}, 422, "invalid", "by"),
    ],
)
def test_bad_input_to_mark_names_the_field(
    cast: Any, appointment_id: str, body: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    visit = make_visit(cast)
    response = _mark(cast, _token(cast, cast.ana_user), appointment_id.format(pk=visit.pk), body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert field is None or field in response.json()["errors"]
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED


def test_another_practice_and_no_token_learn_nothing(cast: Any) -> None:
    visit = make_visit(cast)
    outsider = _token(cast, cast.dov_user, cast.harbour)
    calls = [(_mark, {"status": "no_show"}), (_cancel, {"reason": "x", "decided_by": "clinic"})]
    for call, body in calls:
        response = call(cast, outsider, visit.pk, body)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        anonymous = call(cast, None, visit.pk, body)
        assert anonymous.status_code == 401
    # Harbour's own path with Tidewater's appointment id: no such appointment in Harbour.
    path = f"/api/v1/p/harbour/appointments/{visit.pk}/mark"
    response = _post(path, outsider, {"status": "no_show"})
    assert response.status_code == 404 and response.json()["detail"] == "No such appointment."
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED
    assert not AppointmentEvent.objects.filter(appointment=visit, kind=EventKind.NO_SHOW).exists()


@pytest.mark.parametrize("late", ["yes", "no", "true", "1", 1, 0, None, [], {}])
def test_late_is_a_json_boolean_or_a_422_naming_it(cast: Any, late: object) -> None:
    visit = _future(cast, hours=2)
    events = AppointmentEvent.objects.filter(appointment=visit).count()
    response = _cancel(cast, _token(cast, cast.ana_user), visit.pk, {"reason": "Ill", "late": late})
    assert response.status_code == 422, response.content
    assert response.json() == {
        "detail": "Some fields are not valid.",
        "code": "invalid",
        "errors": {"late": ["Input should be a valid boolean"]},
    }
    assert Appointment.objects.get(pk=visit.pk).status == Status.BOOKED
    assert AppointmentEvent.objects.filter(appointment=visit).count() == events


def test_the_openapi_document_says_late_is_a_boolean() -> None:
    schema = HttpClient().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["CancelIn"]["properties"]["late"]["type"] == "boolean"
