"""Input shapes for the staff calendar, and the free times that staff choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from longtide.clients.contact import REACH_ONE_WAY, can_be_reached
from longtide.clients.models import Client
from longtide.lib.bounds import MAX_ID, parse_id
from longtide.practice.models import Practice, Practitioner, Service
from longtide.scheduling.booking import REASON_LENGTH
from longtide.scheduling.models import OVERRIDE_REASON_MAX, Decider, Status
from longtide.scheduling.search import search_slots
from longtide.web.bad_input import BoundedDateField, no_control_characters
from longtide.web.client_details import ClientDetailsForm
from longtide.web.times import parse_slot, slot_value, time_label


class CalendarQuery(forms.Form):
    """The calendar's URL parameters. An unusable value falls back to its default, never an error page."""

    view = forms.ChoiceField(choices=[("day", _("Day")), ("week", _("Week"))], required=False)
    date = BoundedDateField(required=False)
    # "team": every practitioner side by side (a week: a column per practitioner per day).
    by = forms.ChoiceField(
        choices=[("practitioner", _("Practitioner")), ("room", _("Room")), ("team", _("Everyone"))], required=False
    )
    practitioner = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    room = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class SlotSearchForm(forms.Form):
    """Which times to list: a service, a practitioner (or anyone who offers it) and a day."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label=_("Any practitioner")
    )
    date = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, practice: Practice, data: QueryDict | dict[str, Any], *, defaults: dict[str, Any]) -> None:
        # Missing fields take their defaults, so that the page always lists some times.
        merged = {**defaults, **{key: value for key, value in data.items() if value not in (None, "")}}
        super().__init__(merged)
        self.fields["service"].queryset = practice.services.active()  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = practice.practitioners.active()  # type: ignore[attr-defined]


class MoveSearchForm(forms.Form):
    """Where to look for a new time: a practitioner who offers the service (or any of them) and a day."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), required=False, empty_label=_("Any practitioner who offers it")
    )
    date = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, service: Service, data: QueryDict | dict[str, Any], *, defaults: dict[str, Any]) -> None:
        merged = {**defaults, **{key: value for key, value in data.items() if key in ("practitioner", "date")}}
        super().__init__(merged)
        self.fields["practitioner"].queryset = service.practitioners.filter(active=True)  # type: ignore[attr-defined]


class _SlotChoice(forms.Form):
    """A form with one offered time, "<ISO start>|<practitioner id>", cleaned to (start, practitioner).

    Whether the time is still free is the booking action's call, not the form's: it re-checks under
    the booking locks and says so precisely when it is not.
    """

    slot = forms.CharField(max_length=100, error_messages={"required": _("Choose one of the free times.")})

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_slot(self) -> tuple[datetime, Practitioner]:
        parsed = parse_slot(self.cleaned_data["slot"])
        practitioner = self.practice.practitioners.filter(pk=parsed[1]).first() if parsed else None
        if parsed is None or practitioner is None:
            raise forms.ValidationError(_("That time is not valid. Please choose one of the free times."))
        return parsed[0], practitioner


class ClientContactForm(ClientDetailsForm):
    """A client's name and how to reach them, typed by staff (web/client_details.py): the client
    list's add and edit pages, and booking a new client. Email or phone, at least one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Optional for a client who has only a phone: then no email is sent to them.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "email" in data and "phone" in data and not can_be_reached(data["email"], data["phone"]):
            self.add_error("phone", REACH_ONE_WAY)
        return data


class StaffBookingForm(_SlotChoice, ClientContactForm):
    """A free time and the client: one found in the client list (`client`), or a new one typed in."""

    client = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Note from the client for the practitioner (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the practitioner and the practice's owners can read it afterwards."),
    )

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(practice, *args, **kwargs)
        chosen = self.data.get("client", "") if self.is_bound else self.initial.get("client")
        self.chosen_client = _chosen(practice, chosen)
        if self.chosen_client is not None:
            # Booking for a client from the list: nothing to retype, their record is used as it is.
            for name in ("first_name", "last_name", "email", "phone"):
                self.fields[name].required = False

    def clean_client(self) -> Client | None:
        if self.cleaned_data.get("client") is None:
            return None
        if self.chosen_client is None:
            raise forms.ValidationError(_("That client is not in this practice's list. Search again."))
        return self.chosen_client

    def clean(self) -> dict[str, Any]:
        if self.chosen_client is not None:
            return forms.Form.clean(self) or {}
        return super().clean()


def _chosen(practice: Practice, value: object) -> Client | None:
    pk = parse_id(str(value or ""))
    if pk is None:
        return None
    found = Client.objects.for_practice(practice).select_related("merged_into").filter(pk=pk).first()
    return found.in_use if found is not None else None  # a merged record: the one kept


class _Seen(forms.Form):
    """The appointment's version as the page showed it (Appointment.version): a change made from a
    page someone else's change has overtaken is refused, never applied to what it no longer shows."""

    seen = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


class MoveForm(_SlotChoice, _Seen):
    reason = forms.CharField(
        max_length=REASON_LENGTH,
        required=False,
        validators=[no_control_characters],
        label=_("Reason (optional)"),
        help_text=_("Kept in the appointment's history."),
    )


class CancelForm(_Seen):
    """Cancel (who decided, why) or, with `late`, record the client's late cancellation (why)."""

    late = forms.BooleanField(required=False, widget=forms.HiddenInput)
    decided_by = forms.ChoiceField(
        choices=Decider.choices,
        required=False,
        widget=forms.RadioSelect,
        label=_("Who decided"),
    )
    reason = forms.CharField(
        max_length=REASON_LENGTH,
        validators=[no_control_characters],
        label=_("Reason"),
        error_messages={
            "required": _("Say why it is cancelled (for the appointment's history)."),
            "max_length": ngettext_lazy(
                "Keep the reason under %(n)d character.", "Keep the reason under %(n)d characters.", "n"
            )
            % {"n": REASON_LENGTH},
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("late") and not data.get("decided_by"):
            self.add_error("decided_by", _("Say who decided to cancel: the client or the clinic."))
        return data


class MarkForm(_Seen):
    status = forms.ChoiceField(
        choices=[(Status.COMPLETED, _("Completed")), (Status.NO_SHOW, _("No-show"))],
        error_messages={"required": _("Say whether it was completed or a no-show.")},
    )
    # Marking completed without the client's current treatment consent: why the session went ahead
    # (recorded with who and when; practice/access.py may_override_consent decides who may).
    override_reason = forms.CharField(
        max_length=OVERRIDE_REASON_MAX,
        required=False,
        strip=True,
        validators=[no_control_characters],
        error_messages={
            "max_length": ngettext_lazy(
                "Keep the reason under %(n)d character.", "Keep the reason under %(n)d characters.", "n"
            )
            % {"n": OVERRIDE_REASON_MAX}
        },
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
    found = search_slots(
        practice=practice,
        service=service,
        practitioner_id=practitioner.pk if practitioner is not None else None,
        first_day=day,
        last_day=day,
        now=now,
        for_staff=True,
        any_practitioner=False,
        ignore_appointment=ignore_appointment,
    )
    ids = found.practitioner_ids
    people = {p.pk: PractitionerTimes(p) for p in practice.practitioners.filter(pk__in=ids)}
    for slot in found.slots:
        if slot.practitioner_id in people:
            option = TimeOption(time_label(slot.start, zone), slot_value(slot.start, slot.practitioner_id))
            people[slot.practitioner_id].times.append(option)
    return [people[pid] for pid in ids if pid in people]
