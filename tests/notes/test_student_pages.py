"""A student's note in the pages and the API: the student writes and signs it, it reads "awaiting
co-signature by <supervisor>", the supervisor finds it on their to-do and co-signs it (once), and the
chart, the print and the API carry the co-signature and its hash. A student sees nothing of clients
outside their own sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import Action, AuditEvent
from longtide.notes.canonical import content_hash
from longtide.notes.models import NoteCosignature, SessionNote
from longtide.tokens.issue import create_token
from tests.notes.students import make_student, student_visit
from tests.notes.test_note_pages import form_data, signed_in, url

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(cast: Cast) -> User:
    return make_student(cast)


@pytest.fixture
def signed_by_sam(cast: Any, sam: Any) -> tuple[Any, SessionNote]:
    appointment = student_visit(cast, sam)
    student = signed_in(sam)
    assert student.post(url(appointment), {"action": "start"}).status_code == 302
    note = SessionNote.objects.get()
    assert student.post(url(appointment, "sign/"), form_data(note)).status_code == 302
    note.refresh_from_db()
    assert note.is_signed and note.cosign_by == cast.ana_user
    return appointment, note


def test_the_student_signs_and_the_note_awaits_the_supervisor(
    cast: Any, sam: Any, signed_by_sam: tuple[Any, SessionNote]
) -> None:
    appointment, _note = signed_by_sam
    page = signed_in(sam).get(url(appointment))
    assert "Signed</strong> by Sam Reed, CST student" in page.text
    assert "Awaiting co-signature by Ana Silva" in page.text and 'id="cosign-button"' not in page.text
    # The student cannot co-sign their own note, by the page or by posting.
    refused = signed_in(sam).post(url(appointment, "cosign/"))
    assert refused.status_code == 403 and not NoteCosignature.objects.exists()
    listed = signed_in(sam).get(f"/staff/tidewater/clients/{appointment.client_id}/notes/")
    assert "awaiting co-signature by Ana Silva" in listed.text


def test_the_supervisor_finds_it_on_their_to_do_and_cosigns_once(
    cast: Any, signed_by_sam: tuple[Any, SessionNote]
) -> None:
    appointment, note = signed_by_sam
    ana = signed_in(cast.ana_user)
    todo = ana.get("/staff/tidewater/notes/")
    assert "Students' notes to co-sign" in todo.text and "Review and co-sign" in todo.text
    assert url(appointment) in todo.text
    owner_todo = signed_in(cast.olga_user).get("/staff/tidewater/notes/")
    assert "Every student's" in owner_todo.text and url(appointment) in owner_todo.text
    page = ana.get(url(appointment))
    assert 'id="cosign-button"' in page.text
    done = ana.post(url(appointment, "cosign/"))
    assert done.status_code == 302
    again = ana.post(url(appointment, "cosign/"), follow=True)  # a double submit
    assert "already co-signed" in again.text and NoteCosignature.objects.count() == 1
    cosignature = NoteCosignature.objects.get()
    page = ana.get(url(appointment))
    assert "Co-signed</strong> by Ana Silva, RCST (supervising practitioner)" in page.text
    assert cosignature.content_hash in page.text and "Awaiting co-signature" not in page.text
    assert "No student's note is waiting" in ana.get("/staff/tidewater/notes/").text
    assert AuditEvent.objects.filter(action=Action.SIGN, object_type="note_cosignature").count() == 1
    # Printed: both signatures and both hashes, audited as a print.
    printed = signed_in(cast.olga_user).get(url(appointment, "print/"))
    assert "Signed</strong> by Sam Reed" in printed.text and "Co-signed</strong> by Ana Silva" in printed.text
    assert note.content_hash in printed.text and cosignature.content_hash in printed.text
    assert "Practitioner impression" in printed.text
    assert AuditEvent.objects.filter(action=Action.PRINT, object_id=note.pk).exists()


def test_only_the_supervisor_or_an_owner_cosigns(cast: Any, signed_by_sam: tuple[Any, SessionNote]) -> None:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner, Role, StaffMembership

    appointment, _note = signed_by_sam
    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw")
    Practitioner.objects.create(practice=cast.tidewater, user=bea, display_name="Bea", slug="bea", style="biodynamic")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    cast.tidewater.shared_care = True  # Bea may read the note, but not co-sign it
    cast.tidewater.save(update_fields=["shared_care"])
    assert signed_in(bea).post(url(appointment, "cosign/")).status_code == 403
    assert signed_in(cast.ben_user).post(url(appointment, "cosign/")).status_code == 404  # front desk
    assert signed_in(cast.dov_user).post(url(appointment, "cosign/")).status_code == 404  # another practice
    assert not NoteCosignature.objects.exists()
    assert signed_in(cast.olga_user).post(url(appointment, "cosign/")).status_code == 302  # an owner may
    assert NoteCosignature.objects.get().cosigner == cast.olga_user


def test_a_practitioners_note_offers_no_cosigning(cast: Any, visit: Any) -> None:
    appointment = visit()
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment), {"action": "start"})
    ana.post(url(appointment, "sign/"), form_data(SessionNote.objects.get()))
    page = signed_in(cast.olga_user).get(url(appointment))
    assert "co-sign" not in page.text.lower()
    refused = signed_in(cast.olga_user).post(url(appointment, "cosign/"), follow=True)
    assert "Only a student&#x27;s signed note is co-signed." in refused.text


def test_a_student_sees_nothing_of_a_client_outside_their_sessions(cast: Any, sam: Any, visit: Any) -> None:
    theirs = visit()  # Cleo with Ana
    student = signed_in(sam)
    for path in (
        url(theirs),
        f"/staff/tidewater/clients/{cast.cleo.pk}/notes/",
        f"/staff/tidewater/clients/{cast.cleo.pk}/chart/",
        f"/staff/tidewater/clients/{cast.cleo.pk}/",
        "/staff/tidewater/calendar/",
        "/staff/tidewater/clients/",
    ):
        response = student.get(path)
        assert response.status_code == 404, path
        assert "Cleo" not in response.text
    # The home page and the navigation lead a student to their sessions' notes, not the calendar.
    home = student.get("/staff/")
    assert "/staff/tidewater/notes/" in home.text and "/staff/tidewater/calendar/" not in home.text
    notes_page = student.get("/staff/tidewater/notes/")
    assert notes_page.status_code == 200 and '/staff/tidewater/calendar/"' not in notes_page.text


def test_the_api_carries_the_cosignature_and_its_hash(cast: Any, signed_by_sam: tuple[Any, SessionNote]) -> None:
    appointment, note = signed_by_sam
    token = create_token(practice=cast.tidewater, user=cast.ana_user, days=1, name="t", now=timezone.now()).token
    api = HttpClient(headers={"Authorization": f"Bearer {token}"})
    path = f"/api/v1/p/tidewater/clients/{appointment.client_id}/notes/{note.pk}"
    waiting = api.get(path).json()
    assert waiting["awaiting_cosignature"] is True and waiting["cosignature"] is None
    assert (waiting["cosign_by_id"], waiting["cosign_by_name"]) == (cast.ana_user.pk, "Ana Silva")
    signed_in(cast.ana_user).post(url(appointment, "cosign/"))
    listed = api.get(f"/api/v1/p/tidewater/clients/{appointment.client_id}/notes").json()
    one = listed[0]
    assert one["awaiting_cosignature"] is False
    co = one["cosignature"]
    assert co["note_hash"] == note.content_hash == one["content_hash"]
    assert co["cosigner_name"] == "Ana Silva" and co["cosigner_credential"] == "RCST" and co["hash_matches"] is True
    hashed = {k: v for k, v in co.items() if k not in ("content_hash", "hash_matches")}
    assert content_hash(hashed) == co["content_hash"] == NoteCosignature.objects.get().content_hash
    signed_keys = {"status", "hash_format", "template_fields", "content_hash", "hash_matches", "addenda"}
    signed_keys |= {"awaiting_cosignature", "cosignature"}
    assert content_hash({k: v for k, v in one.items() if k not in signed_keys}) == note.content_hash
    schema = HttpClient().get("/api/v1/openapi.json").text
    assert "awaiting_cosignature" in schema


def _signed_days_ago(cast: Any, sam: Any, days: int) -> SessionNote:
    from datetime import timedelta

    from longtide.audit.trail import Actor
    from longtide.notes.actions import save_draft, sign_note, start_note
    from tests.notes.conftest import complete

    by = Actor(sam, "student")
    appointment = student_visit(cast, sam, days_ago=days + 1)
    signed = timezone.now() - timedelta(days=days)
    note = start_note(appointment, by=by, now=signed)
    note = save_draft(note, complete(note), revision=0, by=by)
    return sign_note(note, by=by, now=signed, consents_on_file=frozenset({"treatment"}))


def test_the_students_own_notes_awaiting_cosignature_are_on_their_list(
    cast: Any, sam: Any, signed_by_sam: tuple[Any, SessionNote]
) -> None:
    appointment, _note = signed_by_sam
    student = signed_in(sam)
    todo = student.get("/staff/tidewater/notes/")
    assert "Your notes awaiting co-signature" in todo.text and url(appointment) in todo.text
    assert "Ana Silva" in todo.text and "Students' notes to co-sign" not in todo.text
    assert [row.note.pk for row in todo.context["awaiting"]] == [_note.pk]
    assert "Your notes awaiting co-signature" not in signed_in(cast.ana_user).get("/staff/tidewater/notes/").text
    signed_in(cast.ana_user).post(url(appointment, "cosign/"))
    after = student.get("/staff/tidewater/notes/")
    assert "None of your notes is waiting for a co-signature." in after.text and url(appointment) not in after.text


def test_a_cosignature_missing_past_the_practices_days_is_overdue_for_the_supervisor(cast: Any, sam: Any) -> None:
    late = _signed_days_ago(cast, sam, 3)  # the practice's default: overdue after 1 day
    _signed_days_ago(cast, sam, 0)  # signed today: not overdue yet
    ana = signed_in(cast.ana_user)
    todo = ana.get("/staff/tidewater/notes/")
    assert [row.overdue for row in todo.context["to_cosign"]] == [True, False]
    assert todo.context["to_cosign"][0].note.pk == late.pk
    assert "Co-signature overdue (3 days)" in todo.text and "1 overdue." in todo.text
    # The calendar's banner counts it for the supervisor and the owners, not for other practitioners.
    for user in (cast.ana_user, cast.olga_user):
        assert "1 session note is overdue" in signed_in(user).get("/staff/tidewater/calendar/").text
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Role, StaffMembership

    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw-bea-12345")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    assert 'id="overdue-notes"' not in signed_in(bea).get("/staff/tidewater/calendar/").text
    # Not overdue for the student (nothing they can do but ask), and gone once co-signed.
    assert "overdue" not in signed_in(sam).get("/staff/tidewater/notes/").text.lower().split("awaiting-h")[-1]
    cast.tidewater.note_overdue_days = 7
    cast.tidewater.save()
    assert "Co-signature overdue" not in ana.get("/staff/tidewater/notes/").text
    cast.tidewater.note_overdue_days = 1
    cast.tidewater.save()
    ana.post(url(late.appointment, "cosign/"))
    assert 'id="overdue-notes"' not in ana.get("/staff/tidewater/calendar/").text


def test_the_supervisor_named_on_a_note_still_cosigns_it_after_the_student_changes_supervisor(
    cast: Any, sam: Any, signed_by_sam: tuple[Any, SessionNote]
) -> None:
    """The note names who co-signs it (cosign_by, when the student signed); that person keeps the
    reading of that client's chart it needs, as the to-do list that shows them the note promises."""
    from longtide.practice.models import Practitioner, Role, StaffMembership

    appointment, note = signed_by_sam
    bob = get_user_model().objects.create_user("bob", "bob@tidewater.test", "pw-bob-123456")
    Practitioner.objects.create(practice=cast.tidewater, user=bob, display_name="Bob Lee", slug="bob-lee")
    StaffMembership.objects.create(practice=cast.tidewater, user=bob, role=Role.PRACTITIONER)
    StaffMembership.objects.filter(user=sam).update(supervisor=bob)
    ana = signed_in(cast.ana_user)
    assert url(appointment) in ana.get("/staff/tidewater/notes/").text
    page = ana.get(url(appointment))
    assert page.status_code == 200 and 'id="cosign-button"' in page.text
    assert ana.post(url(appointment, "cosign/")).status_code == 302
    assert NoteCosignature.objects.get(note=note).cosigner == cast.ana_user
