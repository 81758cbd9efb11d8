"""Whether a session may be marked completed (it went ahead): the client's current treatment
consent, or an override recorded on the appointment (docs/intake.md, "Consent before the session").

The rule itself is the appointment's (`Appointment.completion_refusal`); scheduling does not read
consent, so every path that marks a session completed asks here for the consent fact: the staff
appointment page (mark completed / record an override) and signing a session note (the caller passes
the agreed kinds, which include the treatment consent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from longtide.audit.trail import Actor
from longtide.clients.models import Client
from longtide.intake.consent_texts import Kind
from longtide.intake.models import ConsentDocument, Signature
from longtide.scheduling.booking import mark_appointment
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import Appointment, AppointmentEvent


def current_treatment_signature(client: Client) -> Signature | None:
    """The client's agreement to the current version of the practice's treatment consent, if their
    latest answer to it is an agreement."""
    document = (
        ConsentDocument.objects.filter(practice_id=client.practice_id, kind=Kind.TREATMENT).order_by("-version").first()
    )
    if document is None:
        return None
    latest = (
        Signature.objects.filter(client=client, document=document)
        .select_related("document")
        .order_by("-signed_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.agreed else None


def treatment_consent_current(client: Client) -> bool:
    return current_treatment_signature(client) is not None


@dataclass(frozen=True)
class SessionConsent:
    """What the appointment page shows about consent for this session (no clinical content: front
    desk sees it too)."""

    signature: Signature | None
    override: AppointmentEvent | None

    @property
    def current(self) -> bool:
        return self.signature is not None


def session_consent(appointment: Appointment) -> SessionConsent:
    return SessionConsent(current_treatment_signature(appointment.client), appointment.consent_override())


def mark_session(
    appointment: Appointment,
    status: str,
    *,
    by: ChangedBy,
    actor: Actor,
    seen: str | None = None,
    now: datetime | None = None,
    override_reason: str = "",
) -> bool:
    """Mark a session completed or no-show and return whether anything changed (not when it already
    had that status: scheduling.booking.mark_appointment), with the client's treatment consent looked up here
    (scheduling.booking.mark_appointment decides; PolicyRefused `consent_needed` without consent or
    override). Whether the person may give an override is practice/access.py's question, asked by
    the caller before passing `override_reason`."""
    return mark_appointment(
        appointment=appointment,
        status=status,
        by=by,
        seen=seen,
        now=now,
        treatment_consent=treatment_consent_current(appointment.client),
        override_reason=override_reason,
        actor=actor,
    )
