"""Saving steps, submitting with consent, flags and their acknowledgement (database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor, Origin
from longtide.clients.models import Client
from longtide.intake import actions, status
from longtide.intake.consent_texts import Kind, text_hash
from longtide.intake.models import Flag, ImmutableError, Intake, IntakeStatus, Signature
from longtide.intake.screening import Level
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)
ORIGIN = Origin("203.0.113.9", "PhoneBrowser/1.0")


def _filled(client: Client, *yes: str, about: dict[str, Any] | None = None) -> Intake:
    intake = actions.draft_for(client)
    for step, data in (("about", about or ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen(*yes))):
        checked = actions.save_step(intake, step, data, today=TODAY)
        assert checked.ok, checked.errors
    return intake


def _agree_all(client: Client) -> actions.ConsentAnswer:
    docs = actions.current_documents(client.practice)
    return actions.ConsentAnswer({d.pk for d in docs}, "Cleo Park")


def test_a_step_with_errors_keeps_what_was_typed_and_a_good_one_replaces_it(cast: Cast) -> None:
    intake = actions.draft_for(cast.cleo)
    typed = {**ABOUT, "date_of_birth": "9999-01-01", "emergency_phone": "call me\x00"}
    checked = actions.save_step(intake, "about", typed, today=TODAY)
    assert checked.errors == {
        "date_of_birth": "The date of birth cannot be in the future.",
        "emergency_phone": "Please give a phone number using digits (spaces, +, ( ) and - are fine).",
    }
    intake.refresh_from_db()
    assert intake.typed["about"]["date_of_birth"] == "9999-01-01" and "about" not in intake.steps_done
    assert actions.save_step(intake, "about", ABOUT, today=TODAY).ok
    intake.refresh_from_db()
    assert intake.answers["about"]["date_of_birth"] == "1985-04-23" and intake.typed == {}
    assert actions.draft_for(cast.cleo).pk == intake.pk  # one draft per client


def test_a_minor_needs_a_guardian_and_the_guardian_signs(cast: Cast) -> None:
    child = {**ABOUT, "date_of_birth": "2015-03-01"}
    checked = actions.save_step(actions.draft_for(cast.cleo), "about", child, today=TODAY)
    assert set(checked.errors) == {"guardian_name", "guardian_relationship", "guardian_phone"}
    intake = _filled(
        cast.cleo,
        about={
            **child,
            "guardian_name": "Lee Park",
            "guardian_relationship": "mother",
            "guardian_phone": "207 555 0199",
        },
    )
    answer = actions.ConsentAnswer(_agree_all(cast.cleo).agreed_ids, "Lee Park")
    done = actions.submit(intake, answer, origin=ORIGIN, today=TODAY)
    assert done.errors == {"relationship": pytest.approx(done.errors["relationship"])}
    answer.relationship = "mother"
    done = actions.submit(intake, answer, origin=ORIGIN, today=TODAY)
    assert not done.errors and [f.key for f in done.result.flags] == ["minor", "intraoral"]
    signature = Signature.objects.filter(client=cast.cleo).first()
    assert signature is not None
    assert (signature.signer, signature.guardian_relationship) == ("guardian", "mother")


def test_reasons_need_a_severity_and_one_main_concern(cast: Cast) -> None:
    intake = actions.draft_for(cast.cleo)
    checked = actions.save_step(
        intake,
        "reasons",
        {"reasons": ["headache", "sleep", "other"], "severity_headache": "11", "goals": "x"},
        today=TODAY,
    )
    assert set(checked.errors) == {
        "severity_headache",
        "severity_sleep",
        "severity_other",
        "main_reason",
        "other_reason",
    }


@pytest.mark.parametrize(
    ("yes", "level", "held", "review"),
    [
        ((), None, False, False),
        (("pregnant",), Level.PRECAUTION, False, False),
        (("chiari", "pregnant"), Level.REFER, False, True),
        (("red_eye", "chiari"), Level.EMERGENCY, True, False),
    ],
)
def test_submitting_raises_flags_and_each_level_acts_on_the_bookings(
    cast: Cast, yes: tuple[str, ...], level: Level | None, held: bool, review: bool
) -> None:
    intake = _filled(cast.cleo, *yes)
    done = actions.submit(
        intake,
        actions.ConsentAnswer(
            _agree_all(cast.cleo).agreed_ids
            - {d.pk for d in actions.current_documents(cast.tidewater) if d.kind == Kind.INTRAORAL},
            "Cleo Park",
        ),
        origin=ORIGIN,
        today=TODAY,
    )
    assert done.errors == {} and done.result.level == level
    summary = status.summary(cast.cleo)
    assert (summary.intake_done, summary.consent_current, summary.held, summary.needs_review) == (
        True,
        True,
        held,
        review,
    )
    assert "EMERGENCY" not in summary.front_desk_label and "REFER" not in summary.front_desk_label
    flags = list(Flag.objects.filter(client=cast.cleo))
    assert sorted(f.item_key for f in flags) == sorted(yes)
    assert AuditEvent.objects.filter(object_type="intake", client_id=cast.cleo.pk).count() == 1
    for flag in flags:
        actions.acknowledge(
            flag,
            by=cast.ana_user,
            actor=Actor(cast.ana_user, "practitioner", ORIGIN),
            action="clearance",
            note="Letter from GP",
        )
    summary = status.summary(cast.cleo)
    assert (summary.held, summary.needs_review, summary.open_levels) == (False, False, ())


def test_a_second_submit_changes_nothing(cast: Cast) -> None:
    intake = _filled(cast.cleo, "chiari")
    answer = _agree_all(cast.cleo)
    first = actions.submit(intake, answer, origin=ORIGIN, today=TODAY)
    again = actions.submit(intake, answer, origin=ORIGIN, today=TODAY)
    assert again.already and again.result.level == Level.REFER and first.intake.pk == again.intake.pk
    assert Signature.objects.filter(client=cast.cleo).count() == len(actions.current_documents(cast.tidewater))
    assert Flag.objects.filter(client=cast.cleo).count() == 2  # chiari, and intra-oral consent
    with pytest.raises(actions.IntakeError):
        actions.save_step(intake, "about", ABOUT, today=TODAY)


def test_consent_needs_the_required_documents_a_name_and_every_step(cast: Cast) -> None:
    intake = actions.draft_for(cast.cleo)
    actions.save_step(intake, "about", ABOUT, today=TODAY)
    done = actions.submit(intake, actions.ConsentAnswer(set(), "  "), origin=ORIGIN, today=TODAY)
    docs = {d.kind: d for d in actions.current_documents(cast.tidewater)}
    assert set(done.errors) == {
        f"consent_{docs[Kind.TREATMENT].pk}",
        f"consent_{docs[Kind.PRIVACY].pk}",
        "typed_name",
        "",
    }
    assert "Why you are coming, Your health, Safety questions" in done.errors[""]
    assert intake.status == IntakeStatus.DRAFT


def test_signatures_are_bound_to_the_text_and_immutable_and_a_new_version_asks_again(cast: Cast) -> None:
    intake = _filled(cast.cleo)
    actions.submit(intake, _agree_all(cast.cleo), origin=ORIGIN, today=TODAY)
    signature = Signature.objects.filter(client=cast.cleo, document__kind=Kind.TREATMENT).get()
    assert signature.text_sha256 == text_hash(signature.document.text)
    assert (signature.ip, signature.user_agent, signature.typed_name) == (
        "203.0.113.9",
        "PhoneBrowser/1.0",
        "Cleo Park",
    )
    signature.typed_name = "Someone else"
    with pytest.raises(ImmutableError):
        signature.save()
    with pytest.raises(ImmutableError):
        signature.delete()
    assert status.summary(cast.cleo).consent_current
    actions.publish_document(cast.tidewater, Kind.TREATMENT, "Consent v2", "New text.", "I agree.")
    assert not status.summary(cast.cleo).consent_current


def test_anything_new_reopens_the_screen_once_per_visit(cast: Cast) -> None:
    from tests.access.conftest import _booked

    intake = _filled(cast.cleo, "pregnant")
    actions.submit(intake, _agree_all(cast.cleo), origin=ORIGIN, today=TODAY)
    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    draft = actions.answer_visit_check(visit, anything_new=True)
    assert draft is not None and draft.reopened_from_id == intake.pk
    assert "screen" not in draft.answers and draft.answers["about"] == intake.answers["about"]
    assert actions.answer_visit_check(visit, anything_new=False) == draft  # the first answer stands
