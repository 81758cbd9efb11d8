"""Episodes that open by themselves, and each episode's scheduled questionnaires.

The worker calls `plan_outcomes` about once a minute (notifications/subjects.py), like the
reminders and the check-ins:

1. **Opening.** A client with a booked visit (or one completed in the last `OPEN_LOOKBACK`), an
   intake whose main concern names a concern, and no open episode gets one: the concern from the
   intake fixes the primary questionnaire (outcomes/concerns.py), day 0 is that first visit's date,
   and the visit is kept (`Episode.opened_for`, unique) so two workers racing over one booking open
   one episode; the client's row is locked while deciding, and the client's lapsed episodes are
   closed in the same transaction (actions.close_lapsed), so the new episode's visits never make
   them open again. A client without a main concern in their intake gets no episode by itself (the
   practitioner opens one on the outcomes page). Until the first session is done, an automatic
   episode's day 0 follows its first visit when that is moved (or cancelled and another booked).
2. **Sending.** For every episode, the timepoints of outcomes/schedule.py whose time has come:
   a `PlannedSend` row per episode and timepoint (unique) is written first, then the links (the
   primary questionnaires; PGIC too at follow-ups; the headache diary's link at baseline) and one
   email, whose dedupe key is `outcomes-plan:<episode>:<timepoint>`. So a timepoint is never sent
   twice, and a timepoint whose time passed while the worker was down is sent only while it can
   still be answered inside its window. The email carries no clinical content (messages.py); the
   links are on the client's booking page too, also for a client without an email address.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q

from longtide.audit.models import Action
from longtide.audit.trail import Actor, record
from longtide.clients.models import Client
from longtide.intake.models import Intake, IntakeStatus
from longtide.measurement import links
from longtide.measurement.actions import (
    DIARY,
    close_lapsed,
    default_primary,
    is_open,
    last_days,
    offered_ids,
    practice_today,
)
from longtide.measurement.messages import queue_link
from longtide.measurement.models import (
    Episode,
    MeasurementSettings,
    PlannedSend,
    QuestionnaireLink,
    Response,
    Timepoint,
)
from longtide.notifications.models import Message
from longtide.outcomes import schedule as timing
from longtide.outcomes import windows
from longtide.outcomes.concerns import PLANS, Concern
from longtide.practice.models import Location
from longtide.scheduling.models import Appointment, Status

OPEN_LOOKBACK = timedelta(days=14)  # a visit this recent (done, or not yet marked) still opens an episode
OPEN_HORIZON = timedelta(days=366)  # booked visits this far ahead open one
# An episode has nothing left to send after its week-12 window closes (day 105).
SEND_SPAN = timedelta(days=windows.WEEK_12.target_day + windows.WEEK_12.after + 1)
DEFAULT_INACTIVITY = MeasurementSettings._meta.get_field("inactivity_days").default
UTC = ZoneInfo("UTC")


def plan_outcomes(now: datetime) -> int:
    """The worker's planner: open the episodes due, send the timepoints due, queue the diary
    reminders due (diary_reminders.py); return how many."""
    from longtide.measurement.diary_reminders import plan_diary_reminders

    return open_due_episodes(now) + plan_sends(now) + plan_diary_reminders(now)


# Opening.


def _zones(practice_ids: set[int]) -> dict[int, ZoneInfo]:
    zones: dict[int, ZoneInfo] = {}
    for location in Location.objects.filter(practice_id__in=practice_ids).order_by("pk"):
        zones.setdefault(location.practice_id, location.zone)
    return zones


def _main_concerns(client_ids: set[int]) -> dict[int, Concern]:
    """Each client's main concern from their latest submitted intake (when it names one)."""
    found: dict[int, Concern] = {}
    rows = (
        Intake.objects.filter(client_id__in=client_ids, status=IntakeStatus.SUBMITTED)
        .order_by("client_id", "-submitted_at")
        .values_list("client_id", "answers")
    )
    seen: set[int] = set()
    for client_id, answers in rows:
        if client_id in seen:
            continue
        seen.add(client_id)
        main = ((answers or {}).get("reasons") or {}).get("main_reason") if isinstance(answers, dict) else None
        try:
            found[client_id] = Concern(str(main))
        except ValueError:
            continue
    return found


