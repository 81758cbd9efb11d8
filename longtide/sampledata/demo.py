"""The demo clinic: a practice at slug `demo`, written by us, seeded idempotently."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from longtide.clients.models import Client
from longtide.notes import guards
from longtide.notes.models import NoteAddendum, NoteChecklist, NoteCosignature, SessionNote
from longtide.practice.models import Location, Practice, Practitioner, Role, Room, Service, StaffMembership, Style
from longtide.sampledata.demo_days import record_seeded_history, seed_front_desk_days
from longtide.sampledata.demo_notes import seed_past_visits
from longtide.sampledata.demo_outcomes import seed_outcomes
from longtide.sampledata.models import DemoAccount
from longtide.scheduling.booking import still_free
from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
from longtide.scheduling.models import Appointment, AppointmentEvent, Channel, EventKind, Source, Status, WorkingHours
from longtide.scheduling.search import search_slots

DEMO_SLUG = "demo"
DEMO_PASSWORD = "longtide-demo"

# (username, role, practitioner slug or None)
DEMO_LOGINS = [
    ("owner", Role.OWNER, None),
    ("frontdesk", Role.FRONT_DESK, None),
    ("maya", Role.PRACTITIONER, "maya-okafor"),
    ("jonah", Role.PRACTITIONER, "jonah-lindqvist"),
    ("ines", Role.PRACTITIONER, "ines-moreau"),
    # A student supervised by Maya: sees only the clients of their own sessions; Maya co-signs.
    ("student", Role.STUDENT, "kai-brennan"),
]
# A student's supervisor (a demo login above, made before the student).
DEMO_SUPERVISORS = {"student": "maya"}
# The student's practitioner profile: not offered online nor listed on the public site (inactive);
# staff book their supervised sessions.
STUDENT_SLUG = "kai-brennan"
STUDENT_PRACTITIONER = {
    "slug": STUDENT_SLUG,
    "display_name": "Kai Brennan",
    "credentials": "CST student (supervised)",
    "style": Style.BIOMECHANICAL,
    "active": False,
}

PRACTICE_TEXT = {
    "name": "Stillwater Craniosacral Clinic",
    "tagline": "Gentle, hands-on craniosacral therapy in a quiet room in Brooklyn.",
    "email": "hello@stillwater-demo.invalid",
    "phone": "+1 718 555 0142",
    "intro": (
        "We are a small clinic of three craniosacral practitioners. Sessions are calm and unhurried: "
        "you stay fully clothed, lie on a padded table, and we work with very light touch."
    ),
    "about_cst": (
        "Craniosacral therapy (CST) is a light, hands-on approach. The practitioner rests their hands "
        "at the feet, legs, hips, spine and head. Practitioners describe the work as gently engaging the "
        "membranes and connective tissue around the brain and spinal cord; that is how the method "
        "explains itself, not something research has shown.\n\n"
        "It grew out of osteopathic medicine; some traditions also trace its roots to Cherokee and "
        "Shawnee medicine. The osteopath John Upledger gave it its name in the 1970s and taught it to "
        "physical and massage therapists."
    ),
    "styles_text": (
        "Practitioners work in different ways. Some describe their work as biomechanical, with the "
        "body's physical structures. Others describe it as biodynamic: following rhythms they sense in "
        "the body, which they call 'tides', and periods of stillness. Many integrate both. There is no "
        "right style: choose the person you feel comfortable with."
    ),
    "reasons_text": (
        "People come to us with stress, tension and anxiety; headaches and migraines; neck, back, jaw "
        "and shoulder pain; period pain; fibromyalgia; tiredness and poor sleep; or while recovering "
        "from an injury or a difficult time.\n\n"
        "CST may help some people feel better, and many find the sessions deeply relaxing. It does "
        "not replace medical care: if your symptoms are new, severe or changing, please see a doctor "
        "first."
    ),
    "session_text": (
        "You stay fully clothed and lie face-up on a padded table. Your practitioner begins with a "
        "short conversation, then uses gentle contact at the feet, legs, hips, spine and head. You can "
        "ask to stop or change anything at any time.\n\n"
        "Many people describe a sense of space and release. Some feel tired, emotional or have a mild "
        "headache afterwards; this usually passes within a day. Several sessions are usually needed "
        "before you can tell whether it is helping you, and we will check in with you along the way."
    ),
    "evidence_text": (
        "The research on craniosacral therapy is limited and mixed. A 2020 review of ten small trials "
        "(Haller et al., 2020) reported less pain than with a sham treatment; a 2024 review that graded "
        "the evidence (Ceballos-Laita et al., 2024) found no clinically relevant benefit. We do not "
        "claim that CST treats or cures any condition.\n\n"
        "If you are unsure whether it is right for you, talk to your doctor, and ask us anything before "
        "you book."
    ),
    "cancellation_policy": (
        "You can cancel or reschedule online up to 24 hours before your session. After that, please "
        "call us; late cancellations and missed sessions may be charged in full."
    ),
}

PRACTITIONERS = [
    {
        "slug": "maya-okafor",
        "display_name": "Maya Okafor",
        "credentials": "LMT, CST-D",
        "style": Style.BIOMECHANICAL,
        "training": (
            "Licensed massage therapist since 2009. Completed the Upledger CranioSacral Therapy I, II "
            "and SomatoEmotional Release courses, then diplomate certification (CST-D). Continuing "
            "education in the temporomandibular joint and in trauma-informed care."
        ),
        "bio": (
            "Maya came to craniosacral work after a decade of clinical massage, looking for a gentler "
            "way to work with people in pain. She works structurally and explains what she is doing as "
            "she goes. Many of her clients come with jaw, neck and shoulder tension."
        ),
    },
    {
        "slug": "jonah-lindqvist",
        "display_name": "Jonah Lindqvist",
        "credentials": "RCST",
        "style": Style.BIODYNAMIC,
        "training": (
            "Two-year, 700-hour foundation training in biodynamic craniosacral therapy, registered with "
            "the Biodynamic Craniosacral Therapy Association. Earlier training in mindfulness teaching."
        ),
        "bio": (
            "Jonah's sessions are quiet and slow. He describes his work as following the body's rhythms "
            "rather than directing them, and leaves plenty of room for stillness. Clients who come for "
            "stress, sleep and feeling overwhelmed often choose him."
        ),
    },
    {
        "slug": "ines-moreau",
        "display_name": "Inès Moreau",
        "credentials": "PT, DPT",
        "style": Style.INTEGRATIVE,
        "training": (
            "Doctor of Physical Therapy. Upledger CranioSacral Therapy I and II, and a biodynamic "
            "foundation course. Works with people recovering from injury alongside their medical team."
        ),
        "bio": (
            "Inès blends biomechanical and biodynamic approaches with her background as a physical "
            "therapist. She pays particular attention to how you move and what you want to get back "
            "to doing, and she sets clear goals with you."
        ),
    },
]

SERVICES = [
    {
        "slug": "first-visit",
        "name": "First visit with intake",
        "description": (
            "For new clients: time to go through your health history and goals, a safety check, and a "
            "full craniosacral session."
        ),
        "duration_minutes": 90,
        "price": Decimal("150.00"),
        "buffer_after_minutes": 15,
        "is_first_visit": True,
        "sort_order": 0,
    },
    {
        "slug": "cst-60",
        "name": "Craniosacral session",
        "description": "A full session for returning clients, with a short check-in beforehand.",
        "duration_minutes": 60,
        "price": Decimal("110.00"),
        "buffer_after_minutes": 15,
        "sort_order": 1,
    },
    {
        "slug": "head-neck-30",
        "name": "Head, neck and jaw session",
        "description": (
            "A shorter session focused on the head, neck and jaw. Some people with headaches find it "
            "relaxing. It is not a treatment for migraine: if your headaches are new or changing, see "
            "a doctor."
        ),
        "duration_minutes": 30,
        "price": Decimal("65.00"),
        "buffer_after_minutes": 10,
        "sort_order": 2,
    },
]

# Weekly hours (weekday, start, end) per practitioner; several intervals a day with a lunch break.
HOURS = {
    "maya-okafor": [(d, time(9), time(12, 30)) for d in range(5)] + [(d, time(13, 30), time(17)) for d in range(5)],
    "jonah-lindqvist": [(d, time(11), time(19)) for d in (1, 2, 3, 4)] + [(5, time(9), time(13))],
    "ines-moreau": [(d, time(8), time(12)) for d in (0, 2, 4)] + [(d, time(14), time(18)) for d in (0, 1, 2, 3, 4)],
}


class DemoAccountsTaken(Exception):
    """Real accounts use the demo's usernames: the demo stops rather than take them over."""

    def __init__(self, usernames: list[str]) -> None:
        self.usernames = usernames
        super().__init__(
            f"this database already has accounts named {', '.join(usernames)} that the demo did not create. "
            "The demo will not take them over (it would set the public demo password), so nothing was "
            "changed. Run the demo on a database of its own (another LONGTIDE_DATA_DIR or DATABASE_URL), "
            "or rename those accounts."
        )


