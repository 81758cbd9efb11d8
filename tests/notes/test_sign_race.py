"""Review (notes): "Sign and lock" saved the page and signed it in two transactions, and a save from
the same page (its autosave, sent before the button was pressed and still on its way: the browser
drops the answer, not the request) was let in between them whatever revision it carried. The note
was then signed with the older text, not the text on the page that was signed. Now the page's text
is saved and signed in one transaction under the note's lock (sign_note(changes=...)), and a request
from a page that is older than that page's last save is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes import actions
from longtide.notes.actions import NoteConflict, save_draft, start_note
from longtide.notes.models import SessionNote
from longtide.web.staff import notes as views
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
EDITOR = "0123456789abcdef"
SIGNED_PLAN = "Next session in two weeks; refer to GP about the headaches."


def _form(note: SessionNote, revision: int, plan: str) -> dict[str, Any]:
    data = {**complete(note), "plan": plan, "style": "biodynamic", "session_number": "1", "guardian": "not_a_minor"}
    data.update(revision=str(revision), editor=EDITOR)
    data["consent_confirmed"] = "on"
    data["pain_nrs"] = "4"
    return data


def test_an_autosave_arriving_after_the_sign_is_refused_and_the_posted_text_is_signed(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    # The page's earlier autosave (revision 0, the plan as it was a moment before) reaches another
    # worker while the sign is under way: it waits for the note's lock, which the sign holds from its
    # save to its signature, and then finds the note signed.
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    assert page.post(url + "sign/", _form(note, 0, SIGNED_PLAN)).status_code == 302
    late = page.post(url, _form(note, 0, "Next session in two"), headers={"HX-Request": "true"})
    assert late.status_code == 409
    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.is_signed and stored.plan == SIGNED_PLAN and stored.hash_matches()


def test_an_autosave_arriving_as_the_sign_begins_is_not_what_gets_signed(
    cast: Cast, visit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The review's case: the autosave lands as the sign request is handled (before, it could land
    # between the sign's save and its signature, and the older text was signed).
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    real_sign = views.sign_note  # type: ignore[attr-defined]  # the name the view calls
    late_answers: list[int] = []

    def autosave_arrives_then_sign(saved: SessionNote, **kwargs: Any) -> SessionNote:
        late = page.post(url, _form(note, 0, "Next session in two"), headers={"HX-Request": "true"})
        late_answers.append(late.status_code)
        return real_sign(saved, **kwargs)

    monkeypatch.setattr(views, "sign_note", autosave_arrives_then_sign)
    assert page.post(url + "sign/", _form(note, 0, SIGNED_PLAN)).status_code == 302
    assert late_answers == [200]  # it landed first; the sign's save, from the same page, replaced it
    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.is_signed and stored.plan == SIGNED_PLAN and stored.hash_matches()


def test_an_autosave_between_the_signs_save_and_its_signature_is_refused(
    cast: Cast, visit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Played inside the sign's transaction (the same connection, so not kept out by the lock as
    # another worker would be): the sign's save was the page's submission, and the older autosave
    # from that page is refused rather than written over it.
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    real_sign = actions._sign_locked
    late_answers: list[int] = []

    def autosave_between(locked: SessionNote, **kwargs: Any) -> None:
        late = page.post(url, _form(note, 0, "Next session in two"), headers={"HX-Request": "true"})
        late_answers.append(late.status_code)
        real_sign(locked, **kwargs)

    monkeypatch.setattr(actions, "_sign_locked", autosave_between)
    assert page.post(url + "sign/", _form(note, 0, SIGNED_PLAN)).status_code == 302
    assert late_answers == [409]
    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.is_signed and stored.plan == SIGNED_PLAN and stored.hash_matches()


def test_nothing_lands_between_the_signs_save_and_its_signature(cast: Cast, visit: Callable[..., Any]) -> None:
    # What the sign saves is what it signs: save and signature are one transaction under the lock.
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    # The autosave reached the server first (revision 0 -> 1); the button, sent with revision 0
    # while that answer was on its way, is the newer text and is signed.
    assert page.post(url, _form(note, 0, "Next session in two"), headers={"HX-Request": "true"}).status_code == 200
    assert page.post(url + "sign/", _form(note, 0, SIGNED_PLAN)).status_code == 302
    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.is_signed and stored.plan == SIGNED_PLAN and stored.hash_matches()


def test_a_sign_refused_keeps_what_was_posted_as_the_draft(cast: Cast, visit: Callable[..., Any]) -> None:
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    data = {**_form(note, 0, SIGNED_PLAN), "assessment": ""}
    answer = page.post(url + "sign/", data)
    assert answer.status_code == 422
    stored = SessionNote.objects.get(pk=note.pk)
    assert not stored.is_signed and stored.plan == SIGNED_PLAN and stored.revision == 1
    # The page shown again carries the stored revision: its next save goes through.
    assert answer.context["form"].data["revision"] == "1"
    assert page.post(url, _form(note, 1, SIGNED_PLAN + " Later."), headers={"HX-Request": "true"}).status_code == 200


def test_an_autosave_older_than_the_pages_own_save_draft_does_not_overwrite_it(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    page = HttpClient()
    page.force_login(cast.ana_user)
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/"
    # "Save draft" (revision 0) reaches the server before the autosave sent just before it.
    assert page.post(url, _form(note, 0, SIGNED_PLAN)).status_code == 302
    late = page.post(url, _form(note, 0, "Next session in two"), headers={"HX-Request": "true"})
    assert late.status_code == 409
    assert SessionNote.objects.get(pk=note.pk).plan == SIGNED_PLAN


def test_the_same_page_may_not_write_with_a_revision_older_than_its_last_save(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit(days_ago=0), by=ana, now=timezone.now())
    note = save_draft(note, {"plan": "one"}, revision=0, by=ana, editor=EDITOR)
    note = save_draft(note, {"plan": "two"}, revision=1, by=ana, editor=EDITOR)
    # Its own autosave still on its way back (the revision before the stored one): accepted.
    note = save_draft(note, {"plan": "three"}, revision=1, by=ana, editor=EDITOR)
    assert note.revision == 3
    # A request from before its last save (revision 1 < 2): refused, nothing overwritten.
    with pytest.raises(NoteConflict):
        save_draft(note, {"plan": "two again"}, revision=1, by=ana, editor=EDITOR)
    assert SessionNote.objects.get(pk=note.pk).plan == "three"