def open_due_episodes(now: datetime) -> int:
    """Open an episode for each client whose first visit of a course of care is booked (or was just
    completed) and who has no open episode and a main concern; return how many were opened."""
    visits = (
        Appointment.objects.filter(
            status__in=[Status.BOOKED, Status.COMPLETED], start__gte=now - OPEN_LOOKBACK, start__lte=now + OPEN_HORIZON
        )
        .exclude(client_id__isnull=True)
        .order_by("start")
        .values_list("pk", "client_id", "practice_id", "start")
    )
    first: dict[int, tuple[int, int, datetime]] = {}
    candidates: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, client_id, practice_id, start in visits:
        first.setdefault(client_id, (pk, practice_id, start))
        candidates[client_id].append((pk, start))
    if not first:
        return 0
    concerns = _main_concerns(set(first))
    if not concerns:
        return 0
    client_ids = set(concerns)
    zones = _zones({first[c][1] for c in client_ids})
    inactivity = dict(MeasurementSettings.objects.values_list("practice_id", "inactivity_days"))
    last_visit: dict[int, date] = {}
    for client_id, start, practice_id in (
        Appointment.objects.filter(client_id__in=client_ids, status=Status.COMPLETED)
        .order_by("start")
        .values_list("client_id", "start", "practice_id")
    ):
        last_visit[client_id] = start.astimezone(zones.get(practice_id, UTC)).date()
    floor: dict[int, date] = {}  # visits on or before this day belong to an earlier episode
    busy: set[int] = set()  # clients with an open episode
    episodes = list(
        Episode.objects.filter(client_id__in=client_ids).only(
            "pk", "client_id", "practice_id", "concern", "opened_on", "closed_on"
        )
    )
    ends = last_days(episodes)
    for episode in episodes:
        client_id, practice_id, opened_on, closed_on = (
            episode.client_id,
            episode.practice_id,
            episode.opened_on,
            episode.closed_on,
        )
        if closed_on is None and ends[episode.pk] is not None:
            continue  # followed by a newer episode for its concern: that one says whether it is open
        if closed_on is not None:
            floor[client_id] = max(floor.get(client_id, closed_on), closed_on)
            continue
        latest = max(d for d in (opened_on, last_visit.get(client_id)) if d is not None)
        today = now.astimezone(zones.get(practice_id, UTC)).date()
        if today - latest <= timedelta(days=inactivity.get(practice_id, DEFAULT_INACTIVITY)):
            busy.add(client_id)
        else:
            floor[client_id] = max(floor.get(client_id, latest), latest)
    opened = 0
    for client_id, concern in concerns.items():
        if client_id in busy:
            continue
        zone = zones.get(first[client_id][1], UTC)
        after = floor.get(client_id)
        visit = next(
            (
                (pk, start)
                for pk, start in candidates[client_id]
                if after is None or start.astimezone(zone).date() > after
            ),
            None,
        )
        if visit is None:
            continue
        if open_for_visit(
            client_id=client_id, visit_id=visit[0], concern=concern, day=visit[1].astimezone(zone).date(), now=now
        ):
            opened += 1
    return opened


def open_for_visit(*, client_id: int, visit_id: int, concern: Concern, day: date, now: datetime) -> Episode | None:
    """Open the client's episode for the visit's course of care, unless one is open already or this
    visit opened one; idempotent and safe when two workers call it at once."""
    with transaction.atomic():
        client = Client.objects.select_for_update().select_related("practice").filter(pk=client_id).first()
        if client is None or Episode.objects.filter(opened_for_id=visit_id).exists():
            return None
        today = practice_today(client.practice, now)
        # Lapsed episodes end before this one: its visits must not make them open again. Undone
        # when no episode opens here.
        before = transaction.savepoint_create()
        close_lapsed(client, today=today, first_day=day)
        if any(is_open(other, today) for other in Episode.objects.filter(client=client, closed_on__isnull=True)):
            transaction.savepoint_rollback(before)
            return None
        primary = default_primary(concern)
        if primary and primary != DIARY and primary not in offered_ids(client.practice):
            primary = ""
        try:
            with transaction.atomic():
                episode = Episode.objects.create(
                    practice_id=client.practice_id,
                    client=client,
                    concern=concern,
                    primary_instrument=primary,
                    opened_on=day,
                    opened_for_id=visit_id,
                )
        except IntegrityError:  # another worker opened it for this visit a moment ago
            transaction.savepoint_rollback(before)
            return None
        record(
            by=Actor.system(),
            action=Action.CREATE,
            object_type="episode",
            practice_id=client.practice_id,
            client_id=client.pk,
            object_id=episode.pk,
            detail="opened at booking",
        )
    return episode


