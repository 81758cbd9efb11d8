"""Review (notes): students' notes and their co-signature. An owner who co-signs is labelled
"(owner)", the student's supervisor "(supervising practitioner)"; a student adds no addenda (an
addendum is not co-signed: their supervisor or an owner writes it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes.actions import cosign_note, save_draft, sign_note, start_note
from longtide.notes.data import note_data
from longtide.notes.models import SessionNote
from longtide.practice.access import may_add_addendum
from tests.notes.conftest import complete
from tests.notes.students import make_student, student_visit

pytestmark = pytest.mark.django_db


def _signed_by_student(cast: Cast) -> tuple[Any, SessionNote]:
    sam = make_student(cast)  # supervised by Ana
    by = Actor(sam, "student")
    note = start_note(student_visit(cast, sam, days_ago=1), by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    note = sign_note(note, by=by, now=timezone.now(), consents_on_file=frozenset({"treatment"}))
    return sam, note


def test_an_owner_who_cosigns_is_not_called_the_supervising_practitioner(cast: Cast) -> None:
    _sam, note = _signed_by_student(cast)
    olga = HttpClient()
    olga.force_login(cast.olga_user)  # the owner, not Sam's supervisor (Ana)
    assert olga.post(f"/staff/tidewater/appointments/{note.appointment_id}/note/cosign/").status_code == 302
    assert SessionNote.objects.get(pk=note.pk).cosignature.cosigner_id == cast.olga_user.pk
    for path in ("note/", "note/print/"):
        page = olga.get(f"/staff/tidewater/appointments/{note.appointment_id}/{path}").content.decode()
        said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
        assert "(supervising practitioner)" not in said, re.findall(r"Co-signed by [^.]*", said)
        assert "(owner)" in said, re.findall(r"Co-signed by [^.]*", said)


def test_the_supervisor_who_cosigns_is_called_the_supervising_practitioner(cast: Cast) -> None:
    _sam, note = _signed_by_student(cast)
    ana = HttpClient()
    ana.force_login(cast.ana_user)  # Sam's supervisor
    assert ana.post(f"/staff/tidewater/appointments/{note.appointment_id}/note/cosign/").status_code == 302
    for path in ("note/", "note/print/"):
        page = ana.get(f"/staff/tidewater/appointments/{note.appointment_id}/{path}").content.decode()
        said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
        assert "(supervising practitioner)" in said and "(owner)" not in said


@pytest.mark.parametrize("cosigned", [True, False], ids=["cosigned", "awaiting"])
def test_a_student_adds_no_addendum_to_their_note(cast: Cast, cosigned: bool) -> None:
    sam, note = _signed_by_student(cast)
    if cosigned:
        cosign_note(note, by=Actor(cast.ana_user, "practitioner"), now=timezone.now())
    student = HttpClient()
    student.force_login(sam)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    assert 'action="' + url + 'addenda/"' not in student.get(url).content.decode()  # no form offered
    answer = student.post(
        url + "addenda/",
        {"reason": "Correction", "text": "Intra-oral work was done after all; the client agreed verbally."},
    )
    assert answer.status_code == 403
    assert "ask your supervisor" in answer.content.decode()
    stored = SessionNote.objects.select_related("cosignature").prefetch_related("addenda").get(pk=note.pk)
    assert not stored.addenda.exists()
    assert note_data(stored)["awaiting_cosignature"] is not cosigned


@pytest.mark.parametrize("who", ["supervisor", "owner"])
def test_the_supervisor_or_an_owner_adds_to_a_students_note(cast: Cast, who: str) -> None:
    _sam, note = _signed_by_student(cast)
    cosign_note(note, by=Actor(cast.ana_user, "practitioner"), now=timezone.now())
    staff = HttpClient()
    staff.force_login(cast.ana_user if who == "supervisor" else cast.olga_user)
    answer = staff.post(
        f"/staff/tidewater/appointments/{note.appointment_id}/note/addenda/",
        {"reason": "Correction", "text": "Intra-oral work was done after all; the client agreed verbally."},
    )
    assert answer.status_code == 302
    stored = SessionNote.objects.prefetch_related("addenda").get(pk=note.pk)
    assert [a.author_id for a in stored.addenda.all()] == [
        cast.ana_user.pk if who == "supervisor" else cast.olga_user.pk
    ]


def test_a_student_may_not_add_addenda_by_rule(cast: Cast) -> None:
    sam, note = _signed_by_student(cast)
    assert not may_add_addendum(sam, cast.tidewater, practitioner_user_id=sam.pk, author_id=sam.pk)
    assert may_add_addendum(
        cast.ana_user, cast.tidewater, practitioner_user_id=sam.pk, author_id=sam.pk, supervisor_id=note.cosign_by_id
    )
