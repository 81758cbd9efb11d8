"""GET /api/v1/p/<practice>/clients/<id>/notes and /notes/<id> with staff tokens: the same rules as the
note pages (the care team and owners; break-glass opens them; front desk and practitioners outside
the care team get 404), signed notes with a hash a reader can recompute, every read audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import ClientResponse
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.notes.actions import add_addendum, save_draft, sign_note, start_note
from longtide.notes.canonical import content_hash
from longtide.notes.models import SessionNote
from longtide.records.models import BreakGlass
from longtide.tokens.issue import create_token
from tests.access.conftest import World
from tests.notes.conftest import complete, make_visit

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})
SIGNATURE_KEYS = {
    "status",
    "hash_format",
    "template_fields",
    "content_hash",
    "hash_matches",
    "addenda",
    "awaiting_cosignature",
    "cosignature",
}


def _get(world: World, who: str, path: str) -> ClientResponse:
    token = create_token(
        practice=world.practices["tidewater"], user=world.users[who], days=1, name="t", now=timezone.now()
    ).token
    return HttpClient().get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def signed(world: World) -> tuple[Client, SessionNote, SessionNote]:
    cast = world.cast
    cleo = world.appointments["tidewater"].client
    by = Actor(cast.ana_user, "practitioner")
    note = start_note(make_visit(cast, days_ago=3, client=cleo, status="completed"), by=by, now=timezone.now())
    note = sign_note(
        save_draft(note, complete(note), revision=0, by=by),
        by=by,
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    add_addendum(note, reason="Client called", text="Slept well that night.", by=by, now=timezone.now())
    draft = start_note(make_visit(cast, days_ago=1, client=cleo, status="completed"), by=by, now=timezone.now())
    return cleo, note, draft


def test_the_care_team_reads_the_notes_and_can_verify_each_signature(
    world: World, signed: tuple[Client, SessionNote, SessionNote]
) -> None:
    cleo, note, draft = signed
    listed = _get(world, "practitioner", f"/api/v1/p/tidewater/clients/{cleo.pk}/notes")
    assert listed.status_code == 200
    first, second = listed.json()
    assert (first["note_id"], first["status"], second["note_id"], second["status"]) == (
        note.pk,
        "signed",
        draft.pk,
        "draft",
    )
    content = {k: v for k, v in first.items() if k not in SIGNATURE_KEYS}
    assert content_hash(content) == first["content_hash"] == note.content_hash and first["hash_matches"] is True
    assert [a["text"] for a in first["addenda"]] == ["Slept well that night."]
    one = _get(world, "owner", f"/api/v1/p/tidewater/clients/{cleo.pk}/notes/{note.pk}").json()
    assert one["content_hash"] == note.content_hash and one["subjective"] == complete(note)["subjective"]
    rows = list(AuditEvent.objects.filter(via="api").values_list("object_type", "basis", "actor_id"))
    assert rows == [
        ("session_note_list", "care_team", world.users["practitioner"].pk),
        ("session_note", "owner", world.users["owner"].pk),
    ]


def test_front_desk_and_a_practitioner_outside_the_care_team_get_404_until_break_glass(
    world: World, signed: tuple[Client, SessionNote, SessionNote]
) -> None:
    cleo, note, _draft = signed
    paths = [f"/api/v1/p/tidewater/clients/{cleo.pk}/notes", f"/api/v1/p/tidewater/clients/{cleo.pk}/notes/{note.pk}"]
    for who in ("front_desk", "colleague"):
        for path in paths:
            response = _get(world, who, path)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (who, path)
            assert "Neck stiff" not in response.text
    assert not AuditEvent.objects.filter(via="api").exists()
    now = timezone.now()
    BreakGlass.objects.create(
        practice=world.practices["tidewater"],
        client=cleo,
        user=world.users["colleague"],
        reason="Covering Ana's session today",
        opened_at=now,
        until=now + timedelta(hours=1),
    )
    assert _get(world, "colleague", paths[1]).status_code == 200
    assert AuditEvent.objects.get(via="api").basis == "break_glass"


def test_a_note_of_another_client_or_a_huge_id_is_404(
    world: World, signed: tuple[Client, SessionNote, SessionNote]
) -> None:
    cleo, note, _draft = signed
    hal = world.appointments["harbour"].client
    for path in (
        f"/api/v1/p/tidewater/clients/{hal.pk}/notes/{note.pk}",
        f"/api/v1/p/tidewater/clients/{world.cast.cleo.pk + 1000}/notes/{note.pk}",
        f"/api/v1/p/tidewater/clients/{cleo.pk}/notes/99999999999999999999",
    ):
        response = _get(world, "owner", path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
