"""Review (notes): a client's notes are searchable in a practice's own fields (docs/notes.md), but a
word with an accent or any non-ASCII letter typed in such a field is never found on SQLite (the
field's JSON text is stored with \\u escapes). The query is now written as the stored JSON text
writes it (web/staff/notes._as_in_json_text), on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes import checklists, fields
from longtide.notes.actions import save_draft, sign_note, start_note
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("word", ["Kiefergelenk", "Kiefergelënk", "Ζεστό", "顎", "Übung", '"ah"', "back\\slash"])
def test_a_word_in_a_practices_own_field_is_found_by_the_notes_search(
    cast: Cast, visit: Callable[..., Any], word: str
) -> None:
    olga, ana = Actor(cast.olga_user, "owner"), Actor(cast.ana_user, "practitioner")
    own = fields.Field(key="x_home", section="plan", label="Home exercise", kind=fields.TEXT)
    published = checklists.publish_fields(cast.tidewater, (*fields.SHIPPED_FIELDS, own), by=olga, now=timezone.now())
    assert published.checklist is not None, published.problems
    note = start_note(visit(days_ago=1), by=ana, now=timezone.now())
    note = save_draft(
        note,
        {**complete(note), "extra": {"x_home": f"Übung: {word} lockern" + ' (say "ah", back\\slash)'}},
        revision=0,
        by=ana,
    )
    sign_note(note, by=ana, now=timezone.now(), consents_on_file=frozenset({"treatment"}))
    page = HttpClient()
    page.force_login(cast.ana_user)
    found = page.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/", {"q": word})
    assert found.status_code == 200
    assert found.context["notes"] == [note], f"{word!r} not found"


def test_an_ascii_query_is_searched_as_typed() -> None:
    # PostgreSQL runs the same query as before for a plain word (no slower); SQLite too.
    from longtide.web.staff.notes import _as_in_json_text

    assert _as_in_json_text("palate exercise 2x") == "palate exercise 2x"
