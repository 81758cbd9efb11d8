"""A session is marked completed only with the client's current treatment consent, or with an
override the session's practitioner or an owner records (reason, who, when), which shows in the
appointment's history and the audit trail (issue 9; docs/intake.md "Consent before the session")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.intake import actions
from longtide.intake.session import mark_session, session_consent
from longtide.notes.actions import NoteError, save_draft, sign_note, start_note
from longtide.scheduling.booking import mark_appointment
from longtide.scheduling.booking_rules import PolicyRefused
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import AppointmentEvent, EventKind, Status
from tests.intake.helpers import agree_to_treatment
from tests.notes.conftest import complete, make_visit

if TYPE_CHECKING:
    from collections.abc import Callable

    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(cast: Cast) -> Callable[..., Appointment]:
    def make(**kwargs: Any) -> Appointment:
        return make_visit(cast, consent=False, **kwargs)

    return make


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def page(appointment: Any, tail: str = "") -> str:
    return f"/staff/tidewater/appointments/{appointment.pk}/{tail}"


def _mark(appointment: Any, user: Any, **kwargs: Any) -> Any:
    return mark_session(
        appointment, Status.COMPLETED, by=ChangedBy.staff(user), actor=Actor(user, "practitioner"), **kwargs
    )


def test_without_current_treatment_consent_a_session_is_not_marked_completed(cast: Cast, visit: Any) -> None:
    appointment = visit()
    with pytest.raises(PolicyRefused) as refused:
        _mark(appointment, cast.ana_user)
    assert refused.value.code == "consent_needed" and "treatment consent" in refused.value.message
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED and not appointment.events.exists()
    # A no-show needs no consent.
    mark_session(appointment, Status.NO_SHOW, by=ChangedBy.staff(cast.ben_user), actor=Actor(cast.ben_user))
    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW
    # Nor may a no-show be corrected to completed without it.
    with pytest.raises(PolicyRefused):
        _mark(appointment, cast.ana_user)
    # The scheduling action itself refuses a caller that does not say consent is on file.
    with pytest.raises(PolicyRefused):
        mark_appointment(appointment=appointment, status=Status.COMPLETED)


def test_with_current_treatment_consent_it_is_and_a_new_version_asks_again(cast: Cast, visit: Any) -> None:
    appointment = visit()
    agree_to_treatment(cast.cleo)
    assert session_consent(appointment).current
    _mark(appointment, cast.ana_user)
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED
    assert not appointment.events.filter(kind=EventKind.CONSENT_OVERRIDE).exists()
    treatment = next(d for d in actions.current_documents(cast.tidewater) if d.kind == "treatment")
    actions.publish_document(cast.tidewater, "treatment", treatment.title, treatment.text + "\nNew.", "I agree")
    later = visit(days_ago=1)
    assert not session_consent(later).current
    with pytest.raises(PolicyRefused):
        _mark(later, cast.ana_user)
    # A later "no" to the current version is not consent.
    agree_to_treatment(cast.cleo)
    agree_to_treatment(cast.cleo, agreed=False)
    with pytest.raises(PolicyRefused):
        _mark(later, cast.ana_user)


def test_an_override_is_recorded_with_who_when_and_why_in_history_and_audit(cast: Cast, visit: Any) -> None:
    appointment = visit()
    _mark(appointment, cast.ana_user, override_reason="  Signed the paper form at the desk;\nonline form pending. ")
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED
    override = AppointmentEvent.objects.get(appointment=appointment, kind=EventKind.CONSENT_OVERRIDE)
    assert override.reason == "Signed the paper form at the desk; online form pending."
    assert override.by_user == cast.ana_user and override.at is not None
    audit = AuditEvent.objects.get(object_type="consent_override")
    assert audit.actor_id == cast.ana_user.pk and audit.client_id == cast.cleo.pk
    assert audit.object_id == str(override.pk) and audit.reason == override.reason
    # The override stays with the appointment: a correction to no-show and back needs no second one.
    mark_session(appointment, Status.NO_SHOW, by=ChangedBy.staff(cast.ana_user), actor=Actor(cast.ana_user))
    _mark(appointment, cast.ana_user)
    assert AppointmentEvent.objects.filter(kind=EventKind.CONSENT_OVERRIDE).count() == 1


@pytest.mark.parametrize(("reason", "message"), [("   ", "Say why"), ("x" * 301, "under 300 characters")])
def test_an_override_needs_a_reason(cast: Cast, visit: Any, reason: str, message: str) -> None:
    appointment = visit()
    with pytest.raises(PolicyRefused) as refused:
        _mark(appointment, cast.ana_user, override_reason=reason)
    assert message in refused.value.message and refused.value.field == "override_reason"
    assert not AppointmentEvent.objects.filter(kind=EventKind.CONSENT_OVERRIDE).exists()


def test_the_page_shows_consent_and_only_the_practitioner_or_owner_may_override(cast: Cast, visit: Any) -> None:
    appointment = visit()
    desk = signed_in(cast.ben_user)
    shown = desk.get(page(appointment))
    assert 'id="consent-needed"' in shown.text and 'id="override-form"' not in shown.text
    assert 'value="completed">Mark completed' not in shown.text
    refused = desk.post(page(appointment, "mark/"), {"status": "completed", "seen": appointment.version})
    assert refused.status_code == 302
    assert "no current treatment consent" in desk.get(page(appointment)).text
    forbidden = desk.post(
        page(appointment, "mark/"), {"status": "completed", "override_reason": "Paper form", "seen": "booked.0"}
    )
    assert forbidden.status_code == 403 and "Only the session&#x27;s practitioner or an owner" in forbidden.text
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED and not appointment.events.exists()

    ana = signed_in(cast.ana_user)
    assert 'id="override-form"' in ana.get(page(appointment)).text
    long = ana.post(page(appointment, "mark/"), {"status": "completed", "override_reason": "y" * 301})
    assert long.status_code == 400 and 'id="override-refused"' in long.text and "y" * 301 in long.text
    done = ana.post(page(appointment, "mark/"), {"status": "completed", "override_reason": "Paper form signed"})
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED
    shown = desk.get(page(appointment))
    assert 'id="consent-override"' in shown.text and "Went ahead without current treatment consent" in shown.text
    assert "Paper form signed" in shown.text


def test_the_owner_may_override_and_consent_on_file_needs_none(cast: Cast, visit: Any) -> None:
    appointment = visit()
    olga = signed_in(cast.olga_user)
    olga.post(page(appointment, "mark/"), {"status": "completed", "override_reason": "Consent taken by phone"})
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED
    other = visit(days_ago=1)
    agree_to_treatment(cast.cleo)
    shown = signed_in(cast.ben_user).get(page(other))
    assert "Treatment consent on file: version 1" in shown.text and 'value="completed">Mark completed' in shown.text
    signed_in(cast.ben_user).post(page(other, "mark/"), {"status": "completed", "seen": other.version})
    other.refresh_from_db()
    assert other.status == Status.COMPLETED


def test_signing_a_note_marks_the_session_completed_only_with_consent_or_override(cast: Cast, visit: Any) -> None:
    appointment = visit()
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(appointment, by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    with pytest.raises(NoteError) as refused:
        sign_note(note, by=by, now=timezone.now(), consents_on_file=frozenset())
    assert "treatment consent" in refused.value.message and "kept as a draft" in refused.value.message
    note.refresh_from_db()
    assert not note.is_signed
    _mark(appointment, cast.ana_user, override_reason="Consent given aloud; paper form to follow")
    assert sign_note(note, by=by, now=timezone.now()).is_signed


def test_agreeing_then_declining_is_declining_for_marking_and_for_signing_a_note(cast: Cast, visit: Any) -> None:
    """One rule for "current treatment consent": the client's latest answer to the current version,
    whether the session is marked from the appointment page or by signing its note."""
    from longtide.intake.status import agreed_kinds

    appointment = visit()
    agree_to_treatment(cast.cleo)
    assert "treatment" in agreed_kinds(cast.cleo) and session_consent(appointment).current
    agree_to_treatment(cast.cleo, agreed=False)  # a later answer: declined
    assert "treatment" not in agreed_kinds(cast.cleo) and not session_consent(appointment).current
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(appointment, by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    with pytest.raises(NoteError):
        sign_note(note, by=by, now=timezone.now(), consents_on_file=agreed_kinds(cast.cleo))
    agree_to_treatment(cast.cleo)  # and agreeing again counts again
    assert "treatment" in agreed_kinds(cast.cleo)
    assert sign_note(note, by=by, now=timezone.now(), consents_on_file=agreed_kinds(cast.cleo)).is_signed
