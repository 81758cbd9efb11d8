"""Staff endpoints, for a practice's own scripts and tools: `Authorization: Bearer <token>` with a
staff API token (`longtide token create`, longtide/tokens). The same rules as the pages: the token
acts as its member, with the member's role now (practice/access.py); every call is audited like a
page view, through the API; a practice that is not the token's, a client of another practice, or a
permission the member lacks all answer 404, as for something that does not exist.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer
from pydantic import ConfigDict, StrictBool

from longtide.api.bookings import NO_NUL
from longtide.api.errors import ApiError
from longtide.api.public import BAD_INPUT, BODY_INPUT, ErrorOut
from longtide.api.types import Day, PathId, Slug
from longtide.audit.models import Action, Via
from longtide.audit.trail import Actor, Origin, record
from longtide.clients.models import Client
from longtide.intake import actions as intake_actions
from longtide.intake import status as intake_status
from longtide.intake.display import answers_for_display
from longtide.intake.models import Flag, FlagLevel, Signature
from longtide.intake.session import mark_session
from longtide.lib.bounds import id_in_range
from longtide.lib.text import CONTROL_FREE
from longtide.notes.actions import record_list_read, record_read
from longtide.notes.data import note_data
from longtide.notes.models import SessionNote
from longtide.practice.access import ChartAccess, Perm, can, may_override_consent, role_in
from longtide.practice.models import Practice
from longtide.records.chart import access_to as chart_access_to
from longtide.records.chart import open_chart
from longtide.records.export import export_record
from longtide.scheduling.booking import CHANGE_NOT_SAVED, REASON_LENGTH, cancel_appointment
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import OVERRIDE_REASON_MAX, Appointment
from longtide.tokens.issue import authenticate
from longtide.tokens.models import StaffToken

SEARCH_MAX = 100
LIST_LIMIT = 50
DAYS_MAX = 31
Search = Annotated[
    str, Field(description=f"At most {SEARCH_MAX} characters.", json_schema_extra={"maxLength": SEARCH_MAX})
]
Days = Annotated[int, Field(description=f"1 to {DAYS_MAX}.", json_schema_extra={"minimum": 1, "maximum": DAYS_MAX})]


class StaffToken401(HttpBearer):
    """A staff API token in `Authorization: Bearer <token>`."""

    def __call__(self, request: HttpRequest) -> StaffToken:
        found = super().__call__(request)
        if found is None:
            raise ApiError(
                401,
                "unauthenticated",
                _("Send a live staff API token as `Authorization: Bearer <token>`."),
                headers={"WWW-Authenticate": 'Bearer realm="longtide"'},
            )
        return found  # type: ignore[no-any-return]

    def authenticate(self, request: HttpRequest, token: str) -> StaffToken | None:
        row = authenticate(token.strip(), now=timezone.now())
        if row is not None:
            request.user = row.user
        return row


router = Router(tags=["staff"], auth=StaffToken401())


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    reminder_channel: str
    merged_into: int | None = Field(
        description="The record this duplicate was merged into (everything it had is there now), as the client "
        "page says; null for a current record. Merged duplicates are not in the client list."
    )


class AppointmentOut(Schema):
    id: int
    start: datetime
    end: datetime
    status: str
    service: str
    practitioner: str
    location: str
    room: str
    client_id: int
    client_name: str
    actions: dict[str, bool] = Field(
        description="What staff may do with it now, by the practice's rules (Appointment.can_*): "
        "`move`, `cancel`, `late_cancel` (inside the cancellation window, before the start) and `mark` "
        "(completed or no-show, once it has started)."
    )


class ChartVisitOut(Schema):
    id: int
    start: datetime
    end: datetime
    status: str
    service: str
    practitioner: str
    location: str
    note: str | None = Field(description="The client's note at booking; null unless `clinical`.")


class ChartOut(Schema):
    client: ClientOut
    basis: str = Field(
        description="Why the member sees what they see: owner, care_team, shared_care, "
        "break_glass, front_desk or not_in_care."
    )
    clinical: bool = Field(description="Whether the clinical parts are included (false: contact and schedule).")
    care_team: list[str] | None
    held: bool = Field(description="A booking waits for the client's confirmation.")
    appointments: list[ChartVisitOut]
    not_collected: list[str]


def _member(request: HttpRequest, slug: Slug, permission: Perm) -> tuple[Practice, StaffToken]:
    row: StaffToken = request.auth  # type: ignore[attr-defined]
    practice = row.practice
    if practice.slug != slug or not can(row.user, permission, practice):
        raise Http404(_("No practice called %(slug)r.") % {"slug": slug})
    return practice, row


def _client(practice: Practice, client_id: int) -> Client:
    found = Client.objects.for_practice(practice).filter(pk=client_id).first()
    if found is None:
        raise Http404(_("No such client."))
    return found


def _audit(
    request: HttpRequest, practice: Practice, row: StaffToken, object_type: str, action: Action = Action.VIEW, **kw: Any
) -> None:
    # A read changes nothing, so its row is the transaction's only write.
    with transaction.atomic():
        record(
            by=_actor(request, practice, row),
            action=action,
            object_type=object_type,
            practice_id=practice.pk,
            **kw,
        )


def _actor(request: HttpRequest, practice: Practice, row: StaffToken) -> Actor:
    return Actor(user=row.user, role=str(role_in(row.user, practice) or ""), origin=Origin.of(request), via=Via.API)


def _client_out(client: Client) -> ClientOut:
    return ClientOut(
        id=client.pk,
        first_name=client.first_name,
        last_name=client.last_name,
        email=client.email,
        phone=client.phone,
        reminder_channel=client.reminder_channel,
        merged_into=client.merged_into_id,
    )


@router.get(
    "p/{slug}/clients",
    response={200: list[ClientOut], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="Clients, by name or email",
    description=f"Up to {LIST_LIMIT} clients whose name or email contains `search` (all when empty), by last "
    "name; not records merged into another (as the client list). Contact details only. Every role.",
)
def client_list(
    request: HttpRequest,
    slug: Slug,
    search: Annotated[
        str, Field(description=f"At most {SEARCH_MAX} characters.", json_schema_extra={"maxLength": SEARCH_MAX})
    ] = "",
) -> list[ClientOut]:
    practice, row = _member(request, slug, Perm.CLIENTS_VIEW)
    text = search.strip()
    if "\x00" in text or len(text) > SEARCH_MAX:
        raise ApiError(
            422,
            "invalid",
            _("Some fields are not valid."),
            {"search": [_("At most %(count)d characters, no NUL.") % {"count": SEARCH_MAX}]},
        )
    found = Client.objects.for_practice(practice).current()
    for word in text.split():
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    clients = list(found.order_by("last_name", "first_name", "pk")[:LIST_LIMIT])
    _audit(request, practice, row, "client_list", detail=f"{len(clients)} clients")
    return [_client_out(c) for c in clients]


@router.get(
    "p/{slug}/clients/{client_id}",
    response={200: ClientOut, 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's contact details",
    description="Every role. A duplicate merged into another record is still found, with `merged_into` naming the "
    "record kept (as the client page says). Audited.",
)
def client_detail(request: HttpRequest, slug: Slug, client_id: PathId) -> ClientOut:
    practice, row = _member(request, slug, Perm.CLIENTS_VIEW)
    client = _client(practice, client_id)
    _audit(request, practice, row, "client", client_id=client.pk, object_id=client.pk)
    return _client_out(client)


@router.get(
    "p/{slug}/clients/{client_id}/chart",
    response={200: ChartOut, 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's chart",
    description="What the member may see of the chart, as on the chart page: owners, the care team, shared care "
    "and open break-glass grants get the clinical parts; front desk and practitioners outside the care team get "
    "contact details and the schedule (`clinical: false`). Break-glass is opened on the page, not here. Audited.",
)
def client_chart(request: HttpRequest, slug: Slug, client_id: PathId) -> ChartOut:
    practice, row = _member(request, slug, Perm.CHART_OPEN)
    client = _client(practice, client_id)
    chart = open_chart(
        user=row.user, practice=practice, client=client, origin=Origin.of(request), via=Via.API, now=timezone.now()
    )
    if chart is None:
        raise Http404(_("No such client."))
    return ChartOut(
        client=_client_out(client),
        basis=str(chart.access.basis),
        clinical=chart.clinical,
        care_team=chart.care_team if chart.clinical else None,
        held=chart.held,
        appointments=[
            ChartVisitOut(
                id=v.id,
                start=v.start,
                end=v.end,
                status=v.status,
                service=v.service,
                practitioner=v.practitioner,
                location=v.location,
                note=v.note,
            )
            for v in chart.visits
        ],
        not_collected=[p.key for p in chart.pending if chart.clinical or not p.clinical],
    )


class IntakeAnswerOut(Schema):
    question: str
    answer: str


class IntakeSectionOut(Schema):
    title: str
    answers: list[IntakeAnswerOut]


class IntakeFormOut(Schema):
    id: int
    form_version: int = Field(description="The version of the practice's form the answers were given against.")
    submitted_at: datetime | None
    sections: list[IntakeSectionOut]


class FlagOut(Schema):
    id: int
    item: str
    level: str = Field(description="EMERGENCY, REFER or PRECAUTION.")
    label: str
    urgent: bool
    crisis: bool
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action: str = Field(description="What was done: referred, clearance, modified, declined (empty while open).")
    action_note: str


class ConsentOut(Schema):
    document: str
    kind: str
    version: int
    agreed: bool
    signer: str
    signed_at: datetime
    text_sha256: str


class IntakeStatusOut(Schema):
    intake_done: bool
    intake_started: bool
    consent_current: bool
    held: bool = Field(description="An open EMERGENCY flag holds the client's bookings.")
    needs_review: bool
    label: str


class ClientIntakeOut(Schema):
    client_id: int
    basis: str
    clinical: bool = Field(description="Whether answers, flags and consents are included (false: status only).")
    status: IntakeStatusOut
    intake: IntakeFormOut | None = Field(description="The current intake (null: none, or not clinical).")
    flags: list[FlagOut] | None
    consents: list[ConsentOut] | None


@router.get(
    "p/{slug}/clients/{client_id}/intake",
    response={200: ClientIntakeOut, 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's intake, flags and consents",
    description="As on the staff intake page: owners, the care team, shared care and open break-glass grants get "
    "the answers (in the words of their form version), every flag with its acknowledgement, and the consents "
    "signed; front desk and practitioners outside the care team get the status only (`clinical: false`): "
    "whether intake and consent are done and whether a booking is held or needs review. Audited.",
)
def client_intake(request: HttpRequest, slug: Slug, client_id: PathId) -> ClientIntakeOut:
    practice, row = _member(request, slug, Perm.CHART_OPEN)
    client = _client(practice, client_id)
    access, _grant = chart_access_to(row.user, practice, client, timezone.now())
    if access is None:
        raise Http404(_("No such client."))
    found = intake_status.summary(client)
    status = IntakeStatusOut(
        intake_done=found.intake_done,
        intake_started=found.intake_started,
        consent_current=found.consent_current,
        held=found.held,
        needs_review=found.needs_review,
        label=found.clinical_label if access.clinical else found.front_desk_label,
    )
    out = ClientIntakeOut(
        client_id=client.pk,
        basis=str(access.basis),
        clinical=access.clinical,
        status=status,
        intake=None,
        flags=None,
        consents=None,
    )
    current = intake_actions.current_intake(client) if access.clinical else None
    if access.clinical:
        out.intake = (
            IntakeFormOut(
                id=current.pk,
                form_version=current.form.number,
                submitted_at=current.submitted_at,
                sections=[
                    IntakeSectionOut(
                        title=str(section["title"]),
                        answers=[IntakeAnswerOut(question=str(q), answer=str(a)) for q, a in section["rows"]],
                    )
                    for section in answers_for_display(current)
                ],
            )
            if current
            else None
        )
        out.flags = [
            FlagOut(
                id=f.pk,
                item=f.item_key,
                level=FlagLevel(f.level).name,
                label=f.staff_label,
                urgent=f.urgent,
                crisis=f.crisis,
                raised_at=f.raised_at,
                acknowledged_at=f.acknowledged_at,
                acknowledged_by=f.acknowledged_by.get_username() if f.acknowledged_by else None,
                action=f.action,
                action_note=f.action_note,
            )
            for f in Flag.objects.filter(client=client).select_related("acknowledged_by").order_by("raised_at", "pk")
        ]
        out.consents = [
            ConsentOut(
                document=s.document.title,
                kind=s.document.kind,
                version=s.document.version,
                agreed=s.agreed,
                signer=s.signer,
                signed_at=s.signed_at,
                text_sha256=s.text_sha256,
            )
            for s in Signature.objects.filter(client=client).select_related("document").order_by("-signed_at", "-pk")
        ]
    _audit(
        request,
        practice,
        row,
        "intake" if access.clinical else "intake_status",
        client_id=client.pk,
        object_id=current.pk if current else "",
        basis=str(access.basis),
    )
    return out


def _clinical_access(row: StaffToken, practice: Practice, client: Client) -> ChartAccess:
    """The chart's rule; anything short of the clinical parts answers 404, as for what does not exist."""
    access, _grant = chart_access_to(row.user, practice, client, timezone.now())
    if access is None or not access.clinical:
        raise Http404(_("No such client."))
    return access


