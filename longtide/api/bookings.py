"""Availability and bookings: the public booking API and the manage-link endpoints."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from longtide.api.errors import ApiError
from longtide.api.public import BAD_INPUT, ErrorOut, get_practice
from longtide.api.types import Day, Id, Moment, QueryId, Slug, Token
from longtide.clients.contact import PHONE, PHONE_PATTERN
from longtide.lib import bounds
from longtide.lib.text import CONTROL_MESSAGE, has_control
from longtide.practice.models import Practice, Practitioner, Service, Style
from longtide.ratelimit.addresses import client_address
from longtide.scheduling.availability import Slot
from longtide.scheduling.booking import (
    ClientDetails,
    alternatives,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    release_hold,
)
from longtide.scheduling.booking_limits import limits_for
from longtide.scheduling.booking_rules import BookingError, SlotTaken, TooManyBookings
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.manage_links import find_by_token
from longtide.scheduling.models import Appointment, Source
from longtide.scheduling.search import Found, Places, search_slots, service_and_places

router = Router(tags=["booking"])

MAX_DAYS = 62

# No NUL byte in any text (api/errors.JsonParser refuses them), as a JSON Schema pattern.
NO_NUL = r"^[^\x00]*$"


_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # lib/text.py's rule, as a character class


def _name(value: str) -> str:
    if has_control(value.replace("\x00", "")):  # NUL has the body parser's own message
        raise PydanticCustomError("invalid", _(CONTROL_MESSAGE))
    if not value.strip():
        raise PydanticCustomError("invalid", _("Enter a name, not only spaces."))
    return value.strip()


# 1 to 80 characters with at least one that is not a space (kept without the spaces around it).
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80),
    AfterValidator(_name),
    Field(json_schema_extra={"pattern": rf"^{_TEXT}*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{_TEXT}*$"}),
]


class SlotOut(Schema):
    start: datetime
    end: datetime
    practitioner: int
    room: int


class AvailabilityOut(Schema):
    slots: list[SlotOut]


# The request bodies are plain pydantic models, not ninja Schemas: a Schema validates every body
# twice when it forbids extra fields (once as sent, once through ninja's DjangoGetter, meant for
# reading ORM objects), and the nested client four times; the answers and messages are the same.
class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Name
    last_name: Name
    email: Annotated[str, StringConstraints(max_length=254)] = Field(
        description="An email address as the booking form takes it (Django's rule): the confirmation link goes there.",
        json_schema_extra={"format": "email"},
    )
    phone: Annotated[str, StringConstraints(max_length=40)] = Field(
        "",
        description="Optional. Digits, spaces and + ( ) - . / (6 to 40 characters), as on the booking form.",
        json_schema_extra={"pattern": f"^(|{PHONE_PATTERN.removeprefix('^').removesuffix('$')})$"},
    )

    @field_validator("email")
    @classmethod
    def email_is_valid(cls, value: str) -> str:
        # Django's validator, so the API and the HTML form accept exactly the same addresses.
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(_("Enter an email address like name@example.com.")) from None
        return value

    @field_validator("phone")
    @classmethod
    def phone_is_valid(cls, value: str) -> str:
        # The same rule as the booking form and the staff forms (clients/contact.py).
        if value:
            try:
                PHONE(value)
            except DjangoValidationError:
                raise ValueError(str(PHONE.message)) from None
        return value


PRACTITIONER_CHOICE = r"^(any|[1-9][0-9]{0,18})$"
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"


def _practitioner_choice(value: object) -> str | int:
    if value == "any":
        return "any"
    if isinstance(value, float) and value.is_integer():  # JSON's 7.0 is the integer 7
        value = int(value)
    found = bounds.parse_id(value) if isinstance(value, str | int) else None
    if found is not None:
        return found
    if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit()):
        raise PydanticCustomError("id_out_of_range", _(bounds.ID_MESSAGE))
    raise PydanticCustomError("invalid", _('Use a practitioner id or "any".'))


PractitionerChoice = Annotated[
    str | int,
    BeforeValidator(_practitioner_choice),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": bounds.MAX_ID},
                {"type": "string", "pattern": PRACTITIONER_CHOICE},
            ],
            "description": 'A practitioner id, or "any" for the first one free.',
        }
    ),
]


def _practitioner_query(value: object) -> str:
    if value != "any" and (not isinstance(value, str) or bounds.parse_id(value) is None):
        raise PydanticCustomError("invalid", _("Use an id or 'any'."))
    return str(value)


PractitionerQuery = Annotated[
    str,
    BeforeValidator(_practitioner_query),
    WithJsonSchema({"type": "string", "pattern": PRACTITIONER_CHOICE, "default": "any"}),
]


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: Id
    practitioner: PractitionerChoice
    start: Moment
    client: ClientIn
    note: Annotated[str, StringConstraints(max_length=1000)] = Field(
        "", description="At most 1000 characters.", json_schema_extra={"pattern": NO_NUL}
    )

    @field_validator("start")
    @classmethod
    def start_has_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(_("start needs a UTC offset, e.g. 2026-12-01T10:00:00-05:00"))
        return value


class BookedClientOut(Schema):
    """The client's details as they were sent with the booking (never the stored client record's)."""

    first_name: str
    last_name: str
    email: str
    phone: str


class BookingOut(Schema):
    id: int
    status: str = Field(
        description="`held` until the owner of the email address confirms the booking from the emailed link, "
        "then `booked`; `expired` when it was not confirmed and its time was released."
    )
    start: datetime
    end: datetime
    service: int
    practitioner: int
    room: int
    client: BookedClientOut
    hold_until: datetime | None = Field(None, description="Until when a held booking's time is kept for it.")


class SlotTakenOut(Schema):
    detail: str
    code: str
    alternatives: list[SlotOut]


def _slot_out(slot: Slot, zone: ZoneInfo) -> SlotOut:
    """Times in the location's local offset, e.g. 2026-12-01T10:00:00-05:00."""
    return SlotOut(
        start=slot.start.astimezone(zone),
        end=slot.end.astimezone(zone),
        practitioner=slot.practitioner_id,
        room=slot.room_id,
    )


