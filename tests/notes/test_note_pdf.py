"""The PDF download of a note and of a client's notes (issue 10): a real PDF, read back with pypdf,
holding what the print page holds (header, consent, SOAP, the impression label, addenda in order,
late entry, signature and hash, co-signature; DRAFT on an unsigned note); for exactly those who may
print, audited as a print with "PDF download" in the row; a neutral file name; never cached; a bad
id is a 404, not a 500. Who gets which answer on both addresses is also in
tests/access/test_notes_access.py (every role)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from pypdf import PdfReader

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.measurement.models import Episode
from longtide.notes.actions import add_addendum, cosign_note, save_draft, sign_note, start_note
from longtide.notes.models import SessionNote
from longtide.web.staff import notes as views
from tests.notes.conftest import complete
from tests.notes.students import make_student, student_visit

pytestmark = pytest.mark.django_db
TREATMENT_ON_FILE = frozenset({"treatment"})


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def pdf_text(response: Any) -> str:
    """The text of every page of a PDF answer, whitespace runs made one space (a line may wrap)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _note(cast: Cast, visit: Callable[..., Any], days_ago: int, words: str, *, sign: bool = True) -> SessionNote:
    ana = Actor(cast.ana_user, "practitioner")
    appointment = visit(days_ago=days_ago)
    note = start_note(appointment, by=ana, now=timezone.now())
    note = save_draft(note, {**complete(note), "subjective": words}, revision=0, by=ana)
    if sign:
        note = sign_note(note, by=ana, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    return note


def _pdf_url(note: SessionNote) -> str:
    return f"/staff/tidewater/appointments/{note.appointment_id}/note/pdf/"


def test_a_signed_note_downloads_as_a_pdf_with_the_print_pages_content(cast: Cast, visit: Callable[..., Any]) -> None:
    cast.cleo.first_name, cast.cleo.last_name = "Zoë", "Ångström"
    cast.cleo.save()
    note = _note(cast, visit, 2, "Jaw tight after a dental visit.\nWorse on waking – better by noon.")
    ana = Actor(cast.ana_user, "practitioner")
    first = add_addendum(note, reason="Client called", text="Slept well that night.", by=ana, now=timezone.now())
    add_addendum(note, reason="Corrected the plan", text="Next visit in three weeks.", by=ana, now=first.written_at)
    response = signed_in(cast.olga_user).get(_pdf_url(note))
    text = pdf_text(response)
    assert response["Content-Disposition"] == f'attachment; filename="session-note-{note.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    # The header, consent check and SOAP, as the print page has them; names and dashes as typed.
    assert "Session note: Zoë Ångström" in text and f"session {note.session_number}" in text
    assert "Ana Silva, RCST" in text and "Willow" in text and "60 minutes" in text
    assert "Consent check" in text and "Ongoing consent: Confirmed" in text
    for heading in ("S — Subjective", "O — Objective", "Treatment", "A — Assessment", "P — Plan"):
        assert heading in text
    assert "Jaw tight after a dental visit. Worse on waking – better by noon." in text
    assert "Practitioner impression — palpation findings, not measurements" in text
    assert "Slow, fuller on the left." in text
    # Signed, late (signed two days after the session), with its hash; the addenda in order.
    assert "Signed by Ana Silva, RCST" in text and note.content_hash in text
    assert "Late entry: session on" in text and "signed on" in text
    assert text.index("Client called") < text.index("Slept well") < text.index("Corrected the plan")
    assert "Reason: Corrected the plan" in text and "DRAFT" not in text
    # Audited as a print, said to be a download.
    printed = AuditEvent.objects.get(action="print", object_type="session_note", object_id=str(note.pk))
    assert printed.detail == "PDF download" and printed.basis == "owner"
    # Linked from the note and from the print page.
    pdf_link = f'href="{_pdf_url(note)}" id="pdf-link"'
    assert pdf_link in signed_in(cast.ana_user).get(f"/staff/tidewater/appointments/{note.appointment_id}/note/").text
    assert pdf_link in signed_in(cast.ana_user).get(_pdf_url(note).replace("/pdf/", "/print/")).text


def test_a_draft_is_marked_draft_on_every_page(cast: Cast, visit: Callable[..., Any]) -> None:
    note = _note(cast, visit, 1, "A long note. " * 600, sign=False)
    reader_text = pdf_text(signed_in(cast.ana_user).get(_pdf_url(note)))
    assert "DRAFT — not signed" in reader_text and "SHA-256" not in reader_text
    response = signed_in(cast.ana_user).get(_pdf_url(note))
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 1 and all("DRAFT — not signed" in page.extract_text() for page in pages)


def test_a_students_note_carries_both_signatures_and_hashes(cast: Cast) -> None:
    sam = make_student(cast)
    appointment = student_visit(cast, sam)
    by = Actor(sam, "student")
    note = start_note(appointment, by=by, now=timezone.now())
    note = save_draft(note, complete(note), revision=0, by=by)
    note = sign_note(note, by=by, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE)
    cosignature = cosign_note(note, by=Actor(cast.ana_user, "practitioner"), now=timezone.now())
    text = pdf_text(signed_in(cast.olga_user).get(f"/staff/tidewater/appointments/{appointment.pk}/note/pdf/"))
    assert "Signed by Sam Reed, CST student" in text and note.content_hash in text
    assert "Co-signed by Ana Silva, RCST (supervising practitioner)" in text and cosignature.content_hash in text


def test_a_clients_notes_download_in_order_all_or_one_episode(cast: Cast, visit: Callable[..., Any]) -> None:
    first = _note(cast, visit, 30, "First visit: headaches for a year.")
    second = _note(cast, visit, 10, "Second: fewer headaches.")
    third = _note(cast, visit, 2, "Third: a new neck strain.", sign=False)
    url = f"/staff/tidewater/clients/{cast.cleo.pk}/notes/pdf/"
    ana = signed_in(cast.ana_user)
    response = ana.get(url)
    text = pdf_text(response)
    assert response["Content-Disposition"] == f'attachment; filename="session-notes-client-{cast.cleo.pk}.pdf"'
    assert text.index("First visit") < text.index("Second: fewer") < text.index("Third: a new")
    assert first.content_hash in text and second.content_hash in text
    # Each note from a new page; only the draft's page is headed DRAFT.
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    starts = [next(i for i, page in enumerate(pages) if words in page) for words in ("First", "Second:", "Third:")]
    assert starts[0] == 0 and starts[0] < starts[1] < starts[2]
    assert "First" not in pages[starts[1]] and "Second:" not in pages[starts[2]]
    assert ["DRAFT — not signed" in page for page in pages] == [i >= starts[2] for i in range(len(pages))]
    rows = AuditEvent.objects.filter(action="print", object_type="session_note", detail="PDF download")
    assert sorted(rows.values_list("object_id", flat=True)) == sorted(str(n.pk) for n in (first, second, third))

    episode = Episode.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        concern="headache",
        opened_on=first.session_date,
        closed_on=second.session_date,
    )
    one = ana.get(url, {"episode": episode.pk})
    text = pdf_text(one)
    assert one["Content-Disposition"].endswith(
        f'filename="session-notes-client-{cast.cleo.pk}-episode-{episode.pk}.pdf"'
    )
    assert "First visit" in text and "Second: fewer" in text and "Third: a new" not in text
    assert "episode from" in text and "DRAFT" not in text
    assert f"/notes/pdf/?episode={episode.pk}" in ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/").text
    assert f"/notes/pdf/?episode={episode.pk}" in ana.get(url.replace("/pdf/", "/print/"), {"episode": episode.pk}).text
    later = Episode.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        concern="neck_back_pain",
        opened_on=timezone.now().date() + timedelta(days=1),
    )
    assert "No session notes in this episode." in pdf_text(ana.get(url, {"episode": later.pk}))
    for bad in ("abc", "0", "99999999999999999999", str(later.pk + 100)):
        assert ana.get(url, {"episode": bad}).status_code == 404


