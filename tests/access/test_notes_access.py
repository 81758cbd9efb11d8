"""Who reaches the session-note pages: every URL × every role (tests/access/conftest.py) × own practice
/ other practice, with the exact answer and whether the note's text appears.

Clinical content is for owners and the client's care team (here the appointment's practitioner);
a colleague outside the care team gets a 403 that shows nothing; front desk, other practices' staff
and the operator get a 404; anonymous visitors are sent to sign in. Writing and signing are the
session practitioner's; addenda also the owner's. A refused POST changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone
from pypdf import PdfReader

from longtide.audit.trail import Actor
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.notes.models import NoteAddendum, SessionNote
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})

ROLES = [
    "owner",
    "practitioner",
    "colleague",
    "front_desk",
    "student",
    "outsider",
    "two_roles",
    "operator",
    "anonymous",
]
ROLE_IN = {
    "tidewater": {
        "owner": "owner",
        "student": "student",
        "practitioner": "practitioner",
        "colleague": "practitioner",
        "front_desk": "front_desk",
        "two_roles": "front_desk",
    },
    "harbour": {"outsider": "practitioner", "two_roles": "owner"},
}
# Who reads each practice's note: its owners and the session's practitioner (the care team).
READERS = {"tidewater": {"owner", "practitioner"}, "harbour": {"outsider", "two_roles"}}
WRITERS = {"tidewater": {"practitioner"}, "harbour": {"outsider"}}
AMENDERS = {"tidewater": {"owner", "practitioner"}, "harbour": {"outsider", "two_roles"}}
CLINICAL = {"tidewater": {"owner", "practitioner", "colleague", "student"}, "harbour": {"outsider", "two_roles"}}
SECRET = {"tidewater": "Jaw clicks when she yawns", "harbour": "Knee swelling after the run"}


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str  # {practice}, {appointment} (with a signed note), {client}
    ok: int  # the answer for those allowed
    allowed: str  # "read", "write", "amend" or "clinical" (any owner or practitioner)
    data: tuple[tuple[str, str], ...] = ()
    shows_note: bool = False


PAGES = [
    Page("note", "GET", "/staff/{practice}/appointments/{appointment}/note/", 200, "read", shows_note=True),
    Page("note, save", "POST", "/staff/{practice}/appointments/{appointment}/note/", 302, "write", (("plan", "x"),)),
    Page(
        "note, start",
        "POST",
        "/staff/{practice}/appointments/{appointment}/note/",
        302,
        "write",
        (("action", "start"),),
    ),
    Page("sign by GET", "GET", "/staff/{practice}/appointments/{appointment}/note/sign/", 405, "read"),
    Page("sign", "POST", "/staff/{practice}/appointments/{appointment}/note/sign/", 302, "write", (("plan", "x"),)),
    Page("addendum by GET", "GET", "/staff/{practice}/appointments/{appointment}/note/addenda/", 405, "read"),
    Page(
        "addendum",
        "POST",
        "/staff/{practice}/appointments/{appointment}/note/addenda/",
        302,
        "amend",
        (("reason", "Client called"), ("text", "Fine the next day.")),
    ),
    Page("client's notes", "GET", "/staff/{practice}/clients/{client}/notes/", 200, "read", shows_note=True),
    Page("client's notes, search", "GET", "/staff/{practice}/clients/{client}/notes/?q=jaw", 200, "read"),
    Page(
        "note, printable",
        "GET",
        "/staff/{practice}/appointments/{appointment}/note/print/",
        200,
        "read",
        shows_note=True,
    ),
    Page(
        "client's notes, printable",
        "GET",
        "/staff/{practice}/clients/{client}/notes/print/",
        200,
        "read",
        shows_note=True,
    ),
    Page(
        "note, PDF download",
        "GET",
        "/staff/{practice}/appointments/{appointment}/note/pdf/",
        200,
        "read",
        shows_note=True,
    ),
    Page(
        "client's notes, PDF download",
        "GET",
        "/staff/{practice}/clients/{client}/notes/pdf/",
        200,
        "read",
        shows_note=True,
    ),
    Page("client's notes, page 2", "GET", "/staff/{practice}/clients/{client}/notes/?page=2", 200, "read"),
    Page("notes to write", "GET", "/staff/{practice}/notes/", 200, "clinical"),
]


def _signed_visit(world: Any, practice: str) -> Any:
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment

    booked = world.appointments[practice]
    zone = booked.location.zone
    start = datetime.combine(timezone.now().astimezone(zone).date() - timedelta(days=2), time(11), tzinfo=zone)
    appointment = Appointment.objects.create(
        practice=booked.practice,
        location=booked.location,
        service=booked.service,
        practitioner=booked.practitioner,
        room=booked.room,
        client=booked.client,
        start=start,
        end=start + timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + timedelta(hours=1),
        status="completed",
        source="staff",
        manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
        manage_nonce=nonce,
    )
    by = Actor(booked.practitioner.user, "practitioner")
    note = start_note(appointment, by=by, now=timezone.now())
    fields = {
        "consent_confirmed": True,
        "position": "supine",
        "regions": ["head"],
        "style": "biodynamic",
        "subjective": SECRET[practice],
        "assessment": "Settled.",
        "plan": "Two weeks.",
    }
    sign_note(
        save_draft(note, fields, revision=0, by=by), by=by, now=timezone.now(), consents_on_file=TREATMENT_ON_FILE
    )
    return appointment


@pytest.fixture
def noted(world: World) -> dict[str, Any]:
    return {practice: _signed_visit(world, practice) for practice in ("tidewater", "harbour")}


def _client_for(world: Any, who: str) -> HttpClient:
    client = HttpClient()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _pdf_text(response: Any) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _answer(response: Any, secret: str | None) -> tuple[Any, ...]:
    where = ""
    if response.status_code in (301, 302):
        parts = urlsplit(response["Location"])
        where = parts.path
        if "next" in (query := parse_qs(parts.query)):
            where += f" next={query['next'][0]}"
    text = response.content.decode() if response["Content-Type"] != "application/pdf" else _pdf_text(response)
    shown = secret in text if secret is not None else None
    return (response.status_code, where, shown)


def _state() -> tuple[Any, ...]:
    return (list(SessionNote.objects.values().order_by("pk")), NoteAddendum.objects.count())


@pytest.mark.parametrize("practice", ["tidewater", "harbour"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_role_gets_exactly_its_answer_on_a_note_page(
    world: World, noted: dict[str, Any], page: Page, practice: str
) -> None:
    appointment = noted[practice]
    path = page.path.format(practice=practice, appointment=appointment.pk, client=appointment.client_id)
    allowed = {"read": READERS, "write": WRITERS, "amend": AMENDERS, "clinical": CLINICAL}[page.allowed][practice]
    secret = SECRET[practice] if page.shows_note else None
    expected, actual = {}, {}
    for who in ROLES:
        role = ROLE_IN[practice].get(who)
        if who == "anonymous":
            want: tuple[Any, ...] = (302, f"/staff/login/ next={path}", False if secret else None)
        elif role is None or role == "front_desk":
            want = (404, "", False if secret else None)
        elif (
            role == "student" and page.allowed != "clinical"
        ):  # no session with this client: nothing at all, not even a 403
            want = (
                (405, "", None) if getattr(page, "ok", 200) == 405 else (404, "", False if secret else None)
            )  # as if nothing were there
        elif who in allowed:
            target = urlsplit(path).path.split("sign/")[0].split("addenda/")[0] if page.ok == 302 else ""
            want = (page.ok, target, (page.ok == 200) if secret else None)
        elif page.ok == 405:
            want = (405, "", None)  # the method is checked before the care relation
        else:
            want = (403, "", False if secret else None)  # a colleague outside the care team, or a reader only
        expected[who] = want
        before = _state()
        with transaction.atomic():
            client = _client_for(world, who)
            data = dict(page.data)
            response = client.get(path) if page.method == "GET" else client.post(path, data)
            changed = _state() != before
            transaction.set_rollback(True)
        actual[who] = _answer(response, secret)
        if page.method == "POST" and who not in allowed:
            assert not changed, f"{who} changed a note by {page.name}"
    assert actual == expected


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p.ok != 405 and ("{appointment}" in p.path or "{client}" in p.path)],
    ids=lambda p: p.name,
)
def test_a_note_of_another_practice_is_a_404_under_ones_own(world: World, noted: dict[str, Any], page: Page) -> None:
    other = noted["harbour"]
    path = page.path.format(practice="tidewater", appointment=other.pk, client=other.client_id)
    answers = {}
    for who in ROLE_IN["tidewater"]:
        client = _client_for(world, who)
        answers[who] = (client.get(path) if page.method == "GET" else client.post(path, dict(page.data))).status_code
    assert answers == dict.fromkeys(ROLE_IN["tidewater"], 404)