def _zone(practice: Practice) -> ZoneInfo:
    location = practice.locations.first()
    return location.zone if location else ZoneInfo("UTC")


def _booking_fields(appointment: Appointment) -> dict[str, Any]:
    """BookingOut's fields, in its order, with its types (times in the location's offset)."""
    zone = appointment.location.zone
    return {
        "id": appointment.pk,
        "status": str(appointment.status),
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "service": appointment.service_id,
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
        "client": {
            "first_name": appointment.booked_first_name,
            "last_name": appointment.booked_last_name,
            "email": appointment.booked_email,
            "phone": appointment.booked_phone,
        },
        "hold_until": appointment.hold_until.astimezone(zone) if appointment.hold_until else None,
    }


def _booking_out(appointment: Appointment) -> BookingOut:
    return BookingOut(**_booking_fields(appointment))


# As ninja's JSON renderer writes it (api.renderer: NinjaJSONEncoder, the API's content type).
JSON_TYPE = "application/json; charset=utf-8"


# NinjaJSONEncoder writes a datetime with DjangoJSONEncoder.default, after asking whether it is a
# pydantic model, a URL, a network address or an enum (~10 us a datetime, bookpy's measurement).
_TIMES = DjangoJSONEncoder()


def _booking_response(appointment: Appointment, status: int) -> HttpResponse:
    """A booking's answer (BookingOut) written directly, as ninja would write the schema's dump.

    The same bytes (a test compares them), without building and validating a pydantic model from
    values this module has just put together and dumping it again: ~0.3 ms of a booking's CPU. The
    times are written as NinjaJSONEncoder writes them (DjangoJSONEncoder.default), every other
    value is JSON's own, so the standard encoder writes the rest."""
    fields = _booking_fields(appointment)
    for name in ("start", "end", "hold_until"):
        if fields[name] is not None:
            fields[name] = _TIMES.default(fields[name])
    return HttpResponse(json.dumps(fields), status=status, content_type=JSON_TYPE)


