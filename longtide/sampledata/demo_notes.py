"""The demo's past visits and their signed session notes, written by us to read like a real clinic's.

Three short courses of care over the last five weeks (a jaw, a stressed sleeper, a neck after a fall),
one addendum, one late entry, and yesterday's visit still waiting for its note, so a practitioner
signing in to the demo has one to write. The notes use the clinic's honest language (domain.md §6):
what the client reported and what the practitioner did and sensed, never that CST treated anything.
Palpation findings sit in the impression fields, which every page labels as practitioner
impressions. Notes go through the same actions as the pages (longtide/notes/actions.py), so each has
its audit rows, its signature and its hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from longtide.audit.models import Via
from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.notes.actions import add_addendum, cosign_note, save_draft, sign_note, start_note
from longtide.practice.models import Practice
from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
from longtide.scheduling.models import Appointment, Source, Status


@dataclass(frozen=True)
class Visit:
    client: str  # first name of a demo client
    practitioner: str  # practitioner slug
    days_ago: int
    service: str
    note: dict[str, Any] = field(default_factory=dict)  # empty: no note yet
    signed_late: bool = False  # signed the morning after
    addendum: tuple[str, str] | None = None  # (reason, text), the day after
    cosigned: bool = False  # a student's note: co-signed by their supervisor the next morning


# Working days and a start time per practitioner (inside their demo hours).
WHEN = {
    "maya-okafor": ({0, 1, 2, 3, 4}, time(10)),
    "jonah-lindqvist": ({1, 2, 3, 4}, time(15)),
    "ines-moreau": ({0, 1, 2, 3, 4}, time(14, 30)),
    "kai-brennan": ({0, 1, 2, 3, 4}, time(13)),
}
ROOM = {"maya-okafor": 0, "jonah-lindqvist": 1, "ines-moreau": 1, "kai-brennan": 0}

CLEO_1 = {
    "consent_confirmed": True,
    "areas_agreed": "Feet, sacrum, shoulders, neck, head and face; no intra-oral work today",
    "position": "supine",
    "subjective": (
        "Jaw aches on the left most mornings for about six months; worse after long work days. Her "
        "dentist found no dental cause and suggested a night guard, which she now wears. Would like to "
        "chew without thinking about it and to stop waking with a tight face."
    ),
    "pain_nrs": 5,
    "since_last": "First visit. Intake reviewed: no flags. Takes ibuprofen a couple of days a week.",
    "objective": (
        "Left masseter firm to light touch. Opens slightly to the left with a click at about half-way. "
        "Shoulders held high; breathing mostly upper chest."
    ),
    "impression_rhythm": "Slow and even at the feet; felt fuller on the right at the head.",
    "impression_restrictions": "Sensed holding around the left temporal area and the thoracic inlet.",
    "impression_still_points": "One still point near the end, about two minutes.",
    "mouth_opening_mm": 38,
    "regions": ["feet", "sacrum", "shoulders", "neck", "head", "face_jaw"],
    "holds": ["listening_stations", "thoracic_inlet", "occipital_cranial_base", "temporal", "tmj"],
    "client_response": "Said her face felt softer and warmer. Dozed briefly. No discomfort reported.",
    "assessment": (
        "Tolerated the session well; reported the jaw feeling looser at the end. Baseline for the jaw "
        "questionnaire taken at intake. No new flags; no referral needed beyond her dentist's care."
    ),
    "plan": (
        "Weekly for three more sessions, then review against her goals. Self-care: notice clenching at "
        "the desk; jaw rest position (lips together, teeth apart). Keep using the night guard."
    ),
}
CLEO_2 = {
    **CLEO_1,
    "subjective": (
        "Two mornings this week without the jaw ache. Still tight after a stressful Thursday. Chewing "
        "gum makes it worse, so she has stopped."
    ),
    "pain_nrs": 3,
    "since_last": "Tired the evening after the first session, slept well. No new medication.",
    "objective": "Click still present; opening looks straighter.",
    "impression_rhythm": "Even; right–left difference at the head less noticeable to me today.",
    "impression_restrictions": "Less holding at the thoracic inlet; left temporal area still felt held.",
    "impression_still_points": "Two brief still points.",
    "mouth_opening_mm": 40,
    "client_response": "Relaxed quickly. Said she noticed her tongue resting lower by the end.",
    "assessment": (
        "Reports fewer mornings with the ache. Still early; too soon to say whether the sessions make a difference."
    ),
    "plan": "Next week as planned. Continue jaw rest position; add gentle neck turns at lunch.",
}
CLEO_3 = {
    **CLEO_2,
    "subjective": (
        "Ache on three mornings this week after a deadline; otherwise fine. Asked whether the click "
        "matters. Explained it is common and that her dentist is the person to judge it."
    ),
    "pain_nrs": 4,
    "since_last": "No after-effects. Started a yoga class.",
    "mouth_opening_mm": 41,
    "client_response": "Quiet through most of the session. Felt sleepy afterwards.",
    "assessment": (
        "Mixed week, linked by her to work stress. Opening measured slightly wider than at the first visit; "
        "a small change that can vary day to day."
    ),
    "plan": "One more weekly session, then the review: repeat the jaw questionnaire and decide together.",
}
CLEO_4 = {
    **CLEO_3,
    "subjective": (
        "Best week so far: one morning with the ache. Chewing a sandwich without thinking about it, which was her goal."
    ),
    "pain_nrs": 2,
    "since_last": "Nothing new. Yoga twice.",
    "mouth_opening_mm": 42,
    "impression_still_points": "A long still point mid-session.",
    "assessment": (
        "Review session. Jaw questionnaire repeated: lower than at intake, by less than some published "
        "thresholds for a meaningful change. She is pleased with the week. Many jaw complaints ease on "
        "their own, so this cannot be put down to the sessions."
    ),
    "plan": (
        "Move to every three weeks for two sessions, then decide whether to stop. Return to the dentist "
        "if the ache comes back most days or opening becomes limited."
    ),
}

ELI_1 = {
    "consent_confirmed": True,
    "areas_agreed": "Feet, legs, sacrum, ribs, shoulders, head",
    "position": "supine",
    "subjective": (
        "Sleeping badly since a change of role at work in the spring: falls asleep fine, wakes around "
        "4 a.m. with a busy mind. Feels 'wired and tired'. Wants to sleep through more nights and feel "
        "less on edge."
    ),
    "pain_nrs": 0,
    "since_last": "First visit. Intake: anxiety questionnaire in the mild range; no flags. Sees his GP next month.",
    "objective": "Talked quickly at first; settled after a few minutes. Breathing slowed during the session.",
    "impression_rhythm": "Fast and busy at first; slower after about twenty minutes.",
    "impression_still_points": "A long stillness about two thirds of the way through.",
    "regions": ["feet", "sacrum", "ribs", "head"],
    "holds": ["listening_stations", "still_point_cv4", "respiratory_diaphragm", "cranial_vault_hold"],
    "bio_orientation": "Mid-tide, with long periods of stillness",
    "bio_stillness": "Holistic shift after about 35 minutes: whole-body sense of settling.",
    "bio_felt_sense": "Described 'heaviness, like sinking into the table' and warmth in his hands.",
    "bio_resourcing": "Found his feet on the table and the sound of the rain as places to rest his attention.",
    "bio_closing_state": "Calm, slightly slow to get up; sat for a few minutes with water.",
    "client_response": "Said he had not felt that still in weeks.",
    "assessment": "Engaged and comfortable with the work. Sleep diary started tonight for a baseline.",
    "plan": (
        "Every two weeks for three sessions, then review sleep diary and the questionnaire. Self-care: "
        "a few minutes of slow breathing before bed; screens off at 10."
    ),
}
ELI_2 = {
    **ELI_1,
    "subjective": "Slept through on four nights of fourteen; still waking at 4 on work nights.",
    "since_last": "Felt emotional the evening after the first session, then slept deeply. Nothing new medically.",
    "bio_felt_sense": "Tingling in the hands, then 'nothing much, just quiet'.",
    "client_response": "Slower to settle today; said the week had been busy.",
    "assessment": "Some nights better, many unchanged. Too early to judge.",
    "plan": "Two weeks. Keep the sleep diary. Discussed seeing his GP about sleep as planned.",
}
ELI_3 = {
    **ELI_2,
    "subjective": (
        "Six nights of fourteen slept through. Saw his GP: no concerns, suggested a sleep course, which he has started."
    ),
    "since_last": "No after-effects. Started an online sleep course (CBT-I) from his GP.",
    "assessment": (
        "Reports sleeping through more often, alongside starting the sleep course; the two cannot be "
        "told apart. Questionnaire repeated at review: a little lower."
    ),
    "plan": "Monthly for now at his request. Continue the sleep course; he will bring the diary next time.",
}

ROSA_1 = {
    "consent_confirmed": True,
    "areas_agreed": "Feet, sacrum, spine, shoulders, neck and head",
    "position": "supine",
    "subjective": (
        "Stiff, aching neck since falling from her bike eight weeks ago. Seen in the emergency "
        "department on the day (scans clear) and by her GP, who is happy for her to try hands-on work. "
        "Turning to check traffic is the hard part; wants to cycle to work again."
    ),
    "pain_nrs": 5,
    "since_last": (
        "First visit. Intake flags: recent head knock (cleared by GP, letter on file). Paracetamol as needed."
    ),
    "objective": (
        "Turns head about half-way to the right before pain; full to the left. No neurological symptoms reported."
    ),
    "impression_rhythm": "Low amplitude at the head; stronger at the sacrum.",
    "impression_restrictions": "Sensed holding at the upper neck on the right and at the thoracic inlet.",
    "regions": ["feet", "sacrum", "spine", "shoulders", "neck", "head"],
    "holds": ["listening_stations", "sacral_dural_tube", "thoracic_inlet", "occipital_cranial_base", "unwinding"],
    "bio_orientation": "Mostly structural today; some mid-tide at the end",
    "client_response": "Said the neck felt warmer and 'less guarded'. Turning right a little easier afterwards.",
    "assessment": (
        "Seven days of activity goals recorded (cycling, checking over the shoulder, sleeping on her "
        "side). Settled well. Watch for any return of head symptoms; none today."
    ),
    "plan": (
        "Weekly for three sessions, then review the activity scores. Gentle neck turns within comfort "
        "twice a day as her physiotherapist showed her. Back to the GP at once if headaches, dizziness "
        "or numbness appear."
    ),
}
ROSA_2 = {
    **ROSA_1,
    "subjective": "Turning right is easier in the mornings; aches after a day at the laptop.",
    "pain_nrs": 4,
    "since_last": "Mild headache the evening after the first session, gone by morning (see addendum).",
    "objective": "Turns about three quarters to the right.",
    "impression_restrictions": "Upper-neck holding on the right felt less to me.",
    "client_response": "Quiet; asked to finish with the feet. Did so.",
    "assessment": "Reports easier turning; activity scores a little better.",
    "plan": "Weekly as planned. Raise the laptop screen; short walk every hour.",
}
ROSA_3 = {
    **ROSA_2,
    "subjective": "Cycled to work twice this week. Still stiff turning right at the end of the day.",
    "pain_nrs": 3,
    "since_last": "No after-effects. Laptop on a stand now.",
    "objective": "Turns nearly fully to the right with end-range stiffness.",
    "assessment": (
        "Review: activity scores up on all three activities. Neck problems after a fall often improve "
        "over these weeks anyway; we cannot tell what helped."
    ),
    "plan": "Two more sessions every two weeks, then stop if she is back to normal activity.",
}

# Kai, a student supervised by Maya (docs/notes.md, "Students"), sees Iris for shoulder and neck
# tension from desk work: the first note co-signed by Maya, the second still awaiting her.
IRIS_1 = {
    "consent_confirmed": True,
    "areas_agreed": "Feet, sacrum, shoulders, neck and head",
    "position": "supine",
    "subjective": (
        "Tight shoulders and neck for about three months since starting a new desk job; worse by Friday. "
        "No headaches, numbness or tingling. Would like to get through a work week without the ache."
    ),
    "pain_nrs": 4,
    "since_last": "First visit. Consent to treatment signed. No medication.",
    "objective": "Shoulders held high, right more than left. Turns the head fully both ways, slowly.",
    "impression_rhythm": "Even at the feet; felt quieter on the right at the shoulders.",
    "impression_restrictions": "Sensed holding at the thoracic inlet and the right upper trapezius.",
    "impression_still_points": "None noticed.",
    "regions": ["feet", "sacrum", "shoulders", "neck", "head"],
    "holds": ["listening_stations", "thoracic_inlet", "occipital_cranial_base"],
    "client_response": "Said her shoulders felt lower at the end. Talked through most of the session.",
    "assessment": (
        "First session, supervised. Desk-related shoulder and neck tension with full movement. Maya "
        "reviewed the plan with me after the session."
    ),
    "plan": "Weekly for three sessions, then review. Suggested a break from the screen every hour.",
}
IRIS_2 = {
    **IRIS_1,
    "subjective": "Two better days this week, then a long Thursday and the ache came back by evening.",
    "pain_nrs": 3,
    "since_last": "No after-effects. Tried hourly breaks most days.",
    "impression_still_points": "One short still point near the end.",
    "client_response": "Quieter this time; dozed for a few minutes.",
    "assessment": (
        "Second session. Some easier days, which she links to the breaks; a week is too short to tell what helps."
    ),
    "plan": "One more weekly session, then the review with Maya present.",
}

VISITS = [
    Visit("Cleo", "maya-okafor", 33, "first-visit", CLEO_1),
    Visit("Cleo", "maya-okafor", 26, "cst-60", CLEO_2),
    Visit("Cleo", "maya-okafor", 19, "cst-60", CLEO_3),
    Visit("Cleo", "maya-okafor", 12, "cst-60", CLEO_4),
    Visit("Eli", "jonah-lindqvist", 30, "first-visit", ELI_1),
    Visit("Eli", "jonah-lindqvist", 16, "cst-60", ELI_2),
    Visit("Eli", "jonah-lindqvist", 2, "cst-60", ELI_3),
    Visit(
        "Rosa",
        "ines-moreau",
        27,
        "first-visit",
        ROSA_1,
        addendum=(
            "Client phoned the next morning",
            "Mild headache the evening after the session, gone by morning. No dizziness, numbness or "
            "vision change. Advised rest and water, and to call her GP if it returned. Noted for next time.",
        ),
    ),
    Visit("Rosa", "ines-moreau", 20, "cst-60", ROSA_2, signed_late=True),
    Visit("Rosa", "ines-moreau", 6, "cst-60", ROSA_3),
    Visit("Iris", "kai-brennan", 9, "cst-60", IRIS_1, cosigned=True),
    Visit("Iris", "kai-brennan", 3, "cst-60", IRIS_2),
    # Yesterday's visit, waiting for its note (for whoever tries the demo as Maya).
    Visit("Tom", "maya-okafor", 1, "cst-60"),
]


def _session_day(today: date, days_ago: int, workdays: set[int]) -> date:
    day = today - timedelta(days=days_ago)
    while day.weekday() not in workdays:
        day -= timedelta(days=1)
    return day


def seed_past_visits(practice: Practice, clients: dict[str, Client]) -> list[Appointment]:
    """Write the past visits and their notes (call once, when the demo is first seeded)."""
    location = practice.locations.get()
    zone = location.zone
    rooms = list(location.rooms.order_by("sort_order"))
    people = {p.slug: p for p in practice.practitioners.select_related("user")}
    services = {s.slug: s for s in practice.services.all()}
    today = timezone.now().astimezone(zone).date()
    made = []
    for visit in VISITS:
        person = people[visit.practitioner]
        workdays, at = WHEN[visit.practitioner]
        day = _session_day(today, visit.days_ago, workdays)
        service = services[visit.service]
        start = datetime.combine(day, at, tzinfo=zone)
        end = start + timedelta(minutes=service.duration_minutes)
        blocked = service.blocked_range(start, end)
        client = clients[visit.client]
        appointment = Appointment.objects.create(
            practice=practice,
            location=location,
            service=service,
            practitioner=person,
            room=rooms[ROOM[visit.practitioner] % len(rooms)],
            client=client,
            booked_first_name=client.first_name,
            booked_last_name=client.last_name,
            booked_email=client.email,
            start=start,
            end=end,
            blocked_start=blocked[0],
            blocked_end=blocked[1],
            status=Status.COMPLETED,
            source=Source.STAFF,
            manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
            manage_nonce=nonce,
            time_set_at=start - timedelta(days=7),
        )
        made.append(appointment)
        if not visit.note or person.user is None:
            continue
        by = Actor(person.user, "student" if visit.practitioner in STUDENTS else "practitioner", via=Via.COMMAND)
        if visit.practitioner in STUDENTS:
            _treatment_consent_before(appointment)
        note = start_note(appointment, by=by, now=timezone.now())
        note = save_draft(note, {"style": person.style, **visit.note}, revision=None, by=by)
        signed_at = end + timedelta(minutes=20)
        if visit.signed_late:
            signed_at = datetime.combine(day + timedelta(days=1), time(8, 40), tzinfo=zone)
        note = sign_note(note, by=by, now=signed_at)
        if visit.addendum:
            reason, text = visit.addendum
            written = datetime.combine(day + timedelta(days=1), time(9, 15), tzinfo=zone)
            add_addendum(note, reason=reason, text=text, by=by, now=written)
        if visit.cosigned and note.cosign_by is not None:
            supervisor = Actor(note.cosign_by, "practitioner", via=Via.COMMAND)
            cosign_note(note, by=supervisor, now=datetime.combine(day + timedelta(days=1), time(8, 30), tzinfo=zone))
    return made


# The demo's students: practitioner slug -> (the supervisor's practitioner slug).
STUDENTS = {"kai-brennan": "maya-okafor"}


def _treatment_consent_before(appointment: Appointment) -> None:
    """The student's client signed the treatment consent before the first visit (a row written
    directly, as the demo's cohort's are): the visit went ahead with consent, and no student
    records an override (docs/notes.md, "Students")."""
    from longtide.intake import actions
    from longtide.intake.models import Signature
    from longtide.intake.session import treatment_consent_current

    client = appointment.client
    if treatment_consent_current(client):
        return
    treatment = next(d for d in actions.current_documents(appointment.practice) if d.kind == "treatment")
    Signature.objects.create(
        practice=appointment.practice,
        client=client,
        document=treatment,
        agreed=True,
        typed_name=client.full_name,
        text_sha256=treatment.text_sha256,
        signed_at=appointment.start - timedelta(hours=1),
        user_agent="demo",
    )