class NotTheDemo(Exception):
    """The practice at the demo's slug is not the demo clinic: the demo neither reuses nor deletes it."""

    def __init__(self, owners: list[str]) -> None:
        self.owners = owners
        whose = f"its owners are {', '.join(owners)}" if owners else "it has no owner"
        super().__init__(
            f"this database has a practice at slug {DEMO_SLUG!r} that the demo did not create ({whose}, "
            "not the demo's logins). The demo will not reuse or delete it, so nothing was changed. Run the "
            "demo on a database of its own (another LONGTIDE_DATA_DIR or DATABASE_URL)."
        )


def check_is_demo(practice: Practice) -> None:
    """Raise NotTheDemo unless `practice` is the demo clinic: one whose owners are all logins the demo
    made (DemoAccount). A real practice's owner is a real login, so a practice someone created at slug
    `demo` (before it was reserved) is never taken for the demo; staff invited into the demo don't
    change what it is."""
    owners = list(
        StaffMembership.objects.filter(practice=practice, role=Role.OWNER)
        .select_related("user__demo_account")
        .order_by("user__username")
    )
    real = [m.user.get_username() for m in owners if not hasattr(m.user, "demo_account")]
    if not owners or real:
        raise NotTheDemo(real)


def check_demo_accounts() -> None:
    """Raise DemoAccountsTaken when a demo username (in any letter case) belongs to a non-demo account."""
    names = [username for username, _, _ in DEMO_LOGINS]
    taken = (
        get_user_model()
        .objects.annotate(name=Lower("username"))
        .filter(name__in=names, demo_account__isnull=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoAccountsTaken(list(taken))


@transaction.atomic
def seed_demo(*, sample_week: bool = True) -> Practice:
    """Create the demo clinic unless it exists; return it. Safe to run again.

    Raises DemoAccountsTaken, changing nothing, when a demo username belongs to a real account, and
    NotTheDemo when a practice that is not the demo has its slug.
    `sample_week` books a few appointments over the coming week (tests that need a predictable
    calendar turn it off).
    """
    existing = Practice.objects.filter(slug=DEMO_SLUG).first()
    if existing:
        check_is_demo(existing)
        return existing
    check_demo_accounts()
    practice = Practice.objects.create(slug=DEMO_SLUG, **PRACTICE_TEXT)
    location = Location.objects.create(
        practice=practice,
        name="Brooklyn",
        address="214 Tideway Street, 2nd floor",
        city="Brooklyn",
        region="NY",
        postal_code="11201",
        country="US",
        time_zone="America/New_York",
    )
    rooms = [
        Room.objects.create(location=location, name="Willow Room", description="Table by the window", sort_order=0),
        Room.objects.create(location=location, name="Cedar Room", description="Table on the quiet side", sort_order=1),
    ]
    people = {
        data["slug"]: Practitioner.objects.create(practice=practice, sort_order=i, **data)
        for i, data in enumerate(PRACTITIONERS)
    }
    people[STUDENT_SLUG] = Practitioner.objects.create(
        practice=practice, sort_order=len(people), **STUDENT_PRACTITIONER
    )
    for data in SERVICES:
        service = Service.objects.create(practice=practice, **data)
        service.practitioners.set(p for p in people.values() if p.active)
        service.rooms.set(rooms)
    for slug, intervals in HOURS.items():
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=people[slug], location=location, weekday=d, start_time=s, end_time=e)
            for d, s, e in intervals
        )
    User = get_user_model()
    for username, role, practitioner_slug in DEMO_LOGINS:
        # Only ever an account the demo made (check_demo_accounts refused any other).
        user = User.objects.filter(username=username, demo_account__isnull=False).first() or User(username=username)
        # Practice staff, never operators: the password is public.
        user.is_staff = False
        user.is_superuser = False
        user.email = f"{username}@stillwater-demo.invalid"
        user.set_password(DEMO_PASSWORD)
        user.save()
        DemoAccount.objects.get_or_create(user=user)
        supervisor = User.objects.filter(username=DEMO_SUPERVISORS[username]).first() if role == Role.STUDENT else None
        StaffMembership.objects.get_or_create(
            practice=practice, user=user, defaults={"role": role, "supervisor": supervisor}
        )
        if practitioner_slug:
            Practitioner.objects.filter(pk=people[practitioner_slug].pk).update(user=user)
    if sample_week:
        clients = _demo_clients(practice)
        _book_sample_week(practice, clients)
        _demo_intakes(practice)
        seed_past_visits(practice, {client.first_name: client for client in clients})
        seed_outcomes(practice)
        seed_front_desk_days(practice)
        record_seeded_history(practice)
        _consent_for_completed_visits(practice)
    return practice