def _service(practice: Practice, service_id: int) -> Service:
    service = practice.services.active().filter(pk=service_id).first()
    if service is None:
        raise ApiError(
            404,
            "unknown_service",
            _("No service %(id)s is offered here.") % {"id": service_id},
            {"service": [_("Unknown service.")]},
        )
    return service


# slug -> the practice's id, as last read in this process: a booking's rate-limit keys name the
# practice's id, so with it known the booking's first statement reads the service, the candidates,
# the rooms, the limits' counts and a reserved id at once. Only a guess: the statement reads the
# service by slug, and its practice's id is compared with the guess (a slug given up and taken by
# another practice is then read again, not counted against the wrong keys). Bounded by the number
# of practices; nothing else is kept, so nothing else can go stale.
_practice_ids: dict[str, int] = {}


def _service_and_places(
    slug: str, service_id: int, person_id: int | None, email: str, address: str, now: datetime, start: datetime
) -> tuple[Service, Places | None]:
    """The active service with its practice (or the specific 404) and, when the practice's id was
    known, everything else the booking reads before its search (book_appointment's `places`)."""
    guess = _practice_ids.get(slug)
    limits = []
    if guess is not None:
        # Only the keys and windows are read here (the counts); book_appointment checks them
        # against the practice's settings. No Practice instance: building one costs ~0.2 ms.
        keys = limits_for(guess, 0, 0, email=email, address=address)
        limits = [each.limit for each in keys]
    # With the practice's id known, the search's inputs for `start` come in the same statement.
    read = service_and_places(
        slug,
        service_id,
        practitioner_id=person_id,
        limits=limits,
        now=now,
        reserve_id=True,
        versions=False,
        at=start if guess is not None else None,
    )
    if read is None:
        _service(get_practice(slug), service_id)  # raises: no such practice, or no such service
        raise AssertionError("unreachable")
    service, places = read
    _practice_ids[slug] = service.practice_id
    return service, places if guess == service.practice_id else None


def _practitioner(practice: Practice, service: Service, choice: int | str) -> Practitioner | None:
    if choice == "any":
        return None
    person = service.practitioners.filter(pk=choice, practice=practice, active=True).first()
    if person is None:
        raise ApiError(
            404,
            "unknown_practitioner",
            _("Practitioner %(id)s does not offer this service here.") % {"id": choice},
            {"practitioner": [_("Unknown practitioner for this service.")]},
        )
    return person


