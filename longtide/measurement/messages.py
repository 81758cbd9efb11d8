"""The email with a questionnaire or diary link. Like every message it carries nothing clinical:
not the questionnaire's name (which could tell what the client is seen for), only that the
practice asks a few questions; the link is a placeholder filled at send time (the outbox stores
no token)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.measurement import links
from longtide.measurement.crisis import ALERT_PURPOSE
from longtide.measurement.models import DiaryEntry, QuestionnaireLink
from longtide.notifications.links import placeholder
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue

LINK_PURPOSE = "outcomes.link"
DIARY_REMINDER_PURPOSE = "outcomes.diary_reminder"
PURPOSE_LABELS = {
    LINK_PURPOSE: gettext_lazy("Questionnaire or diary link"),
    DIARY_REMINDER_PURPOSE: gettext_lazy("Daily diary reminder"),
    ALERT_PURPOSE: gettext_lazy("Questionnaire answer needs attention (to a practitioner)"),
}


def queue_link(link: QuestionnaireLink, *, now: datetime, dedupe_key: str = "") -> None:
    """Queue the email with the link (in the caller's transaction). A scheduled send names its own
    dedupe key (one per episode and timepoint: measurement/schedule.py)."""
    client, practice = link.client, link.client.practice
    body = _(
        "Hello %(first_name)s,\n\n"
        "%(practice)s would like to ask you a few short questions about how you are. "
        "It takes a minute or two and works on a phone.\n\n"
        "%(link)s\n\n"
        "The link is only for you: please do not share it.\n\n%(practice)s"
    ) % {"first_name": client.first_name, "practice": practice.name, "link": placeholder("outcomes_url")}
    queue(
        practice_id=practice.pk,
        messages=[
            NewMessage(
                purpose=LINK_PURPOSE,
                channel=Channel.EMAIL,
                recipient=client.email,
                dedupe_key=dedupe_key or f"outcomes-link:{link.pk}",
                about=f"outcomes-link:{link.pk}",
                subject=_("A few questions from %(practice)s") % {"practice": practice.name},
                body_text=body,
                reply_to=practice.email,
                send_after=now,
                expires_at=link.expires_at,
            )
        ],
    )


def _link_of(message: Message) -> QuestionnaireLink | None:
    kind, _sep, pk = message.about.partition(":")
    if kind != "outcomes-link" or not pk.isdigit():
        return None
    return QuestionnaireLink.objects.select_related("client", "client__practice").filter(pk=int(pk)).first()


def unwanted_because(message: Message, now: datetime) -> str | None:
    link = _link_of(message)
    if link is None or not links.works(link, now):
        return _("Not sent: the questionnaire was answered, replaced by a newer link, or expired.")
    if message.purpose == DIARY_REMINDER_PURPOSE:
        return _diary_reminder_unwanted(link, message.dedupe_key)
    return None


def _diary_reminder_unwanted(link: QuestionnaireLink, dedupe_key: str) -> str | None:
    """A diary reminder (diary_reminders.py) goes only while reminders are on and the day is empty."""
    if not link.diary_reminders:
        return _("Not sent: the client switched diary reminders off.")
    try:
        day = date.fromisoformat(dedupe_key.rsplit(":", 1)[-1])
    except ValueError:
        return None
    if DiaryEntry.objects.filter(client_id=link.client_id, day=day, complete=True).exists():
        return _("Not sent: the client has filled in the day already.")
    return None


def links_for(message: Message) -> dict[str, str]:
    link = _link_of(message)
    if link is None or links.token_of(link) is None:
        return {}
    return {"outcomes_url": links.url_of(link)}


def current_recipient(message: Message) -> str | None:
    link = _link_of(message)
    return link.client.email if link else None
