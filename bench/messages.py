"""Messages: enqueueing a day of reminders for the large clinic, and the worker's messages per
second, each next to a same-run floor.

    uv run python bench/messages.py                      # SQLite in a temporary file
    uv run python bench/messages.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic (20 practitioners, 6 rooms, `--days` days from tomorrow, fill 0.6), then:

1. **Planning**: the reminder planner (`scheduling.reminders.plan_reminders`) run once per hour
   over one day (24 runs; the worker runs it every minute, each run planning an hour ahead, so this
   is a day's work), creating the day's reminders at the default 48 h and 24 h offsets. Floor: a
   `bulk_create` of the same number of outbox rows (the inserts alone, no rendering, no lookups).
2. **Sending**: `notifications.delivery.deliver_due` sends those reminders (made due) the way the
   worker does: claim each with its compare-and-set, check the visit is still booked, fill in the
   private link, hand it to the mailer (Django's dummy backend: nothing leaves the machine), record
   the outcome. Floor: for each message, one bare `UPDATE … WHERE id` and one send of the same
   subject and text through the same mailer.

The ratios (work / floor) are what to compare across machines and commits; wall and this
process's CPU time are both given (CPU is steadier when other processes load the machine).
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def timed_ms(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter_ns(), time.process_time_ns()
    fn()
    return (time.perf_counter_ns() - wall) / 1e6, (time.process_time_ns() - cpu) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--days", type=int, default=4, help="days of appointments to seed (at least 3)")
    args = parser.parse_args()
    print(common.machine())
    common.configure(args.database_url)
    print(common.describe_database())
    _practice, summary = common.seed(days=max(3, args.days))
    print(summary)

    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    from longtide.notifications.delivery import deliver_due
    from longtide.notifications.models import Channel, Message, State
    from longtide.sampledata.large_clinic import TIME_ZONE, first_seed_day
    from longtide.scheduling.message_texts import Purpose
    from longtide.scheduling.reminders import plan_reminders

    zone = ZoneInfo(TIME_ZONE)
    # Planning starts at midnight of the first seeded day: its runs create the 24 h reminders of
    # the next day's visits and the 48 h reminders of the day after's.
    start = datetime.combine(first_seed_day(), clock(0), tzinfo=zone)

    def plan_a_day() -> None:
        for hour in range(24):
            plan_reminders(start + timedelta(hours=hour))

    plan_wall, plan_cpu = timed_ms(plan_a_day)
    reminders = list(Message.objects.filter(purpose=Purpose.REMINDER).order_by("pk"))
    count = len(reminders)
    if not count:
        print("no reminders planned: nothing to measure")
        return 1

    def floor_inserts() -> None:
        Message.objects.bulk_create(
            [
                Message(
                    practice_id=m.practice_id,
                    purpose="bench.floor",
                    channel=m.channel,
                    recipient=m.recipient,
                    dedupe_key=f"floor:{m.pk}",
                    subject=m.subject,
                    body_text=m.body_text,
                    body_html=m.body_html,
                    send_after=m.send_after,
                )
                for m in reminders
            ]
        )

    floor_wall, floor_cpu = timed_ms(floor_inserts)
    Message.objects.filter(purpose="bench.floor").delete()

    # Sending: make the reminders due now (their visits are all in the future).
    Message.objects.filter(purpose=Purpose.REMINDER).update(send_after=timezone.now() - timedelta(minutes=1))
    sent = 0

    def send_all() -> None:
        nonlocal sent
        while True:
            report = deliver_due(worker="bench", limit=100)
            sent += report.sent
            if report.claimed == 0:
                return

    send_wall, send_cpu = timed_ms(send_all)
    emails = [m for m in reminders if m.channel == Channel.EMAIL]

    def floor_sends() -> None:
        now = timezone.now()
        for m in emails:
            Message.objects.filter(pk=m.pk).update(status=State.SENT, sent_at=now)
            EmailMultiAlternatives(m.subject, m.body_text, to=[m.recipient]).send()

    floor_send_wall, floor_send_cpu = timed_ms(floor_sends)

    columns = ["messages", "ms", "floor ms", "ratio", "CPU ms", "floor CPU", "ratio"]
    widths = [8, 9, 9, 6, 9, 9, 6]  # as in the rows below
    print(f"{'step':<34} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    print(
        f"{'plan a day of reminders (24 runs)':<34} {count:>8} {plan_wall:>9.0f} {floor_wall:>9.0f} "
        f"{plan_wall / floor_wall:>6.1f} {plan_cpu:>9.0f} {floor_cpu:>9.0f} "
        f"{plan_cpu / max(floor_cpu, 0.001):>6.1f}"
    )
    print(
        f"{'send them (deliver_due)':<34} {sent:>8} {send_wall:>9.0f} {floor_send_wall:>9.0f} "
        f"{send_wall / floor_send_wall:>6.1f} {send_cpu:>9.0f} {floor_send_cpu:>9.0f} "
        f"{send_cpu / max(floor_send_cpu, 0.001):>6.1f}"
    )
    print(
        f"worker: {sent / (send_wall / 1000):.0f} messages/s wall, {sent / (send_cpu / 1000):.0f}/s CPU; "
        f"planning: {count / (plan_wall / 1000):.0f} reminders/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