def _api_actor(request: HttpRequest, row: StaffToken, access: ChartAccess) -> Actor:
    return Actor(user=row.user, role=str(access.role), origin=Origin.of(request), via=Via.API)


NOTES_DESCRIPTION = (
    "For owners, the client's care team, shared care and open break-glass grants; front desk and "
    "practitioners outside the care team get 404. Each note is its signed content (every field, whose note, the "
    "signature), `status`, `content_hash` (the SHA-256 of the canonical content, docs/notes.md: recompute it to "
    "verify, with `format` = `hash_format`), `template_fields` (the fields of the template version the note was "
    "written with; a practice's extra fields' values are in `extra`), `hash_matches` (rechecked now) and "
    "`addenda` with their own hashes. A student's note names their "
    "supervisor in its signed content (`cosign_by_id`, `cosign_by_name`); `awaiting_cosignature` is true until the "
    "supervisor co-signs, and `cosignature` then holds who co-signed, their credential, when, the note's hash "
    "(`note_hash`), its own `content_hash` (SHA-256 over those keys, the same canonical form) and `hash_matches`; "
    "null otherwise. Students see only the clients of their own sessions. Fields named `impression_*` are "
    "the practitioner's palpation impressions, not measurements. Audited."
)


@router.get(
    "p/{slug}/clients/{client_id}/notes",
    response={200: list[dict[str, Any]], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's session notes",
    description=NOTES_DESCRIPTION + " In session order.",
)
def client_notes(request: HttpRequest, slug: Slug, client_id: PathId) -> list[dict[str, Any]]:
    practice, row = _member(request, slug, Perm.CLINICAL_READ)
    client = _client(practice, client_id)
    access = _clinical_access(row, practice, client)
    notes = list(
        SessionNote.objects.for_practice(practice)
        .filter(client=client)
        .select_related("cosignature", "checklist")
        .prefetch_related("addenda")
        .order_by("session_date", "pk")
    )
    record_list_read(client, by=_api_actor(request, row, access), basis=str(access.basis), count=len(notes), query="")
    return [note_data(note) for note in notes]


@router.get(
    "p/{slug}/clients/{client_id}/notes/{note_id}",
    response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="One session note",
    description=NOTES_DESCRIPTION,
)
def client_note(request: HttpRequest, slug: Slug, client_id: PathId, note_id: PathId) -> dict[str, Any]:
    practice, row = _member(request, slug, Perm.CLINICAL_READ)
    client = _client(practice, client_id)
    access = _clinical_access(row, practice, client)
    note = (
        SessionNote.objects.for_practice(practice).filter(client=client, pk=note_id).first()
        if id_in_range(note_id)
        else None
    )
    if note is None:
        raise Http404(_("No such note."))
    record_read(note, by=_api_actor(request, row, access), basis=str(access.basis))
    return note_data(note)


@router.get(
    "p/{slug}/clients/{client_id}/export",
    response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="A client's full record (access request)",
    description="The JSON bundle of the chart's export (schema `longtide.client-record/1`, docs/records.md). "
    "Owners. Audited as an export.",
)
def client_export(request: HttpRequest, slug: Slug, client_id: PathId) -> dict[str, Any]:
    practice, row = _member(request, slug, Perm.RECORDS_EXPORT)
    client = _client(practice, client_id)
    data = export_record(
        user=row.user,
        practice=practice,
        client=client,
        fmt="json",
        origin=Origin.of(request),
        via=Via.API,
        now=timezone.now(),
    )
    if data is None:
        raise Http404(_("No such client."))
    return data


@router.get(
    "p/{slug}/appointments",
    response={200: list[AppointmentOut], 401: ErrorOut, 404: ErrorOut, **BAD_INPUT},
    summary="Appointments from a day on",
    description=f"Appointments starting on `start` (a date, in the practice's time zone; default today) and the "
    f"`days` after it (1 to {DAYS_MAX}, default 1), by start. No booking notes. Every role. Audited.",
)
def appointment_list(
    request: HttpRequest, slug: Slug, start: Day | None = None, days: Days = 1
) -> list[AppointmentOut]:
    practice, row = _member(request, slug, Perm.SCHEDULE_VIEW)
    if not 1 <= days <= DAYS_MAX:
        raise ApiError(
            422, "invalid", _("Some fields are not valid."), {"days": [_("From 1 to %(max)d.") % {"max": DAYS_MAX}]}
        )
    location = practice.locations.first()
    zone = location.zone if location else timezone.get_default_timezone()
    first = start or timezone.now().astimezone(zone).date()
    try:
        since = datetime.combine(first, time.min, tzinfo=zone)
        until = since + timedelta(days=days)
    except OverflowError:
        raise ApiError(
            422, "invalid", _("Some fields are not valid."), {"start": [_("Too far in the future.")]}
        ) from None
    found = list(
        Appointment.objects.for_practice(practice)
        .filter(start__gte=since, start__lt=until)
        .select_related("practice", "service", "practitioner", "location", "room", "client")
        .order_by("start", "pk")
    )
    _audit(request, practice, row, "appointment_list", detail=f"{len(found)} appointments from {first}")
    now = timezone.now()
    return [_appointment_out(a, now) for a in found]


def _appointment_out(a: Appointment, now: datetime) -> AppointmentOut:
    return AppointmentOut(
        id=a.pk,
        start=a.start,
        end=a.end,
        status=a.status,
        service=a.service.name,
        practitioner=a.practitioner.display_name,
        location=a.location.name,
        room=a.room.name,
        client_id=a.client_id,
        client_name=a.client.full_name,
        actions=a.allowed_actions(now),
    )


def _appointment(practice: Practice, appointment_id: int) -> Appointment:
    found = (
        Appointment.objects.for_practice(practice)
        .select_related("practice", "service", "practitioner", "location", "room", "client")
        .filter(pk=appointment_id)
        .first()
    )
    if found is None:
        raise Http404(_("No such appointment."))
    return found


def _not_saved() -> ApiError:
    """The database could not write the change's audit row: nothing was changed."""
    return ApiError(503, "not_saved", str(CHANGE_NOT_SAVED))


def _refused(error: BookingError) -> ApiError:
    """A change the rules refuse: 409 with its stable code; a missing or bad field: 422 naming it."""
    if error.status == 409 and error.field not in ("reason", "decided_by", "override_reason"):
        return ApiError(409, error.code, error.message)
    if error.status == 503:
        return ApiError(503, error.code, error.message)
    return ApiError(422, error.code, error.message, {error.field or "request": [error.message]})


Seen = Annotated[
    str | None,
    Field(
        None,
        description="The appointment's `version` as you last read it (status.sequence, e.g. `booked.0`); when "
        "given and the appointment has changed since, 409 `changed_meanwhile` and nothing is written.",
        max_length=40,
        json_schema_extra={"pattern": NO_NUL},
    ),
]


class MarkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["completed", "no_show"]
    override_reason: str = Field(
        "",
        description=f"Only to mark `completed` without the client's current treatment consent: why the session "
        f"went ahead (at most {OVERRIDE_REASON_MAX} characters; the session's practitioner or an owner only).",
        max_length=OVERRIDE_REASON_MAX,
        json_schema_extra={"pattern": CONTROL_FREE},
    )
    seen: Seen = None


class MarkOut(AppointmentOut):
    changed: bool = Field(
        description="false when it already had this status (a double submit or a retry): nothing was written, "
        "no history or audit row."
    )


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        description=f"Why, for the appointment's history (required, at most {REASON_LENGTH} characters; "
        "no health details: front desk reads it; no control characters but tab and new lines).",
        max_length=REASON_LENGTH,
        json_schema_extra={"pattern": CONTROL_FREE},
    )
    decided_by: Literal["client", "clinic"] | None = Field(
        None, description="Who decided: required unless `late` (a late cancellation is the client's)."
    )
    # Strict: JSON true or false only; "yes", "1" or 1 are refused (422 naming `late`), never read as true.
    late: StrictBool = Field(
        False, description="Record a late cancellation: only inside the cancellation window. JSON true or false."
    )
    seen: Seen = None


