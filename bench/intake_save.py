"""Saving an intake step and reading the staff intake panel on the large clinic, next to a same-run floor.

    uv run python bench/intake_save.py                       # temporary SQLite file
    uv run python bench/intake_save.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic, then gives `--intakes` of its clients a submitted intake (a third with
flags) so the tables hold a clinic's worth of rows. Then, interleaved (floor, action, floor, …):

- **save a step**: `actions.save_step` on the safety screen (29 answers: check, lock the draft,
  write) against a floor of one `UPDATE` of the same intake row in a transaction;
- **staff panel**: what the staff intake page computes for a flagged client (`status.summary`, the
  current intake, its flags and signatures, the answers laid out against their form version, one
  audit row) against a floor of one primary-key `SELECT` of the intake.

Prints the median and 90th percentile of each, wall time, and the ratio to its floor. Nothing here
asserts a time; the issue's target is a step save well under 100 ms server time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_database_argument(parser)
    parser.add_argument("--intakes", type=int, default=600)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--days", type=int, default=90, help="days of bookings in the large clinic")
    parser.add_argument("--profile", action="store_true", help="profile the staff panel instead of timing")
    args = parser.parse_args()
    common.configure(args.database_url)
    practice, summary = common.seed(days=args.days)

    from django.db import transaction
    from django.utils import timezone

    from longtide.audit.trail import Actor, Origin
    from longtide.clients.models import Client
    from longtide.intake import actions, status
    from longtide.intake.display import answers_for_display
    from longtide.intake.models import Flag, Intake, Signature
    from longtide.intake.screening import SHIPPED, questions

    today = timezone.now().date()
    about = {"date_of_birth": "1980-01-01", "emergency_name": "A. Friend", "emergency_phone": "555 0100"}
    reasons = {"reasons": ["headache"], "severity_headache": "6", "goals": "Fewer headaches"}
    health = {"previous_bodywork": "none"}
    keys = [item.key for item in questions(SHIPPED)]

    def screen(yes: set[str]) -> dict[str, str]:
        return {f"q_{key}": "yes" if key in yes else "no" for key in keys}

    documents = actions.current_documents(practice)
    agreed = {d.pk for d in documents if d.kind != "intraoral"}
    clients = list(Client.objects.filter(practice=practice).order_by("pk")[: args.intakes + 1])
    started = time.perf_counter()
    for n, client in enumerate(clients[:-1]):
        intake = actions.draft_for(client)
        yes = {keys[n % len(keys)]} if n % 3 == 0 else set()
        for step, data in (("about", about), ("reasons", reasons), ("health", health), ("screen", screen(yes))):
            actions.save_step(intake, step, data, today=today)
        actions.submit(
            intake, actions.ConsentAnswer(agreed, client.full_name), origin=Origin(None, ""), today=today, alert=False
        )
    filled = time.perf_counter() - started
    target = clients[-1]
    draft = actions.draft_for(target)
    for step, data in (("about", about), ("reasons", reasons), ("health", health)):
        actions.save_step(draft, step, data, today=today)
    flagged = Flag.objects.filter(practice=practice).values_list("client_id", flat=True).first()
    assert flagged is not None, "the seeded intakes raise at least one flag"
    flagged_client = Client.objects.get(pk=flagged)
    actor = Actor(None, "owner", Origin("127.0.0.1", "bench"))

    def save() -> None:
        actions.save_step(draft, "screen", screen({"pregnant"}), today=today)

    def save_floor() -> None:
        with transaction.atomic():
            Intake.objects.filter(pk=draft.pk).update(updated_at=timezone.now())

    def panel() -> None:
        from longtide.audit.models import Action
        from longtide.audit.trail import record

        with transaction.atomic():
            status.summary(flagged_client)
            current = actions.current_intake(flagged_client)
            assert current is not None
            list(Flag.objects.filter(client=flagged_client))
            list(Signature.objects.filter(client=flagged_client).select_related("document")[:50])
            answers_for_display(current)
            record(
                by=actor,
                action=Action.VIEW,
                object_type="intake",
                practice_id=practice.pk,
                client_id=flagged_client.pk,
                object_id=current.pk,
                basis="owner",
            )

    def panel_floor() -> None:
        Intake.objects.filter(client=flagged_client).values_list("pk", "answers").first()

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()

        def ten_panels() -> None:
            for _ in range(10):
                panel()

        profiler.runcall(ten_panels)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    print(f"{common.machine()}; {common.describe_database()}")
    print(f"large clinic: {summary}; {len(clients) - 1} intakes made in {filled:.1f} s")
    for name, action, floor in (("save a step", save, save_floor), ("staff panel", panel, panel_floor)):
        took, base = [], []
        for _ in range(3):  # warm up
            action(), floor()
        for _ in range(args.runs):
            base.append(common.timed(floor))
            took.append(common.timed(action))
        ratio = common.median(took) / common.median(base)
        print(
            f"{name:12} median {common.median(took):7.2f} ms  p90 {common.percentile(took, 90):7.2f} ms"
            f"   floor median {common.median(base):6.2f} ms   ratio {ratio:5.1f}"
        )


if __name__ == "__main__":
    main()
