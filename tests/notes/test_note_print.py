"""Printing is audited (issue 10): a printable note and a printable set of a client's notes, all or
one care episode's, each note shown recorded as a print; the client's list of notes comes a page at
a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.measurement.models import Episode
from longtide.notes.actions import save_draft, sign_note, start_note
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
TREATMENT_ON_FILE = frozenset({"treatment"})


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _note(cast: Cast, visit: Any, days_ago: int, words: str, *, sign: bool = True) -> Any:
    ana = Actor(cast.ana_user, "practitioner")
    appointment = visit(days_ago=days_ago)
    note = start_note(appointment, by=ana, now=timezone.now())
    note = save_draft(note, {**complete(note), "subjective": words}, revision=0, by=ana)
    if sign:
        note = sign_note(note, by=ana, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    return note


def test_a_printable_note_is_audited_as_a_print(cast: Cast, visit: Callable[..., Any]) -> None:
    note = _note(cast, visit, 2, "Jaw tight after a dental visit.")
    url = f"/staff/tidewater/appointments/{note.appointment_id}/note/print/"
    page = signed_in(cast.olga_user).get(url)
    assert page.status_code == 200 and "Jaw tight after a dental visit." in page.text
    assert note.content_hash in page.text and 'id="print-help"' in page.text
    printed = AuditEvent.objects.filter(action="print", object_type="session_note", object_id=str(note.pk))
    assert printed.count() == 1 and printed.get().basis == "owner"
    assert (
        'id="print-link"'
        in signed_in(cast.ana_user).get(f"/staff/tidewater/appointments/{note.appointment_id}/note/").text
    )
    assert signed_in(cast.ben_user).get(url).status_code == 404
    other = visit(days_ago=3)
    assert signed_in(cast.ana_user).get(f"/staff/tidewater/appointments/{other.pk}/note/print/").status_code == 404


def test_a_clients_notes_print_in_order_all_or_one_episode(cast: Cast, visit: Callable[..., Any]) -> None:
    first = _note(cast, visit, 30, "First visit: headaches for a year.")
    second = _note(cast, visit, 10, "Second: fewer headaches.")
    third = _note(cast, visit, 2, "Third: a new neck strain.", sign=False)
    url = f"/staff/tidewater/clients/{cast.cleo.pk}/notes/print/"
    page = signed_in(cast.ana_user).get(url)
    assert page.status_code == 200
    assert page.text.index("First visit") < page.text.index("Second: fewer") < page.text.index("Third: a new")
    assert "Draft — not signed" in page.text
    assert AuditEvent.objects.filter(action="print", object_type="session_note").count() == 3

    today = timezone.now().date()
    episode = Episode.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        concern="headache",
        opened_on=first.session_date,
        closed_on=second.session_date,
    )
    later = Episode.objects.create(
        practice=cast.tidewater, client=cast.cleo, concern="neck_back_pain", opened_on=today - timedelta(days=5)
    )
    listing = signed_in(cast.ana_user).get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/")
    assert f"?episode={episode.pk}" in listing.text and f"?episode={later.pk}" in listing.text
    one = signed_in(cast.ana_user).get(url, {"episode": episode.pk})
    assert "First visit" in one.text and "Second: fewer" in one.text and "Third: a new" not in one.text
    assert "episode from" in one.text
    other = signed_in(cast.ana_user).get(url, {"episode": later.pk})
    assert "Third: a new" in other.text and "First visit" not in other.text
    assert AuditEvent.objects.filter(action="print", object_id=str(third.pk)).count() == 2
    for bad in ("abc", "0", "99999999999999999999", str(later.pk + 100)):
        assert signed_in(cast.ana_user).get(url, {"episode": bad}).status_code == 404
    assert signed_in(cast.ben_user).get(url).status_code == 404


def test_the_list_of_notes_comes_a_page_at_a_time(cast: Cast, visit: Callable[..., Any]) -> None:
    for days in range(1, 26):
        _note(cast, visit, days, f"Visit {days} days ago.", sign=False)
    url = f"/staff/tidewater/clients/{cast.cleo.pk}/notes/"
    ana = signed_in(cast.ana_user)
    first = ana.get(url)
    assert len(first.context["notes"]) == 20 and "Notes 1–20 of 25." in first.text
    assert "Visit 25 days ago." in first.text and "Visit 1 days ago." not in first.text
    second = ana.get(url, {"page": "2"})
    assert len(second.context["notes"]) == 5 and "Visit 1 days ago." in second.text
    assert ana.get(url, {"page": "nonsense"}).context["page"].number == 1
    assert ana.get(url, {"page": "999"}).context["page"].number == 2
    searched = ana.get(url, {"q": "Visit 2", "page": "1"})
    assert {n.subjective for n in searched.context["notes"]} >= {"Visit 2 days ago.", "Visit 20 days ago."}
    rows = AuditEvent.objects.filter(object_type="session_note_list").order_by("seq")
    assert [row.detail for row in rows[:2]] == ["20 notes", "5 notes"]
