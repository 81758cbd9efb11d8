"""Composing a message from a kind (declared by the code that sends it), the practice's own wording
if it has any, and a fixed dictionary of fields.

A kind says what the message is for, on which channel, which fields its template may use (with
a word on each for the person editing it), and its default wording. The code that owns the
kind builds the fields from non-clinical facts only; the template language can reach nothing
else (template_language.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext

from longtide.notifications import template_language
from longtide.notifications.email_html import email_html
from longtide.notifications.models import Channel, MessageTemplate
from longtide.notifications.sms import gsm_friendly

SMS_OPT_OUT = "Reply STOP to opt out."
SUBJECT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class MessageKind:
    purpose: str
    channel: Channel
    label: str | Promise
    body: str | Promise  # translatable defaults: turned into text in the active language when used
    subject: str | Promise = ""
    # field name → what it holds, shown next to the template editor
    fields: Mapping[str, str] = field(default_factory=dict)
    # link placeholder name → button label, when a paragraph is only that link (email)
    button_labels: Mapping[str, str | Promise] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.purpose}.{self.channel}"


@dataclass(frozen=True, slots=True)
class Wording:
    subject: str
    body: str
    customised: bool


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str
    text: str
    html: str


def wordings(practice_id: int, kinds: Iterable[MessageKind]) -> dict[str, Wording]:
    """Return the wording of each kind for the practice (its own, else the default), in one query."""
    kinds = list(kinds)
    purposes = sorted({k.purpose for k in kinds})
    # Plain SQL: every booking reads its message's wording, and the ORM's query cost more than it.
    sql = (
        f"SELECT purpose, channel, subject, body FROM {connection.ops.quote_name(MessageTemplate._meta.db_table)} "  # noqa: S608 (our table, placeholders)
        f"WHERE practice_id = %s AND purpose IN ({', '.join(['%s'] * len(purposes))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [practice_id, *purposes])
        own = {(purpose, channel): (subject, body) for purpose, channel, subject, body in cursor.fetchall()}
    found: dict[str, Wording] = {}
    for kind in kinds:
        template = own.get((kind.purpose, str(kind.channel)))
        if template is None:
            found[kind.key] = Wording(str(kind.subject), str(kind.body), customised=False)
        else:
            found[kind.key] = Wording(template[0], template[1], customised=True)
    return found


def compose(kind: MessageKind, wording: Wording, fields: Mapping[str, str], *, lang: str = "en") -> Composed:
    """Return the subject, text and (for email) HTML of one message."""
    text = template_language.render(wording.body, fields).strip() + "\n"
    if kind.channel == Channel.SMS:
        text = gsm_friendly(text.strip())
        if "STOP" not in text.upper():
            text = f"{text} {SMS_OPT_OUT}"
        return Composed(subject="", text=text, html="")
    subject = " ".join(template_language.render(wording.subject, fields).split())[:SUBJECT_LIMIT]
    html = email_html(
        text, title=subject, lang=lang, button_labels={key: str(label) for key, label in kind.button_labels.items()}
    )
    return Composed(subject=subject, text=text, html=html)


def problems(kind: MessageKind, *, subject: str, body: str) -> dict[str, list[str]]:
    """Return what is wrong with a practice's wording for a kind, by form field (empty when fine)."""
    found: dict[str, list[str]] = {}
    if kind.channel == Channel.EMAIL:
        subject_problems = template_language.problems(subject, kind.fields, max_length=SUBJECT_LIMIT, gettext=gettext)
        if "\n" in subject or "\r" in subject:
            subject_problems.append(gettext("Keep the subject on one line."))
        if not subject.strip():
            subject_problems.append(gettext("Write a subject."))
        if subject_problems:
            found["subject"] = subject_problems
    body_problems = template_language.problems(body, kind.fields, gettext=gettext)
    if not body.strip():
        body_problems.append(gettext("Write the message."))
    if body_problems:
        found["body"] = body_problems
    return found


def save_wording(*, practice_id: int, kind: MessageKind, subject: str, body: str, by: User | None) -> None:
    """Keep the practice's own wording for a kind (checked with `problems` first)."""
    if problems(kind, subject=subject, body=body):
        raise ValueError("the wording has problems; check it with problems() first")
    MessageTemplate.objects.update_or_create(
        practice_id=practice_id,
        purpose=kind.purpose,
        channel=kind.channel,
        defaults={"subject": subject if kind.channel == Channel.EMAIL else "", "body": body, "updated_by": by},
    )


def reset_wording(*, practice_id: int, kind: MessageKind) -> None:
    """Go back to the default wording for a kind."""
    MessageTemplate.objects.filter(practice_id=practice_id, purpose=kind.purpose, channel=kind.channel).delete()