@router.post(
    "p/{slug}/appointments/{appointment_id}/mark",
    response={200: MarkOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut, **BODY_INPUT},
    summary="Mark a started appointment completed or a no-show",
    description="The staff page's rules (Appointment.can_mark): only once it has started, never a cancelled, held "
    "or expired one. `completed` needs the client's current treatment consent, or an `override_reason` from the "
    "session's practitioner or an owner (403 otherwise), recorded in the history and the audit trail. Marking "
    "the status it already has (a double submit, a retry) changes and records nothing and answers 200 with "
    "`changed: false`, whatever `seen` says. 409 codes: `not_started`, `not_markable`, `consent_needed`, "
    "`override_not_needed` (an `override_reason` with `no_show`), `changed_meanwhile`; 422 `override_reason` "
    "(empty, too long, or with control characters but tab and new lines); 503 `not_saved` when the database "
    "could not save the change or its audit row (nothing changed; try again). Every role may mark.",
)
def appointment_mark(request: HttpRequest, slug: Slug, appointment_id: PathId, payload: MarkIn) -> MarkOut:
    practice, row = _member(request, slug, Perm.SCHEDULE_BOOK)
    found = _appointment(practice, appointment_id)
    if payload.override_reason.strip() and not may_override_consent(row.user, practice, found.practitioner.user_id):
        raise ApiError(
            403,
            "override_not_allowed",
            _("Only the session's practitioner or an owner can record that a session went ahead without consent."),
        )
    try:
        # The change and its audit row commit together: a change is never saved without its row.
        with transaction.atomic():
            changed = mark_session(
                found,
                payload.status,
                by=ChangedBy.staff(row.user),
                actor=_actor(request, practice, row),
                seen=payload.seen or None,
                override_reason=payload.override_reason,
            )
            if changed:
                _audit(
                    request,
                    practice,
                    row,
                    "appointment",
                    Action.CHANGE,
                    object_id=found.pk,
                    client_id=found.client_id,
                    detail=f"marked {found.status}",
                )
    except BookingError as error:
        raise _refused(error) from None
    except DatabaseError:
        raise _not_saved() from None
    return MarkOut(**_appointment_out(found, timezone.now()).model_dump(), changed=changed)