def test_a_bad_id_is_a_404_not_a_500(cast: Cast, visit: Callable[..., Any]) -> None:
    note = _note(cast, visit, 2, "Anything.")
    olga = signed_in(cast.olga_user)
    for path in (
        "/staff/tidewater/appointments/99999999999999999999/note/pdf/",
        "/staff/tidewater/appointments/abc/note/pdf/",
        "/staff/tidewater/appointments/-1/note/pdf/",
        "/staff/tidewater/clients/99999999999999999999/notes/pdf/",
        "/staff/tidewater/clients/abc/notes/pdf/",
        f"/staff/tidewater/appointments/{visit(days_ago=3).pk}/note/pdf/",  # a visit without a note
    ):
        assert olga.get(path).status_code == 404, path
    assert not AuditEvent.objects.filter(action="print").exclude(object_id=str(note.pk)).exists()


def test_a_note_written_with_the_practices_own_fields_downloads_with_them(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    """The PDF follows the note's own template version, as the print page does (no list of fields in
    the PDF code: it lays out the print template)."""
    from tests.notes.test_note_fields import OWN, PAGE, page_data, start
    from tests.notes.test_note_pages import form_data, url

    owner = signed_in(cast.olga_user)
    assert owner.post(PAGE, page_data(owner, **OWN)).status_code == 302
    note = start(cast, visit(days_ago=1))
    signed = signed_in(cast.ana_user).post(
        url(note.appointment, "sign/"),
        form_data(
            note,
            objective="Jaw deviates left on opening.",
            x_mouth_opening_second_measure="31,5",
            x_home_practice_given="Tongue rests on the palate,\ntwice a day.",
            impression_rhythm="Slow and full.",
        ),
    )
    assert signed.status_code == 302
    note.refresh_from_db()
    text = pdf_text(owner.get(_pdf_url(note)))
    assert "Mouth opening, second measure: 31.5 mm (measured)" in text
    assert "Home practice given: Tongue rests on the palate, twice a day." in text
    assert "Practitioner impression — palpation findings" in text and "Cranial rhythm: Slow and full." in text
    assert note.content_hash in text


def test_more_notes_than_one_pdf_holds_lead_to_the_print_page_with_why(
    cast: Cast, visit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client of hundreds of notes would keep a worker laying out PDF pages past its timeout (and
    audit a print of every note for a download that never arrives): past PDF_NOTES_MAX notes the
    download says why and leads to the print page, which has no PDF link then; nothing is audited
    until a page is shown."""
    monkeypatch.setattr(views, "PDF_NOTES_MAX", 1)
    _note(cast, visit, 30, "First visit.")
    _note(cast, visit, 10, "Second visit.")
    ana = signed_in(cast.ana_user)
    url = f"/staff/tidewater/clients/{cast.cleo.pk}/notes/pdf/"
    response = ana.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/tidewater/clients/{cast.cleo.pk}/notes/print/"
    assert not AuditEvent.objects.filter(action="print").exists()
    page = ana.get(response["Location"])
    assert "These are 2 notes, more than one PDF holds (1)" in page.text
    assert "pdf-link" not in page.text
    monkeypatch.setattr(views, "PDF_NOTES_MAX", 2)
    assert "Second visit." in pdf_text(ana.get(url))