DEMO_CLIENTS = [
    ("Cleo", "Park"),
    ("Eli", "Moss"),
    ("Tom", "Ibe"),
    ("Rosa", "Vance"),
    ("Sam", "Ortiz"),
    ("Ada", "Kent"),
    ("Lea", "Chen"),
    ("Noor", "Haddad"),
    ("Iris", "Lund"),
    ("Ben", "Adeyemi"),
]


def _demo_clients(practice: Practice) -> list[Client]:
    return [
        Client.objects.create(
            practice=practice, first_name=first, last_name=last, email=f"{first}.{last}@example.invalid".lower()
        )
        for first, last in DEMO_CLIENTS
    ]


# The sample week's slots today start this long from now or later (_book_sample_week): after the
# front desk's visits of today, the last of which starts four hours ahead (a 60-minute session and
# its buffer: over by 5 h 15 min). Not more: on a Saturday from 07:00 the next visit a reminder can
# be due for is Monday's first, at 08:00, 49 hours on; before 07:00, Saturday's last, at 12:30.
SAMPLE_LATER_TODAY = timedelta(hours=5, minutes=30)


def _book_sample_week(practice: Practice, clients: list[Client]) -> None:
    """Fill the coming week lightly, so the staff calendar has something to show.

    Times come from the availability engine (so they are valid); rows are written directly, not
    through book_appointment, so that seeding sends no emails.
    """
    now = timezone.now()
    location = practice.locations.get()
    today = now.astimezone(location.zone).date()
    services = list(practice.services.order_by("sort_order"))
    picks = 0
    # From later today: on a Saturday night no one works on Sunday and Monday's first visit is more
    # than two days ahead, so a week from tomorrow left the worker no reminder due (its first offset
    # is 48 hours) until Saturday morning. Today's slots only from SAMPLE_LATER_TODAY on, after the
    # front desk's visits of today (seed_front_desk_days).
    for offset in range(0, 8):
        day = today + timedelta(days=offset)
        for service in services:
            found = search_slots(
                practice=practice,
                service=service,
                first_day=day,
                last_day=day,
                now=now,
                for_staff=True,
                any_practitioner=False,
            )
            later = [slot for slot in found.slots if offset or slot.start >= now + SAMPLE_LATER_TODAY]
            # Take every 9th free slot of the day: a believable, uneven spread.
            for slot in later[picks % 5 :: 9][:2]:
                blocked = service.blocked_range(slot.start, slot.end)
                if not still_free(practice, slot, blocked, None):  # taken by an earlier pick today
                    continue
                Appointment.objects.create(
                    practice=practice,
                    location=location,
                    service=service,
                    practitioner_id=slot.practitioner_id,
                    room_id=slot.room_id,
                    client=(client := clients[picks % len(clients)]),
                    booked_first_name=client.first_name,
                    booked_last_name=client.last_name,
                    booked_email=client.email,
                    start=slot.start,
                    end=slot.end,
                    blocked_start=blocked[0],
                    blocked_end=blocked[1],
                    source=Source.STAFF,
                    manage_token_hash=hash_token(token_from_nonce(nonce := new_nonce())),
                    manage_nonce=nonce,
                    # Booked a week ago: the demo's worker sends the reminders now due (48 h, 24 h).
                    time_set_at=now - timedelta(days=7),
                )
                picks += 1


