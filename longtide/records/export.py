"""A client's full record, for the client's access request (GDPR Art. 15, HIPAA §164.524, PHIPA
s.52) and for the practice's own use: one dict that the JSON bundle is and the HTML view shows.

The schema (`SCHEMA`, documented in docs/records.md) only grows: a later issue adds its section
(intake, flags, consents, episodes, notes, outcomes) and takes its key out of `not_collected`.
Exporting is audited (action export, with the format) in the same transaction as the reading.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from longtide.audit.models import Action, AuditEvent, Via
from longtide.audit.trail import Actor, Origin, record
from longtide.checkins.models import CheckIn
from longtide.clients.models import Client
from longtide.intake.display import answers_for_display
from longtide.intake.models import Flag, FlagLevel, Intake, Signature
from longtide.measurement.models import DiaryEntry, Episode
from longtide.notes.data import note_data
from longtide.notes.models import SessionNote
from longtide.notifications.models import Message
from longtide.practice.access import Perm, can
from longtide.practice.models import Practice
from longtide.records.chart import PENDING, access_to
from longtide.records.retention import message_subjects
from longtide.scheduling.care_team import care_team
from longtide.scheduling.models import Appointment

SCHEMA = "longtide.client-record/1"
# The chart's parts this export has a section for (intake answers, flags, consents, session notes).
EXPORTED = frozenset({"intake", "flags", "consents", "notes"})
# Parts Longtide holds on a page of their own that this export does not include yet: named as
# such, never as "not collected", so that an access request is completed by hand from those pages.
HELD_ELSEWHERE = frozenset(part.key for part in PENDING if part.page and part.key not in EXPORTED)
IMPRESSIONS = (
    "Fields named impression_* are the practitioner's palpation impressions (CST rhythm, restrictions, still "
    "points): their reliability between practitioners is near chance, so they are not measurements and never "
    "feed an outcome (domain.md §4)."
)
FORMATS = ("html", "json")


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def client_record(practice: Practice, client: Client, *, now: datetime) -> dict[str, Any]:
    """Return everything the practice holds about the client, as JSON-ready data."""
    appointments = list(
        Appointment.objects.filter(client=client)
        .select_related("service", "practitioner", "location", "room")
        .prefetch_related("events")
        .order_by("start", "pk")
    )
    # Every message about the client, as retention and erasure count them: their visits, check-ins,
    # intake forms and links, questionnaire and diary links, and the alerts about their answers.
    messages = Message.objects.filter(message_subjects([client.pk]), practice=practice).order_by("created_at", "pk")
    trail = AuditEvent.objects.for_practice(practice.pk).filter(client_id=client.pk).order_by("seq")
    return {
        "schema": SCHEMA,
        "generated_at": now.isoformat(),
        "practice": {"name": practice.name, "slug": practice.slug, "email": practice.email, "phone": practice.phone},
        "client": {
            "id": client.pk,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": client.email,
            "phone": client.phone,
            "reminder_channel": client.reminder_channel,
            "sms_consent_at": _at(client.sms_consent_at),
            "created_at": _at(client.created_at),
        },
        "care_team": [p.display_name for p in care_team(client.pk)],
        "appointments": [
            {
                "id": a.pk,
                "start": _at(a.start),
                "end": _at(a.end),
                "time_zone": a.location.time_zone,
                "status": a.status,
                "service": a.service.name,
                "practitioner": a.practitioner.display_name,
                "location": a.location.name,
                "room": a.room.name,
                "source": a.source,
                "note": a.note,
                "booked_as": {
                    "first_name": a.booked_first_name,
                    "last_name": a.booked_last_name,
                    "email": a.booked_email,
                    "phone": a.booked_phone,
                },
                "created_at": _at(a.created_at),
                "cancelled_at": _at(a.cancelled_at),
                # Each change, with the reason given (the client's own when they cancelled, an
                # override's for a session without current consent).
                "history": [
                    {
                        "at": _at(e.at),
                        "kind": e.kind,
                        "by": e.by_name,
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "from_start": _at(e.from_start),
                        "to_start": _at(e.to_start),
                        "reason": e.reason,
                        "decided_by": e.decided_by,
                    }
                    for e in a.events.all()
                ],
            }
            for a in appointments
        ],
        "messages": [
            {
                "purpose": m.purpose,
                "channel": m.channel,
                "recipient": m.recipient,
                "subject": m.subject,
                "body": m.body_text,
                "status": m.status,
                "created_at": _at(m.created_at),
                "sent_at": _at(m.sent_at),
            }
            for m in messages
        ],
        "record_access": [
            {
                "at": _at(e.at),
                "who": e.actor_label or "system",
                "role": e.actor_role,
                "action": e.action,
                "basis": e.basis,
                "via": e.via,
            }
            for e in trail
        ],
        "intakes": _intakes(client),
        "flags": [
            {
                "item": f.item_key,
                "level": FlagLevel(f.level).name,
                "label": f.staff_label,
                "urgent": f.urgent,
                "crisis": f.crisis,
                "raised_at": _at(f.raised_at),
                "acknowledged_at": _at(f.acknowledged_at),
                "acknowledged_by": f.acknowledged_by.get_username() if f.acknowledged_by else None,
                "action": f.action,
                "action_note": f.action_note,
            }
            for f in Flag.objects.filter(client=client).select_related("acknowledged_by").order_by("raised_at", "pk")
        ],
        "consents": [
            {
                "document": s.document.title,
                "kind": s.document.kind,
                "version": s.document.version,
                "text": s.document.text,
                "text_sha256": s.text_sha256,
                "agreed": s.agreed,
                "typed_name": s.typed_name,
                "signer": s.signer,
                "guardian_relationship": s.guardian_relationship,
                "signed_at": _at(s.signed_at),
                "ip": s.ip,
                "user_agent": s.user_agent,
            }
            for s in Signature.objects.filter(client=client).select_related("document").order_by("signed_at", "pk")
        ],
        "notes": _notes(client),
        "notes_impressions": IMPRESSIONS,
        "checkins": [
            {
                "appointment_id": c.appointment_id,
                "answered_at": _at(c.answered_at),
                "effects": c.effects,
                "other": c.other,
                "sought_care": c.sought_care,
                "contact_me": c.contact_me,
            }
            for c in CheckIn.objects.filter(client=client).order_by("answered_at", "pk")
        ],
        "episodes": [
            {
                "id": e.pk,
                "concern": e.concern,
                "primary_instrument": e.primary_instrument,
                "opened_on": e.opened_on.isoformat(),
                "closed_on": e.closed_on.isoformat() if e.closed_on else None,
                "close_reason": e.close_reason,
                "primary_changes": [
                    {"from": c.old, "to": c.new, "reason": c.reason, "at": _at(c.at)} for c in e.primary_changes.all()
                ],
                "questionnaires": [
                    {
                        "instrument": r.instrument,
                        "version": r.version,
                        "content_hash": r.content_hash,
                        "timepoint": r.timepoint,
                        "taken_on": r.taken_on.isoformat(),
                        "answers": r.answers,
                        "score": r.total,
                        "band": r.band,
                        "subscales": r.subscales,
                        "not_scorable": r.not_scorable,
                    }
                    for r in e.responses.order_by("taken_on", "pk")
                ],
            }
            for e in Episode.objects.filter(client=client).order_by("opened_on", "pk")
        ],
        "headache_diary": [
            {"day": d.day.isoformat(), "answers": d.answers, "complete": d.complete}
            for d in DiaryEntry.objects.filter(client=client).order_by("day")
        ],
        "not_collected": [part.key for part in PENDING if part.key not in HELD_ELSEWHERE | EXPORTED],
        "not_in_export": [part.key for part in PENDING if part.key in HELD_ELSEWHERE],
    }


def _intakes(client: Client) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "status": i.status,
            "form_version": i.form.number,
            "started_at": _at(i.started_at),
            "submitted_at": _at(i.submitted_at),
            "signer": i.signer,
            "sections": [
                {"title": str(section["title"]), "answers": [{"question": q, "answer": a} for q, a in section["rows"]]}
                for section in answers_for_display(i)
            ],
        }
        for i in Intake.objects.filter(client=client).select_related("form").order_by("started_at", "pk")
    ]


def _notes(client: Client) -> list[dict[str, Any]]:
    notes = (
        SessionNote.objects.filter(client=client)
        .select_related("cosignature", "checklist")
        .prefetch_related("addenda")
        .order_by("session_date", "pk")
    )
    return [note_data(note) for note in notes]


def export_record(
    *, user: User, practice: Practice, client: Client, fmt: str, origin: Origin, via: Via, now: datetime
) -> dict[str, Any] | None:
    """Return the client's record for a member who may export it, auditing the export; None when
    they may not (answer 404)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if client.practice_id != practice.pk or not can(user, Perm.RECORDS_EXPORT, practice):
        return None
    with transaction.atomic():
        access, _grant = access_to(user, practice, client, now)
        if access is None or not access.clinical:
            return None
        data = client_record(practice, client, now=now)
        record(
            by=Actor(user=user, role=str(access.role), origin=origin, via=via),
            action=Action.EXPORT,
            object_type="record",
            practice_id=practice.pk,
            client_id=client.pk,
            object_id=client.pk,
            basis=str(access.basis),
            detail=fmt,
        )
    return data
