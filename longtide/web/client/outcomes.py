"""The client's questionnaire and headache-diary pages, reached from a private link (no login).

Plain forms that work without JavaScript on a phone. A questionnaire link takes one answer: a
second submit (the back button, a double tap) finds the stored answer and shows the same thank-you
page while the link has neither expired nor been voided (then it is gone, 410, like any dead link);
a self-harm answer's crisis resources come back with it only within CRISIS_SHOWN_AGAIN. Answers
that do not fit come back with one message per question and what was typed. A questionnaire that
is not complete is stored, and scored honestly as "not scorable".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.audit.models import Via
from longtide.audit.trail import Actor, Origin
from longtide.measurement import licences, links
from longtide.measurement.actions import (
    DIARY,
    Refused,
    diary_days_open,
    form_answers,
    practice_today,
    save_diary_day,
    set_diary_reminders,
    submit,
)
from longtide.measurement.crisis import crisis_text, raises_self_harm
from longtide.measurement.models import DiaryEntry, QuestionnaireLink, Response
from longtide.outcomes import instruments
from longtide.outcomes.instruments.definition import AlertKind, ChoiceItem, Instrument, NumberItem, Option
from longtide.outcomes.schedule import full_baseline_from
from longtide.outcomes.scoring import InvalidAnswers, alerts
from longtide.web import formats
from longtide.web.client.manage import contact_line

FIELD_MAX = 300
# How long after a self-harm answer its thank-you page still shows the crisis resources: the visit
# that answered (a back button, a reload), not an old email opened later by someone else.
CRISIS_SHOWN_AGAIN = timedelta(hours=1)


def _client_actor(request: HttpRequest) -> Actor:
    return Actor(None, "client", Origin.of(request), Via.WEB)


def _link(practice_slug: str, token: str) -> QuestionnaireLink:
    link = links.find(token)
    if link is None or link.client.practice.slug != practice_slug:
        raise Http404(_("This link is not valid. Please use the link in your email."))
    return link


def _gone(request: HttpRequest, link: QuestionnaireLink) -> HttpResponse:
    practice = link.client.practice
    context = {"practice": practice, "contact": contact_line(practice)}
    return render(request, "web/outcomes/expired.html", context, status=410)


def _typed(request: HttpRequest) -> dict[str, str]:
    return {
        key.replace("\x00", "")[:60]: request.POST.get(key, "").replace("\x00", "")[:FIELD_MAX]
        for key in list(request.POST)[:100]
        if key not in ("csrfmiddlewaretoken", "sync_id")
    }


def _option_label(option: Option, *, numbered: bool) -> str:
    """What a radio button says: its label; on a rating scale, whose middle options carry no words,
    the number with the end labels after it ("0 — Very mild", "1", …, "10 — Worst pain you can
    imagine")."""
    if numbered:
        return f"{option.value} — {option.label}" if option.label else str(option.value)
    return option.label or str(option.value)


def _items(instrument: Instrument, values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    shown = []
    for item in instrument.items:
        value = values.get(item.id)
        value = "" if value is None else str(value)
        entry: dict[str, Any] = {"id": item.id, "text": item.text, "value": value, "error": errors.get(item.id, "")}
        if item.when is not None:
            parent = next(i for i in instrument.items if i.id == item.when.item)
            answer = parent.option(item.when.equals) if isinstance(parent, ChoiceItem) else None
            entry["condition"] = _("Only if you answered “%(answer)s” above.") % {
                "answer": answer.label if answer else item.when.equals
            }
        if isinstance(item, ChoiceItem):
            entry["kind"] = "choice"
            numbered = any(o.label is None for o in item.options)
            entry["options"] = [
                {"value": str(o.value), "label": _option_label(o, numbered=numbered), "checked": value == str(o.value)}
                for o in item.options
            ]
        elif isinstance(item, NumberItem):
            entry["kind"] = "number"
            entry["minimum"], entry["maximum"], entry["unit"] = item.minimum, item.maximum, item.unit
        else:
            entry["kind"] = "text"
        shown.append(entry)
    return shown


def _live(link: QuestionnaireLink, now: datetime) -> bool:
    """Neither voided nor expired (answered or not: `links.works` also wants it unanswered)."""
    return link.voided_at is None and link.expires_at > now


def _thanks(request: HttpRequest, link: QuestionnaireLink, response: Response, now: datetime) -> HttpResponse:
    """The thank-you page, leading on to the next questionnaire sent with this one, if any. The
    crisis resources of a self-harm answer come back with it only for CRISIS_SHOWN_AGAIN after the
    answer (the back button, a double tap): whoever opens the same email later, in a shared inbox,
    sees only the thanks, not that the client reported thoughts of self-harm."""
    siblings = QuestionnaireLink.objects.filter(
        episode_id=link.episode_id, timepoint=link.timepoint, response__isnull=True
    ).exclude(pk=link.pk)
    following = next((s for s in siblings.order_by("pk") if links.works(s, now)), None)
    practice = link.client.practice
    context = {
        "practice": practice,
        "response": response,
        "next_path": links.path_of(following) if following is not None else "",
        "crisis": crisis_text(practice)
        if raises_self_harm(response.alerts) and now - response.submitted_at <= CRISIS_SHOWN_AGAIN
        else "",
    }
    return render(request, "web/outcomes/thanks.html", context)


@never_cache
def questionnaire(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    link = _link(practice_slug, token)
    if link.is_diary:
        return redirect("outcomes-diary", practice_slug=practice_slug, token=token)
    now = timezone.now()
    answered = Response.objects.filter(link=link).first()
    if answered is not None:
        # The stored answer's thanks (a double submit, the back button) only while the link itself
        # is live: an expired link, or one voided (the client's erasure request voids them all), is
        # gone like any other dead link, however it was answered.
        if not _live(link, now):
            return _gone(request, link)
        return _thanks(request, link, answered, now)
    if not links.works(link, now):
        return _gone(request, link)
    try:
        instrument = licences.instrument_for(link.practice, link.instrument)
    except licences.Unlicensed:
        return _gone(request, link)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _typed(request)
        try:
            done = submit(link=link, data=values, by=_client_actor(request), now=now)
        except InvalidAnswers as invalid:
            errors = {key: _(m.text) % dict(m.params) for key, m in invalid.problems.items()}
        except Refused:
            return _gone(request, link)
        else:
            return _thanks(request, link, done.response, now)
    # Answers that could not be stored yet still show the crisis resources at once.
    raised = alerts(instrument, form_answers(instrument, values)) if values else ()
    context = {
        "practice": link.client.practice,
        "instrument": instrument,
        "items": _items(instrument, values, errors),
        "errors": errors,
        "general_error": errors.get("*", ""),
        "crisis": crisis_text(link.client.practice) if any(a.kind is AlertKind.SELF_HARM for a in raised) else "",
    }
    return render(request, "web/outcomes/questionnaire.html", context, status=400 if errors else 200)


def _diary_context(link: QuestionnaireLink, today: date) -> dict[str, Any]:
    earliest, latest = diary_days_open(link, today)
    filled = {e.day: e for e in DiaryEntry.objects.filter(client_id=link.client_id, day__gte=earliest)}
    recent = []
    for back in range(14):
        day = latest - timedelta(days=back)
        if day < earliest:
            break
        entry = filled.get(day)
        recent.append({"day": day, "entry": entry, "complete": bool(entry and entry.complete)})
    zone = link.client.practice.locations.first()
    started = link.created_at.astimezone(zone.zone).date() if zone else link.created_at.date()
    return {
        "practice": link.client.practice,
        "recent": recent,
        "missing": sum(1 for r in recent if not r["complete"]),
        "today": today,
        "earliest": earliest,
        "first_session": link.episode.opened_on,
        "wait_until": full_baseline_from(diary_start=started, first_session=link.episode.opened_on, today=today),
    }


@never_cache
def diary(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The diary's page: today's entry first, then the last two weeks with the days to catch up."""
    link = _link(practice_slug, token)
    if not link.is_diary:
        return redirect("outcomes-questionnaire", practice_slug=practice_slug, token=token)
    if not links.works(link, timezone.now()):
        return _gone(request, link)
    today = practice_today(link.client.practice)
    return redirect("outcomes-diary-day", practice_slug=practice_slug, token=token, day=today.isoformat())


def _sync_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value[:40]) if value else None
    except ValueError:
        return None


@never_cache
def diary_day(request: HttpRequest, practice_slug: str, token: str, day: str) -> HttpResponse:
    link = _link(practice_slug, token)
    if not link.is_diary:
        raise Http404(_("This link is not a diary."))
    now = timezone.now()
    if not links.works(link, now):
        return _gone(request, link)
    try:
        on = date.fromisoformat(day)
    except ValueError:
        raise Http404(_("No such day.")) from None
    today = practice_today(link.client.practice, now)
    earliest, latest = diary_days_open(link, today)
    context = _diary_context(link, today)
    instrument = instruments.get(DIARY)
    existing = DiaryEntry.objects.filter(client_id=link.client_id, day=on).first()
    values: dict[str, Any] = dict(existing.answers) if existing else {}
    errors: dict[str, str] = {}
    general = ""
    rejected: uuid.UUID | None = None  # the phone's copy of a refused post: the page tells it to drop it
    if not earliest <= on <= latest:
        general = _("You can fill in today and the days before it, back to %(day)s.") % {
            "day": formats.current().date(earliest, "j F Y")
        }
    elif request.method == "POST":
        values = _typed(request)
        sync_id = _sync_id(request.POST.get("sync_id", ""))
        try:
            save_diary_day(link=link, day=on, data=values, by=_client_actor(request), now=now, sync_id=sync_id)
        except InvalidAnswers as invalid:
            errors = {key: _(m.text) % dict(m.params) for key, m in invalid.problems.items()}
            rejected = sync_id
        except Refused as refused:
            general = refused.message
            rejected = sync_id
        else:
            messages.success(request, _("Saved %(day)s.") % {"day": formats.current().date(on, "l j F")})
            missing = [r["day"] for r in _diary_context(link, today)["recent"] if not r["complete"]]
            target = missing[0] if missing else today
            return redirect("outcomes-diary-day", practice_slug=practice_slug, token=token, day=target.isoformat())
    context |= {
        "token": token,
        "day": on,
        "is_today": on == today,
        "entry": existing,
        "instrument": instrument,
        "items": _items(instrument, values, errors),
        "errors": errors,
        "general_error": general or errors.get("*", ""),
        "can_fill": earliest <= on <= latest,
        "reminders_on": link.diary_reminders,
        "rejected_sync": rejected,
    }
    status = 400 if (errors or (general and request.method == "POST")) else 200
    return render(request, "web/outcomes/diary_day.html", context, status=status)


@never_cache
def diary_shell(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The diary's page with no answers in it, kept by the service worker (client/diary_offline.py)
    and shown for any diary address the phone opens without a connection; its script works out the
    day from the address and keeps what is recorded on the phone until it can be sent."""
    link = _link(practice_slug, token)
    if not link.is_diary:
        raise Http404(_("This link is not a diary."))
    now = timezone.now()
    if not links.works(link, now):
        return _gone(request, link)
    today = practice_today(link.client.practice, now)
    context = _diary_context(link, today) | {
        "token": token,
        "day": today,
        "is_today": True,
        "entry": None,
        "instrument": instruments.get(DIARY),
        "items": _items(instruments.get(DIARY), {}, {}),
        "errors": {},
        "general_error": "",
        "can_fill": True,
        "reminders_on": link.diary_reminders,
        "shell": True,
    }
    return render(request, "web/outcomes/diary_day.html", context)


@never_cache
@require_POST
def diary_reminders(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """Switch the diary's daily reminder email on or off, then back to today's page."""
    link = _link(practice_slug, token)
    if not link.is_diary:
        raise Http404(_("This link is not a diary."))
    now = timezone.now()
    if not links.works(link, now):
        return _gone(request, link)
    wanted = request.POST.get("reminders", "")
    if wanted not in ("on", "off"):
        return HttpResponse(_("Choose on or off."), status=400, content_type="text/plain; charset=utf-8")
    try:
        set_diary_reminders(link=link, on=wanted == "on", by=_client_actor(request), now=now)
    except Refused:
        return _gone(request, link)
    if wanted == "on":
        messages.success(request, _("Daily reminders are on."))
    else:
        messages.success(request, _("Daily reminders are off. You can switch them on again here."))
    today = practice_today(link.client.practice, now)
    return redirect("outcomes-diary-day", practice_slug=practice_slug, token=token, day=today.isoformat())