# Demo intakes at every flag level (docs/intake.md): (client, screen answers "yes", acknowledged by,
# action). Ada has started hers; the others have none yet, so their calendar entries say so.
DEMO_INTAKES = [
    ("Cleo", (), None, ""),
    ("Eli", ("bleeding",), None, ""),
    ("Tom", ("headache_pattern", "painkiller_days"), None, ""),
    ("Rosa", ("thunderclap",), None, ""),
    ("Sam", ("chiari",), "maya", "clearance"),
    ("Lea", ("pregnant", "trauma"), "jonah", "modified"),
]


def _demo_intakes(practice: Practice) -> None:
    """Intakes at each flag level, through the same actions as the client's form (no emails)."""
    from longtide.audit.trail import Actor, Origin
    from longtide.intake import actions
    from longtide.intake.models import Flag
    from longtide.intake.screening import SHIPPED, questions

    today = timezone.now().date()
    about = {"date_of_birth": "1984-05-02", "emergency_name": "A. Friend", "emergency_phone": "718 555 0100"}
    reasons = {"reasons": ["headache"], "severity_headache": "6", "goals": "Fewer headaches, better sleep"}
    health = {"medications": "", "previous_bodywork": "none"}
    clients = {c.first_name: c for c in Client.objects.filter(practice=practice)}
    documents = [d for d in actions.current_documents(practice) if d.kind != "intraoral"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["maya", "jonah"])}
    for first, yes, by, what in DEMO_INTAKES:
        client = clients[first]
        intake = actions.draft_for(client)
        screen = {f"q_{item.key}": "yes" if item.key in yes else "no" for item in questions(SHIPPED)}
        for step, data in (("about", about), ("reasons", reasons), ("health", health), ("screen", screen)):
            actions.save_step(intake, step, data, today=today)
        answer = actions.ConsentAnswer({d.pk for d in documents}, client.full_name)
        actions.submit(intake, answer, origin=Origin(None, "demo"), today=today, alert=False)
        if by:
            for flag in Flag.objects.filter(client=client):
                actions.acknowledge(
                    flag, by=users[by], actor=Actor.system(), action=what, note="Demo: talked it through by phone."
                )
    started = actions.draft_for(clients["Ada"])
    actions.save_step(started, "about", about, today=today)


