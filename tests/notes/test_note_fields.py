"""A practice's own note fields (issue 10: "a practice can keep its own note templates (fields and
checklists as versioned data); a note records the template version it was written with"). The owner
renames, hides, requires and adds fields on a settings page; each save is a new version of the
practice's template; a note's form, its signing rules, its reading and printed pages, the API and its
signed hash all use the note's own version. The consent check and the practitioner-impression
labelling cannot be removed, and notes signed before keep verifying."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.notes import fields
from longtide.notes.canonical import HASH_FORMAT, HASH_FORMAT_FIELDS, HASH_FORMAT_LISTS, content_hash
from longtide.notes.models import NoteChecklist, SessionNote
from longtide.tokens.issue import create_token
from tests.notes.test_note_pages import form_data, signed_in, url

pytestmark = pytest.mark.django_db
PAGE = "/staff/tidewater/settings/note-fields/"
CHECKLISTS = "/staff/tidewater/settings/note-checklists/"
TREATMENT_ON_FILE = frozenset({"treatment"})


def page_data(owner: HttpClient, **changes: Any) -> dict[str, Any]:
    """What the settings page posts when nothing is touched, with `changes` (None/False: unticked or empty)."""
    form = owner.get(PAGE).context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is None or value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


OWN = {
    "objective__label": "What I saw",
    "since_last__shown": False,
    "pain_nrs__required": True,
    "impression_rhythm__label": "Cranial rhythm",
    "extra_0__label": "Mouth opening, second measure",
    "extra_0__kind": "number",
    "extra_0__unit": "mm",
    "extra_0__section": "objective",
    "extra_0__required": True,
    "extra_1__label": "Home practice given",
    "extra_1__kind": "text",
    "extra_1__section": "plan",
}


def start(cast: Cast, appointment: Any) -> SessionNote:
    signed_in(cast.ana_user).post(url(appointment), {"action": "start"})
    return SessionNote.objects.select_related("checklist").get(appointment=appointment)


def sign_shipped(cast: Cast, appointment: Any) -> SessionNote:
    note = start(cast, appointment)
    assert signed_in(cast.ana_user).post(url(appointment, "sign/"), form_data(note)).status_code == 302
    return SessionNote.objects.get(pk=note.pk)


def test_only_owners_reach_the_page(cast: Cast) -> None:
    assert signed_in(cast.olga_user).get(PAGE).status_code == 200
    for user in (cast.ana_user, cast.ben_user, cast.dov_user):
        assert signed_in(user).get(PAGE).status_code == 404
    assert HttpClient().get(PAGE).status_code == 302


def test_a_new_version_shapes_new_notes_and_old_notes_keep_theirs(cast: Cast, visit: Callable[..., Any]) -> None:
    old_signed = sign_shipped(cast, visit(days_ago=3))
    old_hash = old_signed.content_hash
    before = start(cast, visit(days_ago=2))
    owner = signed_in(cast.olga_user)
    saved = owner.post(PAGE, page_data(owner, **OWN))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    (version,) = NoteChecklist.objects.all()
    assert version.version == 1 and version.fields is not None
    assert "Saved version 1" in owner.get(PAGE).text
    # The checklists stayed the shipped ones; publishing new lists later keeps these fields.
    assert version.holds[0][0] == "listening_stations"

    after = start(cast, visit(days_ago=1))
    assert (after.checklist_id, after.template_key, after.template_version) == (version.pk, "practice", 1)
    ana = signed_in(cast.ana_user)
    page = ana.get(url(after.appointment)).text
    assert "What I saw" in page and "Mouth opening, second measure (mm)" in page and "Home practice given" in page
    assert 'name="since_last"' not in page
    assert "Cranial rhythm" in page and fields.IMPRESSION_HELP in page  # still labelled an impression
    assert "Practitioner impressions" in page and 'name="consent_confirmed"' in page  # the fixed parts
    old_page = ana.get(url(before.appointment)).text
    assert 'name="since_last"' in old_page and "What I saw" not in old_page and "Home practice" not in old_page

    # Signing asks for what this version requires, with the practice's own labels; the draft is kept.
    refused = ana.post(url(after.appointment, "sign/"), form_data(after, pain_nrs=None))
    assert refused.status_code == 422
    assert "Fill in “Pain today (0–10, client&#x27;s rating)”" in refused.text
    assert "Fill in “Mouth opening, second measure”" in refused.text
    bad_number = ana.post(
        url(after.appointment),
        {**form_data(after, revision=1), "x_mouth_opening_second_measure": "lots", "action": "save"},
    )
    assert (
        bad_number.status_code == 422
        and "Enter a number, e.g. 32 or 32.5." in bad_number.text
        and "lots" in bad_number.text
    )
    after.refresh_from_db()
    signed = ana.post(
        url(after.appointment, "sign/"),
        form_data(
            after,
            revision=after.revision,
            objective="Jaw deviates left on opening.",
            x_mouth_opening_second_measure="31,5",
            x_home_practice_given="Tongue rests on the palate, twice a day.",
        ),
    )
    assert signed.status_code == 302
    note = SessionNote.objects.select_related("checklist").get(pk=after.pk)
    # Signed since v3: its own fields (v2's keys) and its lists' labels (v3) in the signed content.
    assert note.is_signed and note.hash_format == HASH_FORMAT_LISTS and note.hash_matches()
    assert note.extra == {
        "x_mouth_opening_second_measure": "31.5",
        "x_home_practice_given": "Tongue rests on the palate, twice a day.",
    }
    content = note.content()
    assert content["extra"] == note.extra and content["fields_template"] == fields.spec_hash(note.field_spec)
    assert "region_labels" in content and "hold_labels" in content
    assert (
        content_hash(content, fmt=HASH_FORMAT_LISTS)
        == note.content_hash
        != content_hash(content, fmt=HASH_FORMAT_FIELDS)
    )

    # Read, printed and in the API with its own version's labels and fields.
    for response in (ana.get(url(note.appointment)), signed_in(cast.olga_user).get(url(note.appointment, "print/"))):
        assert response.status_code == 200
        text = response.text
        assert "Mouth opening, second measure:</strong> 31.5 mm (measured)" in text
        assert "Home practice given:</strong> Tongue rests on the palate" in text
        assert "Cranial rhythm" in text and "Practitioner impression" in text
    token = create_token(practice=cast.tidewater, user=cast.ana_user, days=1, name="t", now=timezone.now()).token
    api = HttpClient(headers={"Authorization": f"Bearer {token}"})
    listed = {row["note_id"]: row for row in api.get(f"/api/v1/p/tidewater/clients/{cast.cleo.pk}/notes").json()}
    one = listed[note.pk]
    assert one["hash_format"] == HASH_FORMAT_LISTS and one["hash_matches"] is True
    assert {"key": "x_home_practice_given", "section": "plan"}.items() <= one["template_fields"][-1].items()
    outside = {"status", "hash_format", "template_fields", "content_hash", "hash_matches", "addenda"}
    outside |= {"awaiting_cosignature", "cosignature"}
    hashed = {k: v for k, v in one.items() if k not in outside}
    assert content_hash(hashed, fmt=one["hash_format"]) == note.content_hash

    # The client's notes list finds it by what was typed in an own field.
    found = ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/", {"q": "PALATE"})
    assert [n.pk for n in found.context["notes"]] == [note.pk]

    # The record export (an access request) carries the values and the fields they were written with.
    exported = signed_in(cast.olga_user).get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/export/").text
    assert "x_home_practice_given: Tongue rests on the palate" in exported and "Home practice given" in exported

    # The note signed before any practice fields still verifies, in the v1 form, everywhere.
    old = SessionNote.objects.get(pk=old_signed.pk)
    assert old.content_hash == old_hash and old.hash_matches() and old.hash_format == HASH_FORMAT
    assert "extra" not in old.content() and "fields_template" not in old.content()
    assert listed[old.pk]["hash_format"] == HASH_FORMAT and listed[old.pk]["hash_matches"] is True
    old_api = {k: v for k, v in listed[old.pk].items() if k not in outside}
    assert content_hash(old_api) == old_hash

    # A later version (new lists) keeps these fields and changes nothing for the note above.
    owner.post(CHECKLISTS, {"regions": "Feet\nHead", "holds": "Sacral hold"})
    assert NoteChecklist.objects.get(version=2).fields == version.fields
    owner.post(PAGE, page_data(owner, **{"objective__label": "Observed"}))
    assert NoteChecklist.objects.get(version=3).fields != version.fields
    assert SessionNote.objects.get(pk=note.pk).hash_matches()
    assert "Observed" not in ana.get(url(note.appointment)).text


def test_a_note_signed_with_practice_lists_only_is_v1_content_with_the_labels(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    # v3 (tests/notes/test_checklist_versions_locked.py): v1's keys and the ticked items' labels; a
    # note signed before v3 existed (no signed_format) keeps the v1 form and its hash.
    holds = "Still point / CV-4\nOccipital cranial base release"
    signed_in(cast.olga_user).post(CHECKLISTS, {"regions": "Neck\nHead\nSacrum", "holds": holds})
    note = sign_shipped(cast, visit(days_ago=1))
    assert note.has_own_fields is False and note.hash_format == HASH_FORMAT_LISTS and note.hash_matches()
    content = note.content()
    assert "extra" not in content and "fields_template" not in content
    assert note.content_hash == content_hash(content, fmt=HASH_FORMAT_LISTS)
    note.signed_format = None
    assert note.hash_format == HASH_FORMAT and "region_labels" not in note.content()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"objective__label": "Assessment"}, "is already the label of another field"),
        ({"extra_0__label": "Jaw angle", "extra_0__kind": "number"}, "Say the unit of the number"),
        ({"assessment__help": "Note how CST cured the headache."}, "is not wording a note may use"),
        ({"pain_nrs__shown": False, "pain_nrs__required": True}, "A hidden field cannot be required to sign"),
        ({"plan__label": ""}, "This field is required."),
        ({"extra_1__label": "Jaw\x00"}, "Null characters are not allowed."),
        ({"extra_1__label": "x" * 200}, "Ensure this value has at most 80 characters"),
        ({"impression_rhythm__label": "Rhythm (measured)"}, "an impression is not a measurement"),
        ({"impression_still_points__label": "Still points ( Measured )."}, "is not a measurement"),
        ({"extra_1__label": "Home practice (measured)"}, "ends the label of a measured number only"),
        ({"objective__label": "Observations (measured)"}, "ends the label of a measured number only"),
    ],
    ids=[
        "duplicate",
        "no-unit",
        "claim",
        "hidden-required",
        "empty",
        "nul",
        "long",
        "impression-measured",
        "impression-measured-spaced",
        "text-measured",
        "builtin-measured",
    ],
)
def test_bad_fields_are_explained_and_what_was_typed_is_kept(cast: Cast, changes: dict[str, Any], message: str) -> None:
    owner = signed_in(cast.olga_user)
    response = owner.post(PAGE, page_data(owner, **{"extra_0__label": "Kept label typed", **changes}))
    assert response.status_code == 422 and message in response.text
    if "extra_0__label" not in changes:
        assert "Kept label typed" in response.text
    assert not NoteChecklist.objects.exists()


def test_a_renamed_impression_keeps_what_was_typed_and_measured_fields_may_say_measured(cast: Cast) -> None:
    owner = signed_in(cast.olga_user)
    typed = {"impression_rhythm__label": "Rhythm (measured)", "extra_1__label": "Home practice given"}
    response = owner.post(PAGE, page_data(owner, **typed))
    assert response.status_code == 422 and not NoteChecklist.objects.exists()
    assert 'value="Rhythm (measured)"' in response.text and 'value="Home practice given"' in response.text
    measured = {
        "mouth_opening_mm__label": "Mouth opening (measured)",
        "extra_0__label": "Jaw angle (measured)",
        "extra_0__kind": "number",
        "extra_0__unit": "degrees",
    }
    assert owner.post(PAGE, page_data(owner, **measured)).status_code == 302
    assert NoteChecklist.objects.count() == 1


def test_saving_the_same_fields_twice_publishes_one_version(cast: Cast) -> None:
    owner = signed_in(cast.olga_user)
    assert "Nothing changed." in owner.post(PAGE, page_data(owner), follow=True).text
    assert not NoteChecklist.objects.exists()
    owner.post(PAGE, page_data(owner, **OWN))
    assert "Nothing changed." in owner.post(PAGE, page_data(owner), follow=True).text
    assert NoteChecklist.objects.count() == 1


def test_the_fixed_parts_cannot_be_taken_out_by_stored_data() -> None:
    spec = fields.from_data(
        [
            {"key": "consent_confirmed", "shown": False},  # not a template field: ignored
            {"key": "impression_rhythm", "label": "Rhythm", "impression": False, "section": "plan"},
            {"key": "assessment", "shown": False},
            {"key": "x_depth", "kind": "script", "label": "Depth"},  # an unknown kind: ignored
        ]
    )
    keys = [f.key for f in spec]
    assert "consent_confirmed" not in keys and "x_depth" not in keys
    rhythm = next(f for f in spec if f.key == "impression_rhythm")
    assert rhythm.impression and rhythm.section == "objective"
    assert next(f for f in spec if f.key == "assessment").shown
    assert {f.key for f in spec} >= {f.key for f in fields.SHIPPED_FIELDS}


@pytest.mark.parametrize(
    ("typed", "stored", "problem"),
    [("32", "32", None), ("31,5", "31.5", None), ("-2.25", "-2.25", None), ("1.234", None, "two decimals")],
)
def test_measured_numbers(typed: str, stored: str | None, problem: str | None) -> None:
    value, found = fields.parse_number(typed)
    assert value == stored and (found is None if problem is None else problem in (found or ""))


def test_the_measured_mark_on_a_read_number_is_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    # The mark on a measured value is the same catalogue message as the one closing the labels
    # (fields.MEASURED_MARK), said in the reader's language, not English text glued on.
    from longtide.notes import models

    number = fields.Field(key="x_gap", section="objective", label="Gap", kind=fields.NUMBER, unit="mm")
    note = SessionNote(extra={"x_gap": "12"})
    monkeypatch.setattr(SessionNote, "field_spec", property(lambda self: [number]))
    monkeypatch.setattr(models, "gettext", lambda message: {"(measured)": "(gemessen)"}.get(message, message))
    assert note.extra_rows["objective"] == [("Gap", "12 mm (gemessen)")]
