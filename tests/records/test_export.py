"""The client's record as a printable page and a JSON bundle: complete (every value of the bundle
is on the page), escaped (what a client typed never becomes markup), audited, and owners only."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.clients.models import Client
from longtide.notifications.models import Channel
from longtide.notifications.outbox import NewMessage, queue
from longtide.records.export import SCHEMA
from longtide.scheduling.booking_messages import about
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})

HOSTILE = {
    "first_name": '<script>alert("x")</script>',
    "last_name": "O'Brien & Sons",
    "phone": "+1 555 0100 <b>",
}
HOSTILE_NOTE = 'Neck pain </td><img src=x onerror="alert(1)"> & "worse" since May\nsecond line'


def _as(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    if value is None or value == "":
        return []
    return [str(value)]


@pytest.fixture
def hostile_cleo(world: World) -> int:
    appointment = world.appointments["tidewater"]
    Client.objects.filter(pk=appointment.client_id).update(**HOSTILE)
    type(appointment).objects.filter(pk=appointment.pk).update(note=HOSTILE_NOTE)
    queue(
        practice_id=appointment.practice_id,
        messages=[
            NewMessage(
                purpose="confirmation",
                channel=Channel.EMAIL,
                recipient="cleo@example.test",
                dedupe_key="test-confirmation",
                subject="Your visit <on Tuesday>",
                body_text="See you soon & thanks",
                send_after=timezone.now() - timedelta(minutes=1),
                about=about(appointment.pk),
            )
        ],
    )
    return appointment.client_id


def test_the_json_bundle_holds_the_whole_record_and_the_export_is_audited(world: World, hostile_cleo: int) -> None:
    olga = _as(world.users["owner"])
    _as(world.users["practitioner"]).get(f"/staff/tidewater/clients/{hostile_cleo}/chart/")
    response = olga.get(f"/staff/tidewater/clients/{hostile_cleo}/chart/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="tidewater-client-{hostile_cleo}-record.json"'
    data = json.loads(response.content)
    assert data["schema"] == SCHEMA
    assert data["client"] | {"created_at": None} == {
        "id": hostile_cleo,
        **HOSTILE,
        "email": "cleo@example.test",
        "reminder_channel": "email",
        "sms_consent_at": None,
        "created_at": None,
    }
    (visit,) = data["appointments"]
    assert (visit["note"], visit["practitioner"], visit["service"], visit["status"]) == (
        HOSTILE_NOTE,
        "Ana Silva",
        "CST session",
        "booked",
    )
    assert data["care_team"] == ["Ana Silva"]
    sent = [(m["purpose"], m["subject"], m["body"]) for m in data["messages"]]
    assert [purpose for purpose, _, _ in sent] == ["booking.confirmation", "confirmation"]  # the booking's, ours
    assert sent[1][1:] == ("Your visit <on Tuesday>", "See you soon & thanks")
    assert [(e["who"], e["action"], e["basis"]) for e in data["record_access"]] == [("ana", "view", "care_team")]
    assert data["not_collected"] == []  # episodes and outcomes are in the bundle since issue 12
    assert data["not_in_export"] == []  # intake, flags, consents and notes have their sections
    assert (data["intakes"], data["flags"], data["consents"], data["notes"], data["checkins"], data["episodes"]) == (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    event = AuditEvent.objects.filter(action="export").get()
    assert (event.client_id, event.actor_label, event.detail, event.basis) == (hostile_cleo, "olga", "json", "owner")


def test_the_printable_page_shows_every_value_of_the_bundle_escaped(world: World, hostile_cleo: int) -> None:
    olga = _as(world.users["owner"])
    bundle = json.loads(olga.get(f"/staff/tidewater/clients/{hostile_cleo}/chart/export.json").content)
    page = olga.get(f"/staff/tidewater/clients/{hostile_cleo}/chart/export/")
    assert page.status_code == 200
    text = page.text
    missing = [leaf for leaf in _leaves(bundle) if html.escape(leaf) not in text and leaf != bundle["generated_at"]]
    assert missing == []
    for raw in ("<script>", "<img", "</td><img", "<b>", "<on Tuesday>"):
        assert raw not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert list(AuditEvent.objects.filter(action="export").order_by("seq").values_list("detail", flat=True)) == [
        "json",
        "html",
    ]


def test_a_practitioner_cannot_export_even_a_client_in_their_care(world: World) -> None:
    cleo = world.appointments["tidewater"].client_id
    ana = _as(world.users["practitioner"])
    for path in ("export/", "export.json"):
        assert ana.get(f"/staff/tidewater/clients/{cleo}/chart/{path}").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_export_holds_intake_flags_consents_notes_and_check_ins_and_the_page_shows_them_all(world: World) -> None:
    """The whole clinical record is in the access request's answer, each value on the printable page."""
    from longtide.audit.trail import Actor
    from longtide.checkins.models import CheckIn
    from longtide.intake import actions as intake_actions
    from longtide.notes.actions import add_addendum, save_draft, sign_note, start_note
    from tests.intake.test_intake_actions import ORIGIN, TODAY, _agree_all, _filled
    from tests.notes.conftest import complete, make_visit

    cast = world.cast
    cleo = world.appointments["tidewater"].client
    intake_actions.submit(_filled(cleo, "chiari"), _agree_all(cleo), origin=ORIGIN, today=TODAY)
    by = Actor(cast.ana_user, "practitioner")
    past = make_visit(cast, days_ago=2, client=cleo, status="completed")
    note = start_note(past, by=by, now=timezone.now())
    note = sign_note(
        save_draft(note, complete(note), revision=0, by=by),
        by=by,
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    add_addendum(note, reason="Client called", text="Slept <well> that night.", by=by, now=timezone.now())
    CheckIn.objects.create(
        practice=cast.tidewater,
        client=cleo,
        appointment=past,
        effects={"tiredness": "mild"},
        sought_care=False,
        contact_me=True,
        answered_at=timezone.now(),
    )
    olga = _as(world.users["owner"])
    bundle = json.loads(olga.get(f"/staff/tidewater/clients/{cleo.pk}/chart/export.json").content)
    [intake] = bundle["intakes"]
    assert intake["status"] == "submitted" and any(s["title"] == "Why you are coming" for s in intake["sections"])
    assert {f["item"]: f["level"] for f in bundle["flags"]}["chiari"] == "REFER"
    assert bundle["consents"] and all(c["text"] and c["text_sha256"] for c in bundle["consents"])
    [exported] = bundle["notes"]
    assert (exported["status"], exported["hash_matches"]) == ("signed", True)
    assert exported["content_hash"] == note.content_hash
    assert exported["subjective"] == complete(note)["subjective"]
    assert [a["text"] for a in exported["addenda"]] == ["Slept <well> that night."]
    assert "impression_" in bundle["notes_impressions"]
    assert bundle["checkins"][0]["effects"] == {"tiredness": "mild"}
    page = olga.get(f"/staff/tidewater/clients/{cleo.pk}/chart/export/").text
    missing = [leaf for leaf in _leaves(bundle) if html.escape(leaf) not in page and leaf != bundle["generated_at"]]
    assert missing == []
    assert "Slept &lt;well&gt; that night." in page and "practitioner impression, not a measurement" in page


def test_the_appointments_history_with_the_clients_cancel_reason_is_in_the_export(world: World) -> None:
    """What the client typed when cancelling (the manage page's optional reason) and the other
    changes in the appointment's history are part of their record: an access request returns them."""
    from longtide.scheduling.manage_links import token_for

    appointment = world.appointments["tidewater"]
    reason = "Moving house <b>this</b> week & more"
    cancelled = HttpClient().post(f"/p/tidewater/manage/{token_for(appointment)}/cancel/", {"reason": reason})
    assert cancelled.status_code == 302
    olga = _as(world.users["owner"])
    bundle = json.loads(olga.get(f"/staff/tidewater/clients/{appointment.client_id}/chart/export.json").content)
    (visit,) = bundle["appointments"]
    [change] = [e for e in visit["history"] if e["kind"] == "cancelled"]
    assert (change["reason"], change["decided_by"], change["to_status"]) == (reason, "client", "cancelled_client")
    page = olga.get(f"/staff/tidewater/clients/{appointment.client_id}/chart/export/").text
    assert html.escape(reason) in page and "<b>this" not in page
    missing = [leaf for leaf in _leaves(visit["history"]) if html.escape(leaf) not in page]
    assert missing == []