@router.post(
    "p/{slug}/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut, **BODY_INPUT},
    summary="Cancel a booked appointment, or record a late cancellation",
    description="The staff page's rules (Appointment.can_cancel, can_late_cancel): a booked appointment that has "
    "not started; `late` only inside the cancellation window. The reason and who decided go into the "
    "appointment's history; the client is emailed as from the staff page and the time is offered to the "
    "waitlist. 409 codes: `not_booked`, `started`, `outside_window` (a late cancellation outside the "
    "window), `changed_meanwhile`; 422 `reason_required`, `decided_by_required`, `reason_too_long`; 503 "
    "`not_saved` when the database could not save the change or its audit row (nothing changed; try again). "
    "Every role may cancel.",
)
def appointment_cancel(request: HttpRequest, slug: Slug, appointment_id: PathId, payload: CancelIn) -> AppointmentOut:
    practice, row = _member(request, slug, Perm.SCHEDULE_BOOK)
    found = _appointment(practice, appointment_id)
    try:
        # The change and its audit row commit together: a change is never saved without its row.
        with transaction.atomic():
            cancel_appointment(
                appointment=found,
                by_client=False,
                late=payload.late,
                reason=payload.reason,
                decided_by=payload.decided_by,
                by=ChangedBy.staff(row.user),
                seen=payload.seen or None,
            )
            _audit(
                request,
                practice,
                row,
                "appointment",
                Action.CHANGE,
                object_id=found.pk,
                client_id=found.client_id,
                detail=found.status,
            )
    except BookingError as error:
        raise _refused(error) from None
    except DatabaseError:
        raise _not_saved() from None
    return _appointment_out(found, timezone.now())
