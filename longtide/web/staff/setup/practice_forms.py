"""Input shapes for the practice's details, policies, home page, locations and rooms."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.lib.formats import is_currency
from longtide.practice.models import (
    CANCEL_MAX_HOURS,
    HORIZON_MAX_DAYS,
    NOTICE_MAX_HOURS,
    STEP_CHOICES,
    Location,
    Practice,
    Room,
)
from longtide.web.bad_input import bound_text

TEXT_MAX = 5000


def lock_practice(practice: Practice) -> None:
    """Hold the practice's row until the transaction ends. The settings pages save a location, room,
    practitioner or service under it, after checking its name again (`still_free`): the form's
    check ran unlocked, so two simultaneous posts of one name both passed it and both saved. FOR NO
    KEY UPDATE on PostgreSQL: it waits for another such lock (and practice/staff.py's), not for
    bookings, whose rows only refer to the practice. On SQLite transactions are IMMEDIATE
    (settings), so the transaction alone serializes the check and the save."""
    list(Practice.objects.select_for_update(no_key=True).filter(pk=practice.pk).values_list("pk", flat=True))


def still_free(form: forms.BaseForm, field: str, clash: Callable[[str], str | None]) -> bool:
    """A valid form's unique-name check again, under `lock_practice`, just before saving: False (the
    message on the field, as clean_<field> gives it) when a row of that name was saved meanwhile."""
    message = clash(str(form.cleaned_data[field]))
    if message:
        form.add_error(field, message)
    return message is None


class PracticeDetailsForm(forms.ModelForm):  # type: ignore[type-arg]
    # Wider than the column, so that "dollars" gets the helpful message rather than a length error.
    currency = forms.CharField(
        label=_("Currency"),
        max_length=40,
        help_text=_("Three-letter ISO code, e.g. USD, CAD, GBP, EUR."),
        error_messages={"required": _("Use a three-letter currency code such as USD, EUR or GBP.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_text(self.fields, {"cancellation_policy": 2000})

    class Meta:
        model = Practice
        fields = [
            "name",
            "tagline",
            "email",
            "phone",
            "website",
            "currency",
            "locale",
            "clock_hours",
            "cancellation_policy",
        ]
        labels = {
            "name": _("Practice name"),
            "tagline": _("Tagline"),
            "email": _("Contact email"),
            "phone": _("Contact phone"),
            "website": _("Website"),
            "currency": _("Currency"),
            "locale": _("Formats (language and region)"),
            "clock_hours": _("Clock"),
            "cancellation_policy": _("Cancellation policy, in your words"),
        }
        help_texts = {
            "tagline": _("One line under the name on your home page."),
            "email": _("Clients' replies to booking emails go here."),
            "currency": _("Three-letter ISO code, e.g. USD, CAD, GBP, EUR."),
            "locale": _(
                "Prices and dates on your pages and in emails follow this region's conventions "
                "($150, 150 €, CHF 150; Thu 3 Dec, jeu. 3 déc., Do., 3. Dez.). "
                "Page text is in English, the one language shipped so far."
            ),
            "clock_hours": _("How times are written on your pages, your calendar and in emails and texts."),
            "cancellation_policy": _("Shown when clients book and in their confirmation."),
        }
        widgets = {"cancellation_policy": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "locale": {"invalid_choice": _("Choose one of the listed regions.")},
            "clock_hours": {"invalid_choice": _("Choose the 12-hour or the 24-hour clock.")},
        }

    def clean_currency(self) -> str:
        value = str(self.cleaned_data["currency"]).strip().upper()
        if len(value) != 3 or not value.isascii() or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code such as USD, EUR or GBP."))
        if not is_currency(value):
            raise forms.ValidationError(
                _("%(code)s is not a currency code we know. Use an ISO 4217 code such as USD, EUR or GBP.")
                % {"code": value}
            )
        return value

    def clean_name(self) -> str:
        value = str(self.cleaned_data["name"]).strip()
        if not value:
            raise forms.ValidationError(_("Give the practice a name."))
        return value


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    min_notice_hours = forms.IntegerField(
        label=_("Minimum notice for online bookings (hours)"),
        min_value=0,
        max_value=NOTICE_MAX_HOURS,
        help_text=_("Clients cannot book a time sooner than this. 0 to %(max)d hours.") % {"max": NOTICE_MAX_HOURS},
        error_messages={
            "min_value": _("The notice cannot be negative; use 0 for no notice."),
            "max_value": _("At most %(limit_value)s hours (30 days) of notice."),
            "invalid": _("Enter a whole number of hours, e.g. 12."),
        },
    )
    booking_horizon_days = forms.IntegerField(
        label=_("How far ahead clients can book (days)"),
        min_value=1,
        max_value=HORIZON_MAX_DAYS,
        help_text=_("1 to %(max)d days.") % {"max": HORIZON_MAX_DAYS},
        error_messages={
            "min_value": _("Clients need at least 1 day to book in."),
            "max_value": _("At most %(limit_value)s days (two years) ahead."),
            "invalid": _("Enter a whole number of days, e.g. 90."),
        },
    )
    slot_step_minutes = forms.TypedChoiceField(
        label=_("Offer start times every"),
        coerce=int,
        choices=[(n, _("%(n)d minutes") % {"n": n}) for n in STEP_CHOICES],
        help_text=_("On the hour, and then every so many minutes (9:00, 9:15, …)."),
        error_messages={"invalid_choice": _("Choose one of the offered steps.")},
    )
    cancellation_window_hours = forms.IntegerField(
        label=_("Online cancellation closes (hours before the start)"),
        min_value=0,
        max_value=CANCEL_MAX_HOURS,
        help_text=_("After that, clients are asked to contact you. 0 to %(max)d hours.") % {"max": CANCEL_MAX_HOURS},
        error_messages={
            "min_value": _("The window cannot be negative; use 0 to allow changes until the start."),
            "max_value": _("At most %(limit_value)s hours (14 days)."),
            "invalid": _("Enter a whole number of hours, e.g. 24."),
        },
    )

    booking_hold_minutes = forms.IntegerField(
        label=_("Hold an unconfirmed online booking for (minutes)"),
        min_value=15,
        max_value=24 * 60,
        help_text=_(
            "Online bookings wait for the client to confirm them from the email we send; the time is kept for "
            "them this long. 15 to 1440 minutes."
        ),
        error_messages={
            "min_value": _("Hold a booking for at least %(limit_value)s minutes: the email can take a while."),
            "max_value": _("At most %(limit_value)s minutes (a day)."),
            "invalid": _("Enter a whole number of minutes, e.g. 120."),
        },
    )
    online_bookings_per_email_per_day = forms.IntegerField(
        label=_("Online bookings per email address per day"),
        min_value=1,
        max_value=50,
        help_text=_("More bookings for one email address within 24 hours are refused. 1 to 50."),
        error_messages={
            "min_value": _("Allow at least %(limit_value)s booking a day."),
            "max_value": _("At most %(limit_value)s bookings a day."),
            "invalid": _("Enter a whole number, e.g. 6."),
        },
    )
    online_bookings_per_ip_per_hour = forms.IntegerField(
        label=_("Online bookings per network address per hour"),
        min_value=1,
        max_value=1000,
        help_text=_(
            "More bookings from one network (IP) address within an hour are refused; people in one office or "
            "home share one. 1 to 1000."
        ),
        error_messages={
            "min_value": _("Allow at least %(limit_value)s booking an hour."),
            "max_value": _("At most %(limit_value)s bookings an hour."),
            "invalid": _("Enter a whole number, e.g. 20."),
        },
    )

    note_overdue_days = forms.IntegerField(
        label=_("A session note is overdue after (days)"),
        min_value=1,
        max_value=30,
        help_text=_(
            "Unsigned notes of sessions more than this many days ago are marked overdue on the calendar and in "
            "Notes to write. 1 to 30 days."
        ),
        error_messages={
            "min_value": _("At least %(limit_value)s day: notes are written the same day."),
            "max_value": _("At most %(limit_value)s days."),
            "invalid": _("Enter a whole number of days, e.g. 1."),
        },
    )

    class Meta:
        model = Practice
        fields = [
            "min_notice_hours",
            "booking_horizon_days",
            "slot_step_minutes",
            "cancellation_window_hours",
            "new_clients_first_visit",
            # Online bookings wait for the client's confirmation by email, and are limited per
            # address (docs/booking-privacy.md; scheduling/booking_limits.py).
            "booking_hold_minutes",
            "online_bookings_per_email_per_day",
            "online_bookings_per_ip_per_hour",
            # Session notes (docs/notes.md): when an unsigned note counts as overdue.
            "note_overdue_days",
        ]
        labels = {"new_clients_first_visit": _("New clients must start with a first-visit service")}
        help_texts = {"new_clients_first_visit": _("Mark the service as a first visit in Services.")}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        notice, horizon = data.get("min_notice_hours"), data.get("booking_horizon_days")
        if notice is not None and horizon is not None and notice >= horizon * 24:
            self.add_error(
                "booking_horizon_days",
                _("With %(notice)d hours' notice, clients could never book: reach further ahead than the notice.")
                % {"notice": notice},
            )
        return data


class HomePageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Practice
        fields = ["intro", "about_cst", "styles_text", "reasons_text", "session_text", "evidence_text"]
        labels = {
            "intro": _("Opening paragraph"),
            "about_cst": _("What craniosacral therapy is"),
            "styles_text": _("Styles of practice"),
            "reasons_text": _("What clients come for"),
            "session_text": _("What to expect in a session"),
            "evidence_text": _("About the evidence"),
        }
        help_texts = {
            "reasons_text": _(
                "Say what people come with, not what CST treats: the evidence is limited and mixed, so never "
                "promise a cure."
            ),
            "evidence_text": _("Be honest: CST may help some people; the research is limited and mixed."),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}) for name in fields}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        for name, value in list(data.items()):
            if isinstance(value, str) and len(value) > TEXT_MAX:
                self.add_error(
                    name, _("At most %(max)d characters (this has %(n)d).") % {"max": TEXT_MAX, "n": len(value)}
                )
        return data


def time_zone_choices() -> list[tuple[str, Any]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", _("Choose a time zone")), *((z, z.replace("_", " ")) for z in zones), ("UTC", "UTC")]


class LocationForm(forms.ModelForm):  # type: ignore[type-arg]
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Working hours and every time shown for this location use it, daylight saving included."),
        error_messages={
            "required": _("Choose the location's time zone."),
            "invalid_choice": _("Choose a time zone from the list (e.g. America/New_York)."),
        },
    )

    class Meta:
        model = Location
        fields = ["name", "address", "city", "region", "postal_code", "country", "time_zone"]
        labels = {
            "name": _("Name"),
            "address": _("Street address"),
            "city": _("City"),
            "region": _("State, province or region"),
            "postal_code": _("Postal code"),
            "country": _("Country code"),
        }
        help_texts = {"name": _("e.g. Brooklyn, or Main clinic."), "country": _("Two letters, e.g. US, CA, GB.")}

    def clean_country(self) -> str:
        value = str(self.cleaned_data.get("country") or "").strip().upper()
        if value and (len(value) != 2 or not value.isascii() or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code, e.g. US, CA or GB."))
        return value

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        clash = self.name_clash(name)
        if clash:
            raise forms.ValidationError(clash)
        return name

    def name_clash(self, name: str) -> str | None:
        same = Location.objects.filter(practice=self.instance.practice, name__iexact=name).exclude(pk=self.instance.pk)
        return _("There is already a location called %(name)s.") % {"name": name} if same.exists() else None

    def name_still_free(self) -> bool:
        return still_free(self, "name", self.name_clash)


class RoomForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Room
        fields = ["name", "description", "active"]
        labels = {"name": _("Name"), "description": _("Description"), "active": _("In use (can be booked)")}
        help_texts = {"description": _("e.g. Table by the window.")}

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        clash = self.name_clash(name)
        if clash:
            raise forms.ValidationError(clash)
        return name

    def name_clash(self, name: str) -> str | None:
        same = Room.objects.filter(location=self.instance.location, name__iexact=name).exclude(pk=self.instance.pk)
        return _("There is already a room called %(name)s here.") % {"name": name} if same.exists() else None

    def name_still_free(self) -> bool:
        return still_free(self, "name", self.name_clash)
