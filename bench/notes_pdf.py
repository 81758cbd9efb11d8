"""The PDF download of a note and of a 20-note episode, each against the print page of the same
notes (the HTML the browser prints), measured in the same run.

    uv run python bench/notes_pdf.py                       # temporary SQLite file
    uv run python bench/notes_pdf.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic (a few days of bookings), gives one of its practitioners a login and one
client `--notes` past sessions with a signed note each (an addendum on every fifth) and one care
episode holding them all. Then, interleaved round by round (print page, PDF, print page, …), through
Django's test client as that practitioner (access rule, query, a print audit row per note, the
template; the PDF adds fpdf2's layout of the same template's HTML):

- **one note**: `/appointments/<id>/note/print/` against `/appointments/<id>/note/pdf/`;
- **episode**: `/clients/<id>/notes/print/?episode=<id>` against `/clients/<id>/notes/pdf/?episode=<id>`.

Prints the median and 90th percentile of each, the PDF's size and pages, and the ratio PDF / print
page. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_database_argument(parser)
    parser.add_argument("--notes", type=int, default=20, help="signed notes of the one client (one episode)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--days", type=int, default=3, help="days of bookings in the large clinic")
    args = parser.parse_args()
    common.configure(args.database_url)
    practice, summary = common.seed(days=args.days)

    from django.contrib.auth.models import User
    from django.test import Client as HttpClient
    from django.utils import timezone

    from longtide.audit.trail import Actor
    from longtide.clients.models import Client
    from longtide.measurement.models import Episode
    from longtide.notes.actions import add_addendum, save_draft, sign_note, start_note
    from longtide.practice.models import Role, StaffMembership
    from longtide.scheduling.manage_links import hash_token, new_nonce, token_from_nonce
    from longtide.scheduling.models import Appointment, Status

    person = practice.practitioners.order_by("pk").first()
    user, _ = User.objects.get_or_create(username="bench-practitioner", defaults={"email": "p@bench.test"})
    person.user = user
    person.save(update_fields=["user"])
    StaffMembership.objects.get_or_create(practice=practice, user=user, defaults={"role": Role.PRACTITIONER})
    location = practice.locations.first()
    room = location.rooms.first()
    service = practice.services.first()
    client = Client.objects.create(practice=practice, first_name="Zoë", last_name="Ångström", email="zoe@bench.test")
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

    last = None
    for n in range(args.notes, 0, -1):
        note = start_note(visit(n), by=by, now=timezone.now())
        last = note
        note = sign_note(save_draft(note, content, revision=0, by=by), by=by, now=timezone.now())
        if n % 5 == 0:
            add_addendum(note, reason="Client called", text="Slept well that night.", by=by, now=timezone.now())
    assert last is not None
    episode = Episode.objects.create(
        practice=practice, client=client, concern="headache", opened_on=today - timedelta(days=args.notes)
    )
    browser = HttpClient(HTTP_HOST="localhost")
    browser.force_login(user)
    one = f"/staff/{practice.slug}/appointments/{last.appointment_id}/note/"
    many = f"/staff/{practice.slug}/clients/{client.pk}/notes/"
    query = {"episode": str(episode.pk)}

    def fetch(url: str, pdf: bool, params: dict[str, str]) -> Callable[[], bytes]:
        def run() -> bytes:
            response = browser.get(url, params)
            assert response.status_code == 200, response.content[:300]
            assert response["Content-Type"].startswith("application/pdf" if pdf else "text/html")
            return bytes(response.content)

        return run

    print(f"{common.machine()}; {common.describe_database()}")
    print(f"large clinic: {summary}; one client with {args.notes} signed notes in one episode; {args.runs} rounds")
    for name, page, pdf in (
        ("one note", fetch(one + "print/", False, {}), fetch(one + "pdf/", True, {})),
        (f"episode ({args.notes})", fetch(many + "print/", False, query), fetch(many + "pdf/", True, query)),
    ):
        document = pdf()
        pages = document.count(b"/Type /Page") - document.count(b"/Type /Pages")
        took, base = [], []
        for _ in range(2):  # warm up
            page(), pdf()
        for _ in range(args.runs):
            base.append(common.timed(page))
            took.append(common.timed(pdf))
        ratio = common.median(took) / common.median(base)
        print(
            f"{name:13} print page median {common.median(base):7.2f} ms  p90 {common.percentile(base, 90):7.2f} ms"
            f"   PDF median {common.median(took):7.2f} ms  p90 {common.percentile(took, 90):7.2f} ms"
            f"   ({len(document) / 1024:.0f} kB, {pages} pages)   ratio {ratio:5.1f}"
        )


if __name__ == "__main__":
    main()