@router.get(
    "p/{slug}/availability",
    response={200: AvailabilityOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Free slots for a service",
    openapi_extra={"responses": {200: {"description": "Slots in chronological order"}}},
    description=f"Chronological free slots from `start` to `end` (inclusive local dates, at most {MAX_DAYS} days; "
    "dates from 1900-01-01 to 2999-12-31). `practitioner=any` returns the earliest practitioner free at each time. "
    f"422 `invalid_range` when `end` is before `start` or the range is longer than {MAX_DAYS} days (a rule across "
    "two parameters, which JSON Schema cannot state); 422 `date_out_of_range` for a date outside the bounds. "
    "Times beyond the practice's booking horizon are never free.",
)
def availability(
    request: HttpRequest,
    slug: Slug,
    service: QueryId,
    start: Day,
    end: Day,
    practitioner: PractitionerQuery = "any",
    style: Style | None = None,
) -> HttpResponse:
    # The hot path of the API: one statement for the service with its practice, the candidates and
    # the rooms with their numbers (all an availability cache hit needs), one more on a miss (a
    # UNION for hours, exceptions, time off and bookings), and JSON written directly, since
    # validating a thousand slots through pydantic would cost more than finding them.
    if end < start:
        raise ApiError(422, "invalid_range", _("end is before start."), {"end": [_("end must be on or after start.")]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiError(
            422,
            "invalid_range",
            _("Ask for at most %(count)d days at a time.") % {"count": MAX_DAYS},
            {"end": [_("At most %(count)d days after start.") % {"count": MAX_DAYS}]},
        )
    person_id = None if practitioner == "any" else bounds.parse_id(practitioner)
    style_value = style.value if style else None
    read = service_and_places(slug, service, practitioner_id=person_id, style=style_value)
    if read is None:
        _service(get_practice(slug), service)  # raises: no such practice, or no such service
        raise AssertionError("unreachable")
    svc, places = read
    found = search_slots(
        practice=svc.practice,
        service=svc,
        practitioner_id=person_id,
        style=style_value,
        first_day=start,
        last_day=end,
        now=timezone.now(),
        fresh_places=places,
    )
    if person_id is not None and not found.practitioner_ids:
        _practitioner(svc.practice, svc, person_id)  # raises the specific 404
    return HttpResponse(slots_json(found), content_type="application/json")


def slots_json(found: Found) -> str:
    """The availability answer, `{"slots": [...]}`, written as text.

    The same bytes json.dumps wrote from dicts (a test compares them), at a fraction of the cost for
    a whole clinic's month: each slot's text is a pure function of its instants, ids and zone, kept
    across requests (`_slot_text`), and the only values are integers and ISO 8601 strings, which
    need no escaping.
    """
    zone_of_room = {room: found.zone_of[location] for room, location in found.location_of.items()}
    return (
        '{"slots": ['
        + ", ".join(
            [_slot_text(s.start, s.end, s.practitioner_id, s.room_id, zone_of_room[s.room_id]) for s in found.slots]
        )
        + "]}"
    )


# Bounded (a few MiB at most), so a worker's memory stays flat; nothing to invalidate: the text
# depends on the arguments only. The same slots recur across requests (the availability cache
# hands back the same instants), so most answers are joined from texts already written.
@functools.lru_cache(maxsize=20_000)
def _slot_text(start: datetime, end: datetime, practitioner: int, room: int, zone: ZoneInfo) -> str:
    return '{"start": "%s", "end": "%s", "practitioner": %d, "room": %d}' % (  # noqa: UP031 (the hot path)
        start.astimezone(zone).isoformat(),
        end.astimezone(zone).isoformat(),
        practitioner,
        room,
    )


@router.post(
    "p/{slug}/bookings",
    response={
        201: BookingOut,
        200: BookingOut,
        400: ErrorOut,
        404: ErrorOut,
        409: SlotTakenOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Book a slot (held until confirmed from the email)",
    description="The booking is `held`: the time is kept for it while the owner of the email address confirms "
    "it from the link emailed to them (that link is also where they see, cancel or reschedule it; it is never "
    "in this response). The answer shows only what was sent, whoever the address belongs to. Send an "
    "`Idempotency-Key` header to make retries safe: a retry with the same key and the same request returns "
    "the same booking (200); the same key with a different request is refused (422, "
    "`idempotency_key_reused`). 422 also when the practice's booking policy refuses the time: `in_past`, "
    "`too_soon` (inside the minimum notice) or `too_far` (beyond the booking horizon). 409 when the time is no longer "
    "free, with alternatives. 429 `rate_limited` (with "
    "a `Retry-After` header, in seconds) past the practice's limits on bookings per email address per day and "
    "per network address per hour; only bookings made count.",
)
def create_booking(
    request: HttpRequest,
    slug: Slug,
    payload: BookingIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="1 to 100 printable ASCII characters.",
            min_length=1,
            max_length=100,
            pattern=IDEMPOTENCY_KEY_PATTERN,
        ),
    ] = None,
) -> HttpResponse:
    person_id = None if payload.practitioner == "any" else int(payload.practitioner)
    now = timezone.now()
    address = client_address(request)
    service, places = _service_and_places(
        slug, payload.service, person_id, payload.client.email, address, now, payload.start
    )
    practice = service.practice
    try:
        booked = book_appointment(
            practice=practice,
            service=service,
            practitioner=None,
            practitioner_id=person_id,
            start=payload.start,
            client=ClientDetails(
                payload.client.first_name, payload.client.last_name, payload.client.email, payload.client.phone
            ),
            note=payload.note,
            source=Source.API,
            idempotency_key=idempotency_key,
            client_address=address,
            now=now,
            places=places,
        )
    except SlotTaken as exc:
        person = None if person_id is None else _practitioner(practice, service, person_id)
        others = alternatives(practice=practice, service=service, practitioner=person, around=payload.start)
        raise ApiError(
            409,
            exc.code,
            exc.message,
            extra={"alternatives": [_slot_out(s, _zone(practice)).model_dump(mode="json") for s in others]},
        ) from None
    except TooManyBookings as exc:
        raise ApiError(429, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)}) from None
    except BookingError as exc:
        if exc.code == "unknown_practitioner" and person_id is not None:
            _practitioner(practice, service, person_id)  # raises the specific 404
        raise ApiError(
            exc.status if exc.status != 400 else 422,
            exc.code,
            exc.message,
            {exc.field: [exc.message]} if exc.field else None,
        ) from None
    return _booking_response(booked.appointment, 201 if booked.created else 200)


