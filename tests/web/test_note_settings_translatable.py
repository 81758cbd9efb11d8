"""The notes' own rules live in Django-free modules (notes/fields.py, notes/template.py): their
messages to the owner (note fields, checklists) and to the practitioner (a measured number) are
written in the caller's language. Under the pseudo catalog of test_public_pages_translatable every
message comes back bracketed, its figures and the typed words inside."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes import checklists, fields, template
from longtide.web.staff.notes_forms import MeasuredNumberField
from tests.web.test_public_pages_translatable import CLOSE, OPEN, pseudo  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pseudo")]


def _all_bracketed(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert message.startswith(OPEN) and message.endswith(CLOSE), message


def test_note_field_problems_come_in_the_active_language(cast: Cast) -> None:
    spec = list(fields.SHIPPED_FIELDS)
    spec[0] = replace(spec[0], label="")
    spec[1] = replace(spec[1], label="Plan")  # the label of another field
    spec[2] = replace(spec[2], help="x" * (fields.HELP_MAX + 1))
    spec[3] = replace(spec[3], label="CST cures headaches")
    spec.append(fields.Field("x_jaw", "objective", "Jaw opening", kind=fields.NUMBER))
    done = checklists.publish_fields(cast.tidewater, tuple(spec), by=Actor.system(), now=timezone.now())
    assert done.checklist is None
    found = [message for messages in done.problems.values() for message in messages]
    _all_bracketed(found)
    assert len(found) == 5
    assert any("“Plan”" in message for message in found)
    assert any(str(fields.HELP_MAX) in message for message in found)
    # The reason a wording is refused is translated too, inside the message.
    assert any(f"({OPEN}cure claim{CLOSE})" in message for message in found)


def test_checklist_problems_come_in_the_active_language(cast: Cast) -> None:
    too_long = "a" * (template.LABEL_MAX + 1)
    done = checklists.publish(
        cast.tidewater, regions=f"Neck\nneck\n{too_long}", holds="", by=Actor.system(), now=timezone.now()
    )
    found = done.problems["regions"]
    _all_bracketed(found)
    assert any("“neck” is on the list twice." in message for message in found)
    none_left = template.parse_items("", (), what="region")[1]
    assert none_left == ["Keep at least one region on the list."]  # English when no language is given


def test_a_measured_number_refused_in_the_active_language() -> None:
    with pytest.raises(ValidationError) as refused:
        MeasuredNumberField(required=False).clean("thirty")
    _all_bracketed(list(refused.value.messages))
    assert fields.parse_number("1.234")[1] == "Use at most two decimals."


def test_a_refused_message_wording_comes_in_the_active_language() -> None:
    from longtide.notifications.compose import problems
    from longtide.scheduling.message_texts import KINDS

    found = problems(KINDS[0], subject="", body="Hello {{ nobody }} {% if %}\x01" + "x" * 5000)
    messages = [message for listed in found.values() for message in listed]
    _all_bracketed(messages)
    assert len(messages) == 5
    assert any("{{ nobody }}" in message for message in messages)
    assert any("{% or %}" in message for message in messages)


def test_the_note_fields_page_shows_the_shipped_names_in_the_active_language(cast: Cast) -> None:
    """The page's parts of the note, each built-in field's name (its legend) and the kinds of an own
    field are the shipped template's words, not the practice's: they come in the owner's language.
    What the owner typed (each label input's value) stays as stored."""
    from django.test import Client as HttpClient

    owner = HttpClient()
    owner.force_login(cast.olga_user)
    page = owner.get("/staff/tidewater/settings/note-fields/").content.decode()
    for words in ("O — Objective", "Mouth opening (mm)", "Free text", "Measured number with a unit"):
        assert f"{OPEN}{words}{CLOSE}" in page, words
    assert 'value="Mouth opening (mm)"' in page
