"""A daily reminder to fill in the headache diary, which the client can switch off.

The worker's `outcomes` planner (schedule.py) calls `plan_diary_reminders` about once a minute.
From `REMIND_AT` (practice time) it queues one email per working diary link and day
(dedupe key `diary-reminder:<link>:<yyyy-mm-dd>`) when:

- the client has not switched reminders off (`QuestionnaireLink.diary_reminders`, the diary page);
- today is not filled in yet;
- the diary is in use: the link is under `QUIET_AFTER` old, or a day was filled in within the last
  `QUIET_AFTER` (a client who stopped is not nagged);
- the episode is open and the client has an email address.

The email says only that it is time for "your daily diary", that missed days can be filled in too,
and how to stop the reminders; nothing clinical (no "headache"). Right before sending, the worker
checks again: the link still works, reminders are still on, today still empty (messages.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from longtide.measurement import links
from longtide.measurement.actions import is_open
from longtide.measurement.messages import DIARY_REMINDER_PURPOSE as PURPOSE
from longtide.measurement.models import DiaryEntry, QuestionnaireLink, Timepoint
from longtide.notifications.links import placeholder
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.practice.models import Location

REMIND_AT = time(19, 0)
QUIET_AFTER = timedelta(days=7)


def _zone(practice_id: int, cache: dict[int, ZoneInfo]) -> ZoneInfo:
    if practice_id not in cache:
        location = Location.objects.filter(practice_id=practice_id).order_by("pk").first()
        cache[practice_id] = location.zone if location else ZoneInfo("UTC")
    return cache[practice_id]


def plan_diary_reminders(now: datetime) -> int:
    """Queue today's diary reminders that are due; return how many were queued."""
    rows = QuestionnaireLink.objects.filter(
        timepoint=Timepoint.DIARY, voided_at__isnull=True, expires_at__gt=now, diary_reminders=True
    ).select_related("client", "client__practice", "episode", "episode__practice")
    zones: dict[int, ZoneInfo] = {}
    made = 0
    for link in rows:
        zone = _zone(link.practice_id, zones)
        local = now.astimezone(zone)
        today = local.date()
        if local.time() < REMIND_AT or not link.client.email or not links.works(link, now):
            continue
        days = set(
            DiaryEntry.objects.filter(
                client_id=link.client_id, day__gte=today - QUIET_AFTER, complete=True
            ).values_list("day", flat=True)
        )
        if today in days:
            continue
        if not days and now - link.created_at > QUIET_AFTER:
            continue
        key = f"diary-reminder:{link.pk}:{today.isoformat()}"
        if Message.objects.filter(practice_id=link.practice_id, dedupe_key=key).exists():
            continue
        if not is_open(link.episode, today):
            continue
        end_of_day = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
        practice = link.client.practice
        body = _(
            "Hello %(first_name)s,\n\n"
            "A reminder from %(practice)s: it is time for today's entry in your daily diary. It takes a few "
            "taps. If you missed a day, you can fill it in too.\n\n%(link)s\n\n"
            "To stop these reminders, use the switch at the bottom of the diary page.\n\n%(practice)s"
        ) % {"first_name": link.client.first_name, "practice": practice.name, "link": placeholder("outcomes_url")}
        with transaction.atomic():
            queue(
                practice_id=link.practice_id,
                messages=[
                    NewMessage(
                        purpose=PURPOSE,
                        channel=Channel.EMAIL,
                        recipient=link.client.email,
                        dedupe_key=key,
                        about=f"outcomes-link:{link.pk}",
                        subject=_("Your daily diary for %(practice)s") % {"practice": practice.name},
                        body_text=body,
                        reply_to=practice.email,
                        send_after=now,
                        expires_at=end_of_day,
                    )
                ],
            )
        made += 1
    return made
