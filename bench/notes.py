"""Session notes: the autosave round trip and a client's notes page with 200 notes, each next to a
same-run floor.

    uv run python bench/notes.py                       # temporary SQLite file
    uv run python bench/notes.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic, gives one of its practitioners a login and one client `--notes` past
sessions with a signed note each (an addendum on every tenth), and opens a draft for today. Then,
interleaved round by round (floor, action, floor, …), through Django's test client (middleware,
view, template) as that practitioner:

- **autosave**: the HTMX POST the note page sends while the practitioner types (the whole form:
  validate, lock the draft, check the revision, write, audit, answer the status fragment) against
  a floor of one `UPDATE` of the draft's text on the driver's cursor in a transaction;
- **notes page**: the client's notes in order (`/staff/<practice>/clients/<id>/notes/`: the access
  rule, every note with its addenda, one audit row, the page) against a floor of the two bare
  `SELECT`s of the same rows (notes, addenda).

Prints the median and 90th percentile of each, and the ratio to its floor. Nothing here asserts a
time.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_database_argument(parser)
    parser.add_argument("--notes", type=int, default=200, help="signed notes of the one client")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--days", type=int, default=14, help="days of bookings in the large clinic")
    args = parser.parse_args()
    common.configure(args.database_url)
    practice, summary = common.seed(days=args.days)

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client as HttpClient
    from django.utils import timezone

    from longtide.audit.trail import Actor
    from longtide.clients.models import Client
    from longtide.notes.actions import add_addendum, save_draft, sign_note, start_note
    from longtide.practice.models import Role, StaffMembership
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment, Status
    from longtide.web.staff.notes_forms import NoteForm

    person = practice.practitioners.order_by("pk").first()
    user, _ = User.objects.get_or_create(username="bench-practitioner", defaults={"email": "p@bench.test"})
    person.user = user
    person.save(update_fields=["user"])
    StaffMembership.objects.get_or_create(practice=practice, user=user, defaults={"role": Role.PRACTITIONER})
    location = practice.locations.first()
    room = location.rooms.first()
    service = practice.services.first()
    client = Client.objects.create(practice=practice, first_name="Nora", last_name="Benchmark", email="nora@bench.test")
    zone = location.zone
    today = timezone.now().astimezone(zone).date()
    by = Actor(user, "practitioner")
    content = {
        "consent_confirmed": True,
        "position": "supine",
        "style": person.style or "biodynamic",
        "subjective": "Neck stiff after a long week at the desk; sleeping better since last time.",
        "pain_nrs": 4,
        "regions": ["neck", "head", "sacrum"],
        "holds": ["still_point_cv4"],
        "assessment": "Settled quickly; less guarding in the neck than last time.",
        "plan": "Weekly for three weeks, then review.",
    }

    def visit(day_offset: int) -> Appointment:
        # Before the large clinic's shifts (and today: two hours ago, so the session has begun).
        start = datetime.combine(today - timedelta(days=day_offset), time(6), tzinfo=zone)
        if day_offset == 0:
            start = timezone.now() - timedelta(hours=2)
        nonce = new_nonce()
        return Appointment.objects.create(
            practice=practice,
            location=location,
            service=service,
            practitioner=person,
            room=room,
            client=client,
            start=start,
            end=start + timedelta(minutes=60),
            blocked_start=start,
            blocked_end=start + timedelta(minutes=60),
            status=Status.COMPLETED,
            source="staff",
            manage_token_hash=hash_token(token_from_nonce(nonce)),
            manage_nonce=nonce,
        )

    for n in range(args.notes, 0, -1):
        note = start_note(visit(n), by=by, now=timezone.now())
        note = sign_note(save_draft(note, content, revision=0, by=by), by=by, now=timezone.now())
        if n % 10 == 0:
            add_addendum(note, reason="Client called", text="Slept well that night.", by=by, now=timezone.now())
    draft = start_note(visit(0), by=by, now=timezone.now())
    browser = HttpClient(HTTP_HOST="localhost")
    browser.force_login(user)
    note_url = f"/staff/{practice.slug}/appointments/{draft.appointment_id}/note/"
    notes_url = f"/staff/{practice.slug}/clients/{client.pk}/notes/"
    form = NoteForm(instance=draft)
    posted: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value in (None, False):
            continue
        posted[name] = value
    posted.update({"editor": "0123456789abcdef", "subjective": "Typing…"})

    def autosave() -> None:
        draft.refresh_from_db(fields=["revision"])
        posted["revision"] = draft.revision
        response = browser.post(note_url, posted, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.content[:300]

    def autosave_floor() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE notes_sessionnote SET subjective = %s, revision = revision + 1 WHERE id = %s",
                ["Typing…", draft.pk],
            )

    def notes_page() -> None:
        assert browser.get(notes_url).status_code == 200

    def notes_floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM notes_sessionnote WHERE client_id = %s ORDER BY session_date, id", [client.pk]
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT * FROM notes_noteaddendum WHERE note_id IN "
                "(SELECT id FROM notes_sessionnote WHERE client_id = %s)",
                [client.pk],
            )
            cursor.fetchall()
        assert len(rows) == args.notes + 1

    print(f"{common.machine()}; {common.describe_database()}")
    print(f"large clinic: {summary}; one client with {args.notes} signed notes; {args.runs} rounds")
    for name, action, floor in (("autosave", autosave, autosave_floor), ("notes page", notes_page, notes_floor)):
        took, base = [], []
        for _ in range(3):  # warm up
            floor(), action()
        for _ in range(args.runs):
            base.append(common.timed(floor))
            took.append(common.timed(action))
        ratio = common.median(took) / common.median(base)
        print(
            f"{name:10} median {common.median(took):7.2f} ms  p90 {common.percentile(took, 90):7.2f} ms"
            f"   floor median {common.median(base):6.2f} ms   ratio {ratio:5.1f}"
        )


if __name__ == "__main__":
    main()
