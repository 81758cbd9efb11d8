"""The demo clinic's synthetic outcome cohort: made-up clients, clearly labelled ("Synthetic
cohort" as their last name, a note on each), so the charts and the practice report show something
realistic and not flattering: some improve, some stay within noise, some get worse, some never
answer the follow-up, one has no baseline.

Neck-pain episodes (NPRS, MCID 2 points and 30 %) started 100–190 days ago, with baseline, week-6
and week-12 answers; headache-diary episodes with a 28-day baseline and weeks of diary (days
filled at random, some clients below the 80 % needed). Rows are written directly (no emails), with
scores computed by outcomes/scoring.py as the client's own answers would be. Each client has one
completed first visit with a short signed note saying it is synthetic (so the practitioner is in
their care team and the demo's "notes to write" stays short); later visits are not invented.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from longtide.audit.models import Via
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.measurement.models import DiaryEntry, Episode, Response
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.outcomes import instruments
from longtide.outcomes.scoring import Scored, score
from longtide.practice.models import Practice, Practitioner, Room
from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
from longtide.scheduling.models import OCCUPYING, Appointment, Source, Status

LABEL = "Synthetic cohort"
SEED = 12

# name, days before today the first visit was, baseline, week 6, week 12 ("-": not answered)
NECK = """
N01 190 7 5 3
N02 186 8 7 6
N03 181 6 4 4
N04 177 5 5 6
N05 172 9 - -
N06 168 4 2 1
N07 163 7 7 9
N08 158 2 1 0
N09 154 6 5 -
N10 149 8 6 4
N11 145 5 4 5
N12 140 7 - 4
N13 135 6 6 8
N14 130 3 - -
N15 120 - 5 -
N16 105 6 3 -"""
# name, days before today the first visit was, headache days a week at baseline, then at the end, share filled
HEADACHE = [
    ("H01", 150, 3.0, 1.0, 0.95),
    ("H02", 145, 2.0, 2.0, 0.9),
    ("H03", 138, 4.0, 1.5, 0.97),
    ("H04", 130, 1.5, 2.5, 0.92),
    ("H05", 125, 3.0, 2.5, 0.6),  # too few days filled: no monthly figures
    ("H06", 118, 2.5, 0.5, 0.88),
]


NOTE = {
    "consent_confirmed": True,
    "position": "supine",
    "regions": ["head"],
    "subjective": "Synthetic cohort: a made-up first visit for the outcome demo.",
    "assessment": "Synthetic.",
    "plan": "Synthetic.",
}


def _visit(
    practice: Practice, client: Client, day: date, slot: int, people: list[Practitioner], rooms: list[Room]
) -> Appointment | None:
    location = practice.locations.get()
    start = datetime.combine(day, time(7, 0), tzinfo=location.zone) + timedelta(minutes=35 * (slot % 22))
    end = start + timedelta(minutes=30)
    person = people[slot % len(people)]
    room = rooms[slot % len(rooms)]
    busy = Appointment.objects.filter(
        status__in=OCCUPYING, blocked_start__lt=end, blocked_end__gt=start, practice=practice
    ).filter(Q(practitioner=person) | Q(room=room))
    if busy.exists():
        return None
    service = practice.services.order_by("sort_order").first()
    assert service is not None
    appointment = Appointment.objects.create(
        practice=practice,
        location=location,
        service=service,
        practitioner=person,
        room=room,
        client=client,
        booked_first_name=client.first_name,
        booked_last_name=client.last_name,
        booked_email=client.email,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=Status.COMPLETED,
        source=Source.STAFF,
        manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
        manage_nonce=nonce,
        time_set_at=start - timedelta(days=7),
    )
    if person.user is not None:
        by = Actor(person.user, "practitioner", via=Via.COMMAND)
        note = start_note(appointment, by=by, now=timezone.now())
        note = save_draft(note, {"style": person.style, **NOTE}, revision=None, by=by)
        sign_note(note, by=by, now=end + timedelta(minutes=15))
    return appointment


def _client(practice: Practice, name: str) -> Client:
    return Client.objects.create(
        practice=practice, first_name=name, last_name=LABEL, email=f"{name.lower()}.synthetic@example.invalid"
    )


def seed_outcomes(practice: Practice) -> int:
    """Write the synthetic cohort (call once, when the demo is first seeded); return the episodes made."""
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    location = practice.locations.get()
    today = timezone.now().astimezone(location.zone).date()
    now = timezone.now()
    people = list(practice.practitioners.order_by("sort_order"))
    rooms = list(location.rooms.order_by("sort_order"))
    nprs = instruments.get("nprs_pain")
    diary = instruments.get("headache_diary")
    made = 0
    responses = []
    for slot, line in enumerate(NECK.strip().splitlines()):
        name, ago, base, wk6, wk12 = line.split()
        start = today - timedelta(days=int(ago))
        client = _client(practice, name)
        episode = Episode.objects.create(
            practice=practice, client=client, concern="neck_back_pain", primary_instrument="nprs_pain", opened_on=start
        )
        made += 1
        _visit(practice, client, start, slot, people, rooms)
        for offset, value, timepoint in ((-3, base, "baseline"), (42, wk6, "week_6"), (84, wk12, "week_12")):
            if value == "-":
                continue
            result = score(nprs, {"rating": int(value)})
            assert isinstance(result, Scored)
            responses.append(
                Response(
                    practice=practice,
                    client=client,
                    episode=episode,
                    instrument=nprs.id,
                    version=nprs.version,
                    content_hash=nprs.content_hash(),
                    timepoint=timepoint,
                    answers={"rating": int(value)},
                    total=result.total,
                    band=result.band.key if result.band else "",
                    taken_on=start + timedelta(days=offset),
                    submitted_at=now,
                )
            )
    entries = []
    for i, (label, days_ago, before, after, filled) in enumerate(HEADACHE):
        start = today - timedelta(days=days_ago)
        client = _client(practice, label)
        episode = Episode.objects.create(
            practice=practice, client=client, concern="headache", primary_instrument="headache_diary", opened_on=start
        )
        made += 1
        _visit(practice, client, start, 16 + i, people, rooms)
        first, last = start - timedelta(days=28), min(today, start + timedelta(days=90))
        span = (last - first).days
        for k in range(span + 1):
            day = first + timedelta(days=k)
            if rng.random() > filled:
                continue
            progress = max(0.0, min(1.0, (day - start).days / 84)) if day >= start else 0.0
            weekly = before + (after - before) * progress
            if rng.random() < weekly / 7:
                peak = rng.randint(3, 8)
                answers = {"headache": 1, "peak": peak, "migraine": int(peak >= 6), "medication": int(peak >= 5)}
            else:
                answers = {"headache": 0}
            entries.append(
                DiaryEntry(
                    practice=practice,
                    client=client,
                    episode=episode,
                    day=day,
                    version=diary.version,
                    content_hash=diary.content_hash(),
                    answers=answers,
                    complete=True,
                    saved_at=now,
                )
            )
    Response.objects.bulk_create(responses)
    DiaryEntry.objects.bulk_create(entries)
    return made
