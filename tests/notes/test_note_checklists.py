"""A practice's own note checklists (issue 10): the owner edits the regions and holds on a settings
page, each save is a new version, new notes use it, and a note keeps the version it was written with
(its ticks, its labels, what its form accepts). Only owners reach the page; bad lists are explained
and what was typed is kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notes import checklists, template
from longtide.notes.models import NoteChecklist, NoteLocked, SessionNote
from tests.notes.test_note_pages import form_data, signed_in, url

pytestmark = pytest.mark.django_db
PAGE = "/staff/tidewater/settings/note-checklists/"
REGIONS = "Feet\nHead\nAbdomen"
HOLDS = "Still point / CV-4\nSacral hold\nFascial unwinding of the arm"


def start(cast: Cast, appointment: Any) -> SessionNote:
    signed_in(cast.ana_user).post(url(appointment), {"action": "start"})
    return SessionNote.objects.get(appointment=appointment)


def test_only_owners_reach_the_page(cast: Cast) -> None:
    assert signed_in(cast.olga_user).get(PAGE).status_code == 200
    for user in (cast.ana_user, cast.ben_user):
        assert signed_in(user).get(PAGE).status_code == 404
    assert signed_in(cast.dov_user).get(PAGE).status_code == 404  # another practice's staff
    assert HttpClient().get(PAGE).status_code == 302  # to sign in


def test_a_new_version_is_used_by_new_notes_and_old_notes_keep_theirs(cast: Cast, visit: Callable[..., Any]) -> None:
    before = start(cast, visit(days_ago=2))
    owner = signed_in(cast.olga_user)
    page = owner.get(PAGE)
    assert "Sacral hold" in page.text and "Pelvic diaphragm release" in page.text  # always on the list

    saved = owner.post(PAGE, {"regions": REGIONS, "holds": HOLDS})
    assert saved.status_code == 302
    (version,) = NoteChecklist.objects.all()
    assert version.version == 1
    assert [key for key, _ in version.holds] == [
        "still_point_cv4",
        "sacral_hold",
        "fascial_unwinding_of_the_arm",
        "pelvic_diaphragm",
    ]
    assert "Saved version 1" in owner.get(PAGE).text

    after = start(cast, visit(days_ago=1))
    assert (after.checklist_id, after.template_key, after.template_version) == (version.pk, "practice", 1)
    assert (before.checklist_id, before.template_key, before.template_version) == (None, "cst", 1)
    ana = signed_in(cast.ana_user)
    new_form = ana.get(url(after.appointment)).text
    assert "Fascial unwinding of the arm" in new_form and "Abdomen" in new_form and "V-spread" not in new_form
    old_form = ana.get(url(before.appointment)).text
    assert "V-spread" in old_form and "Fascial unwinding of the arm" not in old_form

    # The new note accepts its own items and refuses one of the shipped list it does not have.
    data = form_data(after, holds=["fascial_unwinding_of_the_arm"], regions=["abdomen"])
    assert ana.post(url(after.appointment), {**data, "action": "save"}).status_code == 302
    after.refresh_from_db()
    assert after.hold_labels == ["Fascial unwinding of the arm"] and after.region_labels == ["Abdomen"]
    refused = ana.post(url(after.appointment), {**form_data(after, revision=1, holds=["v_spread"]), "action": "save"})
    assert refused.status_code == 422 and "v_spread is not one of the available choices" in refused.text

    # Another version later changes nothing for the note written with version 1.
    owner.post(PAGE, {"regions": "Feet", "holds": "Sacral hold"})
    after.refresh_from_db()
    assert after.hold_labels == ["Fascial unwinding of the arm"] and checklists.current(cast.tidewater).version == 2


def test_the_pelvic_hold_keeps_its_consent_check_in_a_practice_version(cast: Cast, visit: Callable[..., Any]) -> None:
    signed_in(cast.olga_user).post(PAGE, {"regions": REGIONS, "holds": "Sacral hold"})
    note = start(cast, visit(days_ago=1))
    assert "pelvic_diaphragm" in {item.key for item in note.checklist_items.holds}
    ana = signed_in(cast.ana_user)
    ana.post(url(note.appointment), {**form_data(note, holds=["pelvic_diaphragm"]), "action": "save"})
    note.refresh_from_db()
    refused = ana.post(
        url(note.appointment, "sign/"), form_data(note, revision=note.revision, holds=["pelvic_diaphragm"])
    )
    assert refused.status_code == 422 and "pelvic diaphragm" in refused.text.lower()
    note.refresh_from_db()
    assert not note.is_signed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"regions": "Feet\nfeet", "holds": HOLDS}, "“feet” is on the list twice."),
        ({"regions": "", "holds": HOLDS}, "This field is required."),
        ({"regions": "Feet\x00", "holds": HOLDS}, "Null characters are not allowed."),
        ({"regions": "x" * 200, "holds": HOLDS}, "is longer than 80 characters."),
        ({"regions": "x" * 6000, "holds": HOLDS}, "Ensure this value has at most"),
    ],
    ids=["duplicate", "empty", "nul", "long-label", "huge"],
)
def test_bad_lists_are_explained_and_what_was_typed_is_kept(cast: Cast, data: dict[str, Any], message: str) -> None:
    response = signed_in(cast.olga_user).post(PAGE, data)
    assert response.status_code == 422 and message in response.text
    assert "Fascial unwinding of the arm" in response.text  # the holds typed are still there
    assert not NoteChecklist.objects.exists()


def test_saving_the_same_lists_twice_publishes_one_version(cast: Cast) -> None:
    owner = signed_in(cast.olga_user)
    owner.post(PAGE, {"regions": REGIONS, "holds": HOLDS})
    again = owner.post(PAGE, {"regions": REGIONS, "holds": HOLDS}, follow=True)
    assert "Nothing changed." in again.text
    assert NoteChecklist.objects.count() == 1


def test_a_version_is_never_changed(cast: Cast) -> None:
    signed_in(cast.olga_user).post(PAGE, {"regions": REGIONS, "holds": HOLDS})
    version = NoteChecklist.objects.get()
    version.regions = [["feet", "Toes"]]
    with pytest.raises(NoteLocked):
        version.save()
    assert template.SHIPPED.version == 1


def test_both_template_pages_answer_a_publish_with_one_helper() -> None:
    """web/staff/setup/publishing.answer_published: problems under the input `where` names for each
    key (or the key), then None (the page shows them); nothing changed or saved: back to the page."""
    from django import forms
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    from longtide.notes.checklists import Published
    from longtide.notes.models import NoteChecklist
    from longtide.web.staff.setup import note_checklists, note_fields
    from longtide.web.staff.setup.publishing import answer_published

    class TwoInputs(forms.Form):
        regions = forms.CharField(required=False)
        x_jaw__label = forms.CharField(required=False)

    request = RequestFactory().post("/staff/tidewater/settings/note-fields/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    form = TwoInputs({"regions": "Occiput", "x_jaw__label": "Jaw"})
    assert form.is_valid()
    problems = Published(None, {"regions": ["Too many."], "x_jaw": ["Say the unit."]})
    assert answer_published(request, form, problems, "Saved %(version)d", where={"x_jaw": "x_jaw__label"}) is None
    # With `where`, a key it does not name is the form's own problem; without, the key is the input.
    assert form.errors == {"__all__": ["Too many."], "x_jaw__label": ["Say the unit."]}
    form = TwoInputs({"regions": "Occiput"})
    assert form.is_valid() and answer_published(request, form, Published(None, {"regions": ["Too many."]}), "") is None
    assert form.errors == {"regions": ["Too many."]}
    unchanged = answer_published(request, TwoInputs({}), Published(None, unchanged=True), "Saved %(version)d")
    saved = answer_published(request, TwoInputs({}), Published(NoteChecklist(version=4)), "Saved %(version)d")
    assert unchanged is not None and saved is not None and unchanged["Location"] == saved["Location"] == request.path
    assert [str(m) for m in get_messages(request)] == ["Nothing changed.", "Saved 4"]
    for page in (note_fields, note_checklists):
        assert page.answer_published is answer_published
