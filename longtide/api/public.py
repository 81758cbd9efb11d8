"""Public practice endpoints: the practice, its services and practitioners."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from longtide.api.types import Slug
from longtide.practice.models import Practice, Style

router = Router(tags=["practice"])


class LocationOut(Schema):
    id: int
    name: str
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    time_zone: str


class PoliciesOut(Schema):
    min_notice_hours: int
    booking_horizon_days: int
    slot_step_minutes: int
    cancellation_window_hours: int
    new_clients_first_visit: bool
    cancellation_policy: str


class PracticeOut(Schema):
    slug: str
    name: str
    tagline: str
    email: str
    phone: str
    currency: str
    locations: list[LocationOut]
    policies: PoliciesOut


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: Decimal
    currency: str
    first_visit: bool
    buffer_before_minutes: int
    buffer_after_minutes: int


class PractitionerOut(Schema):
    id: int
    name: str
    style: str
    credentials: str
    bio: str
    training: str
    service_ids: list[int]


class ErrorOut(Schema):
    detail: str
    code: str


# Every endpoint may answer these for input it cannot use (docs/security.md, "Bad input"): 400 for a
# body that is not JSON or a NUL byte in the query or a header, 422 for a value outside the schema.
BAD_INPUT: dict[int, type[Schema]] = {400: ErrorOut, 422: ErrorOut}
# An endpoint that reads a JSON body also answers 415 `unsupported_media_type` for a body sent as
# anything but JSON (a form-encoded one, say).
BODY_INPUT: dict[int, type[Schema]] = {**BAD_INPUT, 415: ErrorOut}


def get_practice(slug: str) -> Practice:
    """Return the practice or raise a 404 that names what was not found."""
    try:
        return Practice.objects.get(slug=slug)
    except Practice.DoesNotExist:
        raise Http404(_("No practice called %(slug)r.") % {"slug": slug}) from None


@router.get(
    "p/{slug}/",
    response={200: PracticeOut, 404: ErrorOut, **BAD_INPUT},
    summary="A practice, its locations and policies",
)
def practice_detail(request: HttpRequest, slug: Slug) -> PracticeOut:
    practice = get_practice(slug)
    return PracticeOut(
        slug=practice.slug,
        name=practice.name,
        tagline=practice.tagline,
        email=practice.email,
        phone=practice.phone,
        currency=practice.currency,
        locations=[LocationOut.model_validate(loc, from_attributes=True) for loc in practice.locations.all()],
        policies=PoliciesOut.model_validate(practice, from_attributes=True),
    )


@router.get(
    "p/{slug}/services", response={200: list[ServiceOut], 404: ErrorOut, **BAD_INPUT}, summary="Bookable services"
)
def service_list(request: HttpRequest, slug: Slug) -> list[ServiceOut]:
    practice = get_practice(slug)
    return [
        ServiceOut(
            id=s.pk,
            name=s.name,
            description=s.description,
            duration_minutes=s.duration_minutes,
            price=s.price,
            currency=practice.currency,
            first_visit=s.is_first_visit,
            buffer_before_minutes=s.buffer_before_minutes,
            buffer_after_minutes=s.buffer_after_minutes,
        )
        for s in practice.services.active()
    ]


@router.get(
    "p/{slug}/practitioners", response={200: list[PractitionerOut], 404: ErrorOut, **BAD_INPUT}, summary="Practitioners"
)
def practitioner_list(request: HttpRequest, slug: Slug, style: Style | None = None) -> list[PractitionerOut]:
    practice = get_practice(slug)
    people = practice.practitioners.active().prefetch_related("services")
    if style:
        people = people.filter(style=style)
    return [
        PractitionerOut(
            id=p.pk,
            name=p.display_name,
            style=p.style,
            credentials=p.credentials,
            bio=p.bio,
            training=p.training,
            service_ids=sorted(s.pk for s in p.services.all() if s.active),
        )
        for p in people
    ]
