"""What a new practice still needs before it can take its first online booking (the owner's checklist)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Practice, Room, Service
from longtide.scheduling.models import WorkingHours


@dataclass(frozen=True, slots=True)
class Step:
    key: str  # location, room, service, practitioner, hours, (optional) home_page, staff
    title: str
    done: bool
    required: bool = True


@dataclass(frozen=True, slots=True)
class Progress:
    steps: list[Step]

    @property
    def ready(self) -> bool:
        """Whether clients can book online: every required step is done."""
        return all(step.done for step in self.steps if step.required)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if step.required and not step.done), None)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps if step.required)

    @property
    def required_count(self) -> int:
        return sum(step.required for step in self.steps)


def setup_progress(practice: Practice) -> Progress:
    """Return the checklist: a location, a room, a bookable service, a practitioner offering it, and
    that practitioner's hours at a location with a room — the chain a first online booking needs."""
    has_location = practice.locations.exists()
    rooms = Room.objects.filter(location__practice=practice, active=True)
    bookable_services = Service.objects.filter(practice=practice, active=True)
    offering = practice.practitioners.filter(active=True).filter(
        Exists(bookable_services.filter(practitioners=OuterRef("pk")))
    )
    with_hours = offering.filter(
        Exists(WorkingHours.objects.filter(practitioner=OuterRef("pk"), location__in=rooms.values("location_id")))
    )
    steps = [
        Step("location", str(_("Add your location: its address and time zone")), has_location),
        Step("room", str(_("Add a treatment room")), rooms.exists()),
        Step("service", str(_("Add a service clients can book")), bookable_services.exists()),
        Step("practitioner", str(_("Add a practitioner who offers it")), offering.exists()),
        Step("hours", str(_("Set that practitioner's working hours")), with_hours.exists()),
        Step(
            "home_page",
            str(_("Write your home page and check the booking policies")),
            bool(practice.intro),
            required=False,
        ),
        # Anyone invited counts, joined or not and whichever kind of invitation (a membership for a new
        # address, a StaffInvitation for an existing login): the two must read the same to the owner.
        Step(
            "staff",
            str(_("Invite your team")),
            practice.memberships.count() > 1 or practice.staff_invitations.exists(),
            required=False,
        ),
    ]
    return Progress(steps)
