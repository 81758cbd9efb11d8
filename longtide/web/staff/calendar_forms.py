"""Input shapes for the staff calendar, and the free times that staff choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.http import QueryDict

from longtide.clients.contact import PHONE
from longtide.practice.models import Practice, Practitioner, Service
from longtide.scheduling.models import Status
from longtide.scheduling.search import candidate_practitioners, find_slots
from longtide.web.times import parse_slot, slot_value, time_label


class CalendarQuery(forms.Form):
    """The calendar's URL parameters. An unusable value falls back to its default, never an error page."""

    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)
    date = forms.DateField(required=False)
    by = forms.ChoiceField(choices=[("practitioner", "Practitioner"), ("room", "Room")], required=False)
    practitioner = forms.IntegerField(required=False, min_value=1)
    room = forms.IntegerField(required=False, min_value=1)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class SlotSearchForm(forms.Form):
    """Which times to list: a service, a practitioner (or anyone who offers it) and a day."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label="Any practitioner"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, practice: Practice, data: QueryDict | dict[str, Any], *, defaults: dict[str, Any]) -> None:
        # Missing fields take their defaults, so that the page always lists some times.
        merged = {**defaults, **{key: value for key, value in data.items() if value not in (None, "")}}
        super().__init__(merged)
        self.fields["service"].queryset = practice.services.active()  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = practice.practitioners.active()  # type: ignore[attr-defined]


class MoveSearchForm(forms.Form):
    """Where to look for a new time: a practitioner who offers the service (or any of them) and a day."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label="Any practitioner who offers it"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, service: Service, data: QueryDict | dict[str, Any], *, defaults: dict[str, Any]) -> None:
        merged = {**defaults, **{key: value for key, value in data.items() if key in ("practitioner", "date")}}
        super().__init__(merged)
        self.fields["practitioner"].queryset = service.practitioners.filter(active=True)  # type: ignore[attr-defined]


class _SlotChoice(forms.Form):
    """A form with one offered time, "<ISO start>|<practitioner id>", cleaned to (start, practitioner).

    Whether the time is still free is the booking action's call, not the form's: it re-checks under
    the booking locks and says so precisely when it is not.
    """

    slot = forms.CharField(error_messages={"required": "Choose one of the free times."})

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_slot(self) -> tuple[datetime, Practitioner]:
        parsed = parse_slot(self.cleaned_data["slot"])
        practitioner = self.practice.practitioners.filter(pk=parsed[1]).first() if parsed else None
        if parsed is None or practitioner is None:
            raise forms.ValidationError("That time is not valid. Please choose one of the free times.")
        return parsed[0], practitioner


class StaffBookingForm(_SlotChoice):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = forms.EmailField(
        max_length=254, error_messages={"invalid": "Enter an email address like name@example.com."}
    )
    phone = forms.CharField(
        max_length=40, required=False, validators=[PHONE], widget=forms.TextInput(attrs={"type": "tel"})
    )
    note = forms.CharField(
        max_length=1000,
        required=False,
        label="Note from the client for the practitioner (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the practitioner and the practice's owners can read it afterwards.",
    )


class MoveForm(_SlotChoice):
    pass


class CancelForm(forms.Form):
    late = forms.BooleanField(required=False)


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Status.COMPLETED, "Completed"), (Status.NO_SHOW, "No-show")],
        error_messages={"required": "Say whether it was completed or a no-show."},
    )


@dataclass(frozen=True, slots=True)
class TimeOption:
    label: str  # "9:15 AM"
    value: str  # slot_value(...)


@dataclass
class PractitionerTimes:
    practitioner: Practitioner
    times: list[TimeOption] = field(default_factory=list)


def free_times(
    *,
    practice: Practice,
    service: Service,
    practitioner: Practitioner | None,
    day: date,
    zone: ZoneInfo,
    now: datetime,
    ignore_appointment: int | None = None,
) -> list[PractitionerTimes]:
    """Return the staff-bookable times on the local day, grouped by practitioner in display order.

    Staff see every practitioner's times (not one per start, as clients do): the front desk often
    books the person the client asked for on the phone.
    """
    ids = candidate_practitioners(service, practitioner=practitioner)
    found = find_slots(
        practice=practice,
        service=service,
        practitioner_ids=ids,
        first_day=day,
        last_day=day,
        now=now,
        for_staff=True,
        ignore_appointment=ignore_appointment,
    )
    people = {p.pk: PractitionerTimes(p) for p in practice.practitioners.filter(pk__in=ids)}
    for slot in found.slots:
        if slot.practitioner_id in people:
            option = TimeOption(time_label(slot.start, zone), slot_value(slot.start, slot.practitioner_id))
            people[slot.practitioner_id].times.append(option)
    return [people[pid] for pid in ids if pid in people]