# Sending.


def instruments_for(episode: Episode, timepoint: str, *, has_diary_link: bool) -> list[str]:
    """What a scheduled timepoint asks: the episode's primary questionnaire and the concern's other
    primary ones (the diary at baseline, or when its link has lapsed), PGIC at follow-ups; only what
    the practice may use."""
    try:
        plan = PLANS[Concern(episode.concern)]
    except ValueError:
        return []
    wanted: list[str] = []
    for instrument in [episode.primary_instrument, *plan.primary[1:]]:
        if instrument and instrument not in wanted:
            wanted.append(instrument)
    if timepoint != Timepoint.BASELINE:
        wanted += [i for i in plan.follow_up if i not in wanted]
    usable = offered_ids(episode.practice)
    found = [i for i in wanted if i in usable]
    if DIARY in wanted and (timepoint == Timepoint.BASELINE or not has_diary_link):
        found.insert(0, DIARY)
    return found


def _facts(
    episode: Episode,
    until: date | None,
    zone: ZoneInfo,
    completed: list[datetime],
    booked: list[tuple[int, datetime]],
    now: datetime,
) -> timing.EpisodeFacts | None:
    days = sorted({s.astimezone(zone).date() for s in completed})
    sessions = [d for d in days if d >= episode.opened_on and (until is None or d <= until)]
    upcoming = [(pk, start) for pk, start in booked if start > now]
    first_visit_start: datetime | None = None
    if not sessions and episode.closed_on is None:
        mine = [start for pk, start in upcoming if pk == episode.opened_for_id]
        chosen = mine[0] if mine else (upcoming[0][1] if upcoming else None)
        if chosen is not None:
            day = chosen.astimezone(zone).date()
            if episode.opened_for_id is not None and day != episode.opened_on:
                # The first visit moved (or another one replaced it): day 0 follows it, and so
                # does the baseline.
                Episode.objects.filter(pk=episode.pk).update(opened_on=day)
                episode.opened_on = day
                baseline_follows(episode, chosen, now=now)
            if day == episode.opened_on:
                first_visit_start = chosen
    later = [start for _pk, start in upcoming if not sessions or start.astimezone(zone).date() > sessions[-1]]
    return timing.EpisodeFacts(
        first_session=episode.opened_on,
        first_visit_start=first_visit_start,
        sessions=sessions,
        next_visit_start=later[0] if later and episode.closed_on is None else None,
        opened_at=min(episode.created_at, now),
        diary=episode.primary_instrument == DIARY,
        zone=zone,
    )


def baseline_follows(episode: Episode, first_visit_start: datetime, *, now: datetime) -> None:
    """The first visit moved before it happened (day 0 is already its new day): the baseline must
    still fall before it. An answer given inside the new baseline window (the 28 days up to day 0)
    stays the baseline, and the timepoint's questions not yet answered work until the new first
    visit starts (no longer: an answer after the first session is no baseline). With no answer in
    the new window, the links sent are withdrawn and the baseline is sent again at its usual time
    before the new first visit (BASELINE_LEAD; at once if that is past), as a new timepoint send
    with its own email. A baseline not sent yet needs nothing: it goes at the new time."""
    with transaction.atomic():
        planned = PlannedSend.objects.select_for_update().filter(episode=episode, timepoint=Timepoint.BASELINE).first()
        if planned is None:
            return
        first, last = windows.BASELINE.bounds(episode.opened_on)
        answered = Response.objects.filter(
            episode=episode, timepoint=Timepoint.BASELINE, taken_on__gte=first, taken_on__lte=last
        ).exists()
        waiting = QuestionnaireLink.objects.filter(
            episode=episode, timepoint=Timepoint.BASELINE, response__isnull=True, voided_at__isnull=True
        )
        if answered:
            waiting.update(expires_at=first_visit_start)
            planned.expires_at = first_visit_start
            planned.save(update_fields=["expires_at"])
            detail = "baseline follows the moved first visit"
        else:
            waiting.update(voided_at=now)
            planned.delete()
            detail = "baseline to be sent again before the moved first visit"
        record(
            by=Actor.system(),
            action=Action.CHANGE,
            object_type="episode",
            practice_id=episode.practice_id,
            client_id=episode.client_id,
            object_id=episode.pk,
            detail=detail,
        )


