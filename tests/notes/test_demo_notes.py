"""The demo's past visits carry signed notes that read like a real clinic's, in honest words."""

from __future__ import annotations

import pytest

from longtide.notes.models import CONTENT_FIELDS, NoteAddendum, NoteCosignature, SessionNote
from longtide.outcomes.wording import banned_wording
from longtide.sampledata.demo import remove_demo, seed_demo
from longtide.sampledata.demo_notes import VISITS
from longtide.sampledata.demo_outcomes import LABEL
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db


def test_past_visits_have_signed_notes_with_valid_hashes_and_one_is_left_to_write() -> None:
    practice = seed_demo()
    # The synthetic outcome cohort's first visits carry their own one-line notes (demo_outcomes.py).
    notes = list(
        SessionNote.objects.filter(practice=practice).exclude(client__last_name=LABEL).select_related("appointment")
    )
    assert len(notes) == sum(1 for visit in VISITS if visit.note) == 12
    assert all(note.is_signed and note.hash_matches() for note in notes)
    # The student's two notes: one co-signed by Maya, one awaiting her.
    kai = sorted((n for n in notes if n.appointment.practitioner.slug == "kai-brennan"), key=lambda n: n.session_date)
    assert [(n.cosign_by_name, n.is_cosigned) for n in kai] == [("Maya Okafor", True), ("Maya Okafor", False)]
    assert kai[0].cosignature.hash_matches() and kai[0].cosignature.cosigner.username == "maya"
    assert all(note.appointment.status == Status.COMPLETED for note in notes)
    assert all(note.signed_by_id == note.appointment.practitioner.user_id for note in notes)
    assert sum(note.late_entry for note in notes) == 1
    assert NoteAddendum.objects.count() == 1
    waiting = Appointment.objects.filter(practice=practice, status=Status.COMPLETED, session_note__isnull=True)
    assert SessionNote.objects.filter(client__last_name=LABEL, signed_at__isnull=False).count() == 22
    # Yesterday's visit, and today's completed one (longtide/sampledata/demo_days.py), wait for notes.
    assert sorted((a.client.first_name, a.practitioner.slug) for a in waiting) == [
        ("Ada", "maya-okafor"),
        ("Tom", "maya-okafor"),
    ]
    # Session numbers count the client's course.
    cleo = sorted(n.session_number for n in notes if n.client.first_name == "Cleo")
    assert cleo == [1, 2, 3, 4]


def test_the_demo_notes_make_no_claims() -> None:
    seed_demo()
    texts = []
    for note in SessionNote.objects.all():
        texts += [str(getattr(note, name)) for name in CONTENT_FIELDS if isinstance(getattr(note, name), str)]
    texts += [a.text for a in NoteAddendum.objects.all()]
    found = {text[:60]: [m for _, m in banned_wording(text)] for text in texts if banned_wording(text)}
    assert found == {}


def test_palpation_findings_are_kept_as_impressions_and_measurements_as_numbers() -> None:
    seed_demo()
    cleo = SessionNote.objects.filter(client__first_name="Cleo").order_by("session_date")
    assert [n.mouth_opening_mm for n in cleo] == [38, 40, 41, 42]
    for note in SessionNote.objects.all():
        assert "rhythm" not in note.objective.lower()  # palpation goes in the impression fields


def test_the_demo_resets_with_its_signed_notes() -> None:
    seed_demo()
    remove_demo()
    assert not SessionNote.objects.exists() and not NoteAddendum.objects.exists()
    assert not NoteCosignature.objects.exists()
    seed_demo()
    assert SessionNote.objects.count() == 12 + 22  # the past visits' notes and the synthetic cohort's
    assert NoteCosignature.objects.count() == 1