def _by_token(token: str) -> Appointment:
    appointment = find_by_token(token)
    if appointment is None:
        raise ApiError(404, "not_found", _("No booking has this token."))
    return appointment


class ManagedBookingOut(BookingOut):
    practice: str
    may_change_until: datetime
    can_change_online: bool


def _managed(appointment: Appointment) -> ManagedBookingOut:
    base = _booking_out(appointment).model_dump()
    return ManagedBookingOut(
        **base,
        practice=appointment.practice.slug,
        may_change_until=(appointment.start - appointment.practice.cancellation_window).astimezone(
            appointment.location.zone
        ),
        can_change_online=appointment.can_move(timezone.now(), by_client=True),
    )


@router.get(
    "bookings/{token}",
    response={200: ManagedBookingOut, 404: ErrorOut, **BAD_INPUT},
    summary="A booking, by its manage token",
)
def booking_by_token(request: HttpRequest, token: Token) -> ManagedBookingOut:
    return _managed(_by_token(token))


@router.post(
    "bookings/{token}/cancel",
    response={200: ManagedBookingOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut, **BAD_INPUT},
    summary="Cancel a booking (inside the practice's cancellation window)",
)
def cancel_by_token(request: HttpRequest, token: Token) -> ManagedBookingOut:
    appointment = _by_token(token)
    try:
        cancel_appointment(appointment=appointment, by_client=True, by=ChangedBy.api())
    except BookingError as exc:
        raise ApiError(exc.status if exc.status == 503 else 409, exc.code, exc.message) from None
    return _managed(appointment)


@router.post(
    "bookings/{token}/confirm",
    response={200: ManagedBookingOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut, **BAD_INPUT},
    summary="Confirm a held booking (from the link emailed to its address)",
    description="Confirming twice is harmless. 409 `hold_released` when it was not confirmed in time and its "
    "time went to someone else, `in_past`, or `first_visit_required` when the practice starts new clients "
    "with a first visit (the hold is released then).",
)
def confirm_by_token(request: HttpRequest, token: Token) -> ManagedBookingOut:
    appointment = _by_token(token)
    try:
        confirm_booking(appointment=appointment, by=ChangedBy.api())
    except BookingError as exc:
        raise ApiError(exc.status if exc.status == 503 else 409, exc.code, exc.message) from None
    return _managed(appointment)


@router.post(
    "bookings/{token}/release",
    response={200: ManagedBookingOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut, **BAD_INPUT},
    summary='Release a held booking\'s time ("I did not ask for this")',
)
def release_by_token(request: HttpRequest, token: Token) -> ManagedBookingOut:
    appointment = _by_token(token)
    try:
        release_hold(appointment=appointment, by=ChangedBy.api())
    except BookingError as exc:
        raise ApiError(exc.status if exc.status == 503 else 409, exc.code, exc.message) from None
    return _managed(appointment)