# Today's completed visit of Ada, who has not finished her intake: the demo's recorded override.
DEMO_OVERRIDE = "Read and agreed to the treatment consent on paper at the desk; her online form is still open."


def _consent_for_completed_visits(practice: Practice) -> None:
    """Every completed demo visit went ahead with consent (docs/intake.md, "Consent before the
    session"): the synthetic cohort agreed to the current treatment consent (rows written directly,
    as the cohort itself is), and a visit of a client without it carries a recorded override by its
    practitioner, in its history and the audit trail, as the appointment page records one."""
    from longtide.audit.models import Action, Via
    from longtide.audit.trail import Actor, record
    from longtide.intake import actions
    from longtide.intake.models import Signature
    from longtide.intake.session import treatment_consent_current
    from longtide.sampledata.demo_outcomes import LABEL

    treatment = next(d for d in actions.current_documents(practice) if d.kind == "treatment")
    completed = (
        Appointment.objects.filter(practice=practice, status=Status.COMPLETED)
        .select_related("client", "practitioner__user")
        .order_by("start")
    )
    first_visit: dict[Client, Appointment] = {}
    for appointment in completed:
        if appointment.client.last_name == LABEL:
            first_visit.setdefault(appointment.client, appointment)
    cohort = set(first_visit)
    Signature.objects.bulk_create(
        Signature(
            practice=practice,
            client=client,
            document=treatment,
            agreed=True,
            typed_name=client.full_name,
            text_sha256=treatment.text_sha256,
            signed_at=visit.start - timedelta(hours=1),
            user_agent="demo",
        )
        for client, visit in first_visit.items()
    )
    for appointment in completed:
        if appointment.client in cohort or treatment_consent_current(appointment.client):
            continue
        user = appointment.practitioner.user
        event = AppointmentEvent.objects.create(
            appointment=appointment,
            at=appointment.end,
            kind=EventKind.CONSENT_OVERRIDE,
            channel=Channel.STAFF,
            by_user=user,
            by_name=(user.get_full_name() or user.get_username()) if user else "",
            from_status=Status.BOOKED,
            to_status=Status.COMPLETED,
            reason=DEMO_OVERRIDE,
        )
        record(
            by=Actor(user, "practitioner", via=Via.COMMAND),
            action=Action.CHANGE,
            object_type="consent_override",
            object_id=event.pk,
            practice_id=practice.pk,
            client_id=appointment.client_id,
            reason=DEMO_OVERRIDE,
            detail=f"appointment {appointment.pk} marked completed without current treatment consent",
        )