def plan_sends(now: datetime) -> int:
    """Send every episode's timepoints that are due and not sent yet; return how many were sent."""
    earliest = (now - SEND_SPAN - timedelta(days=1)).date()
    episodes = list(
        Episode.objects.filter(opened_on__gte=earliest)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=earliest))
        .select_related("client", "practice")
        .order_by("pk")
    )
    if not episodes:
        return 0
    client_ids = {e.client_id for e in episodes}
    zones = _zones({e.practice_id for e in episodes})
    completed: dict[int, list[datetime]] = defaultdict(list)
    booked: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, client_id, start, status in (
        Appointment.objects.filter(client_id__in=client_ids, status__in=[Status.COMPLETED, Status.BOOKED])
        .filter(start__gte=now - SEND_SPAN - timedelta(days=2))
        .order_by("start")
        .values_list("pk", "client_id", "start", "status")
    ):
        if status == Status.COMPLETED:
            completed[client_id].append(start)
        else:
            booked[client_id].append((pk, start))
    done = set(PlannedSend.objects.filter(episode__in=[e.pk for e in episodes]).values_list("episode_id", "timepoint"))
    inactivity = dict(MeasurementSettings.objects.values_list("practice_id", "inactivity_days"))
    # A newer episode for the same concern opens after every older one, so it is in `episodes` too.
    ends = last_days(episodes)
    sent = 0
    for episode in episodes:
        if episode.client.stays_erased:
            continue  # erasure voided their questionnaire links: none are made again
        if episode.lapsed or (episode.closed_on is None and ends[episode.pk] is not None):
            continue  # lapsed (closed when the next episode opened), or followed by a newer one
        zone = zones.get(episode.practice_id, UTC)
        today = now.astimezone(zone).date()
        # Episode.is_open from the rows loaded above (actions.is_open would query per episode).
        visits = [d for s in completed[episode.client_id] if (d := s.astimezone(zone).date()) >= episode.opened_on]
        last_visit = max(visits, default=None)
        if episode.closed_on is None and not episode.is_open(
            today, last_visit=last_visit, inactivity_days=inactivity.get(episode.practice_id, DEFAULT_INACTIVITY)
        ):
            continue
        facts = _facts(episode, ends[episode.pk], zone, completed[episode.client_id], booked[episode.client_id], now)
        if facts is None:
            continue
        for due in timing.due_sends(facts, now=now):
            if (episode.pk, due.timepoint) in done:
                continue
            if episode.closed_on is not None and due.timepoint != Timepoint.WEEK_12:
                continue
            if send_due(episode, due, now=now):
                sent += 1
    return sent


def send_due(episode: Episode, due: timing.Due, *, now: datetime) -> bool:
    """Send one timepoint of one episode (once: the PlannedSend row is unique); True if sent now."""
    has_diary_link = any(
        links.works(link, now)
        for link in QuestionnaireLink.objects.filter(client_id=episode.client_id, timepoint=Timepoint.DIARY)
    )
    wanted = instruments_for(episode, due.timepoint, has_diary_link=has_diary_link)
    if not wanted:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                PlannedSend.objects.create(
                    episode=episode,
                    timepoint=due.timepoint,
                    planned_at=now,
                    send_after=due.send_after,
                    expires_at=due.expires_at,
                    instruments=wanted,
                    emailed=bool(episode.client.email),
                )
        except IntegrityError:  # another worker sent it a moment ago
            return False
        made = [
            links.new_link(
                episode,
                instrument,
                Timepoint.DIARY if instrument == DIARY else due.timepoint,
                now=now,
                expires_at=None if instrument == DIARY else due.expires_at,
            )
            for instrument in wanted
        ]
        if episode.client.email:
            key = f"outcomes-plan:{episode.pk}:{due.timepoint}"
            again = Message.objects.filter(practice_id=episode.practice_id, dedupe_key=key)
            if due.timepoint == Timepoint.BASELINE and again.exists():
                key = f"{key}:{episode.opened_on.isoformat()}"  # sent again: the first visit moved
                if Message.objects.filter(practice_id=episode.practice_id, dedupe_key=key).exists():
                    # Moved back to a day it was sent for before: these are new links, a new email.
                    key = f"{key}:{made[0].pk}"
            queue_link(made[0], now=now, dedupe_key=key)
        for link in made:
            record(
                by=Actor.system(),
                action=Action.CREATE,
                object_type="questionnaire_link",
                practice_id=episode.practice_id,
                client_id=episode.client_id,
                object_id=link.pk,
                detail=f"{link.instrument} {due.timepoint} (scheduled)",
            )
    return True