@transaction.atomic
def remove_demo() -> None:
    """Delete the demo practice and everything in it (notes, appointments and clients first: they are
    protected). Signed notes are locked by the database too: their guards are set aside for this
    one transaction (longtide/notes/guards.py), as the database owner could. Raises NotTheDemo,
    deleting nothing, when the practice at the demo's slug is not the demo (check_is_demo)."""
    practice = Practice.objects.filter(slug=DEMO_SLUG).first()
    if practice is None:
        return
    check_is_demo(practice)
    with guards.set_aside():
        NoteAddendum.objects.filter(note__practice=practice)._raw_delete(NoteAddendum.objects.db)
        NoteCosignature.objects.filter(note__practice=practice)._raw_delete(NoteCosignature.objects.db)
        SessionNote.objects.filter(practice=practice)._raw_delete(SessionNote.objects.db)
        # The practice's note template versions (Settings → Note checklists / Note fields in the demo).
        NoteChecklist.objects.filter(practice=practice)._raw_delete(NoteChecklist.objects.db)

    from longtide.intake.models import Flag, Intake, Signature, VisitCheck

    Signature.objects.filter(practice=practice).delete()  # a queryset delete: the demo goes as a whole
    Flag.objects.filter(practice=practice).delete()
    VisitCheck.objects.filter(practice=practice).delete()
    Intake.objects.filter(practice=practice).delete()
    Appointment.objects.filter(practice=practice).delete()
    from longtide.measurement.models import DiaryEntry, Episode, QuestionnaireLink, Response

    Response.objects.filter(practice=practice).delete()
    DiaryEntry.objects.filter(practice=practice).delete()
    QuestionnaireLink.objects.filter(practice=practice).delete()
    Episode.objects.filter(practice=practice).delete()
    Client.objects.filter(practice=practice).delete()
    practice.delete()
