"""Input shapes for working hours: the weekly pattern, dated exceptions, time off, and the preview week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.lib.weeks import monday_of
from longtide.practice.models import Location, Practitioner, Service
from longtide.scheduling.availability import WeeklyHours
from longtide.scheduling.models import Weekday
from longtide.web import formats
from longtide.web.times import day_year_label

TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p"]
TIME_ERRORS = {"invalid": _("Enter a time like 09:00 or 13:30.")}
# Hours are planned for the near future; a date far outside this is a typo (or year 0001 / 9999).
PAST_LIMIT = timedelta(days=366)
FUTURE_LIMIT = timedelta(days=3 * 366)
ROWS_PER_DAY = 3


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=TIME_FORMATS,
        error_messages=TIME_ERRORS,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        error_messages={"invalid": _("Enter a date like 2026-03-14."), "required": _("Choose a date.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def check_date_range(value: date, today: date) -> None:
    if value < today - PAST_LIMIT or value > today + FUTURE_LIMIT:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": (today - PAST_LIMIT).isoformat(), "last": (today + FUTURE_LIMIT).isoformat()}
        )


def label_time(value: time) -> str:
    """Return "2:00 PM" or "14:00", on the practice's clock (web/formats.py)."""
    return formats.current().clock(value)


@dataclass(frozen=True, slots=True)
class Day:
    """A day of the week as the editor names it: 0 Monday … 6 Sunday, in the practice's locale."""

    value: int
    label: str


class WeeklyHoursForm(forms.Form):
    """Seven days, each with several from–to rows; an empty row is ignored."""

    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, saved: list[WeeklyHours] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved = saved or []
        self.days: list[tuple[Day, list[tuple[forms.BoundField, forms.BoundField]]]] = []
        written = formats.current()
        for weekday in (Day(day.value, written.weekday(day.value)) for day in Weekday):
            existing = sorted((h for h in saved if h.weekday == weekday.value), key=lambda h: h.start)
            rows = max(ROWS_PER_DAY, len(existing) + 1)
            pairs = []
            for index in range(rows):
                start_name, end_name = f"d{weekday.value}_{index}_start", f"d{weekday.value}_{index}_end"
                self.fields[start_name] = _time_field(str(_("From")))
                self.fields[end_name] = _time_field(str(_("To")))
                if index < len(existing) and not self.is_bound:
                    self.initial[start_name] = existing[index].start
                    self.initial[end_name] = existing[index].end
                pairs.append((self[start_name], self[end_name]))
            self.days.append((weekday, pairs))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        self.hours: list[WeeklyHours] = []
        for weekday, pairs in self.days:
            taken: list[tuple[time, time]] = []
            for start_field, end_field in pairs:
                start, end = data.get(start_field.name), data.get(end_field.name)
                if start_field.name in self.errors or end_field.name in self.errors:
                    continue
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    missing = start_field.name if start is None else end_field.name
                    self.add_error(missing, _("Give both a start and an end, or leave both empty."))
                    continue
                if start >= end:
                    self.add_error(end_field.name, _("The end must be after the start (hours cannot cross midnight)."))
                    continue
                clash = next(((s, e) for s, e in taken if s < end and start < e), None)
                if clash:
                    self.add_error(
                        start_field.name,
                        _("This overlaps %(start)s–%(end)s on %(day)s.")
                        % {"start": label_time(clash[0]), "end": label_time(clash[1]), "day": weekday.label},
                    )
                    continue
                taken.append((start, end))
                self.hours.append(WeeklyHours(weekday.value, start, end))
        return data


class ExceptionForm(forms.Form):
    KIND_CHOICES = [
        ("day_off", _("Whole day off")),
        ("hours_off", _("Some hours off (a break)")),
        ("extra", _("Extra working hours")),
    ]
    day = _date_field(str(_("Date")))
    kind = forms.ChoiceField(
        label=_("What changes"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        initial="day_off",
        error_messages={"required": _("Say what changes that day."), "invalid_choice": _("Choose one of the options.")},
    )
    start = _time_field(str(_("From")))
    end = _time_field(str(_("To")))
    location = forms.ModelChoiceField(
        label=_("Where (for extra hours)"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=None,
    )
    reason = forms.CharField(label=_("Reason (staff only)"), max_length=120, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, practitioner: Practitioner, today: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = practitioner.practice.locations.all()  # type: ignore[attr-defined]

    def clean_day(self) -> date:
        value: date = self.cleaned_data["day"]
        check_date_range(value, self.today)
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        kind, start, end = data.get("kind"), data.get("start"), data.get("end")
        if kind in ("hours_off", "extra"):
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Give the time it starts."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Give the time it ends."))
            if start is not None and end is not None and start >= end:
                self.add_error("end", _("The end must be after the start."))
        if kind == "extra" and data.get("location") is None and "location" not in self.errors:
            self.add_error("location", _("Say where the extra hours are worked."))
        if kind == "day_off":
            data["start"] = data["end"] = None
        return data


class TimeOffForm(forms.Form):
    start_day = _date_field(str(_("From date")))
    start_time = _time_field(str(_("From time")))
    end_day = _date_field(str(_("Until date")))
    end_time = _time_field(str(_("Until time")))
    reason = forms.CharField(label=_("Reason (staff only)"), max_length=120, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, zone: ZoneInfo, today: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone, self.today = zone, today
        self.fields["start_time"].help_text = _("Empty: from the start of the day.")
        self.fields["end_time"].help_text = _("Empty: to the end of the day.")

    def clean_start_day(self) -> date:
        value: date = self.cleaned_data["start_day"]
        check_date_range(value, self.today)
        return value

    def clean_end_day(self) -> date:
        value: date = self.cleaned_data["end_day"]
        check_date_range(value, self.today)
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        if self.errors:
            return data
        start = datetime.combine(data["start_day"], data.get("start_time") or time.min, tzinfo=self.zone)
        end_day = data["end_day"] if data.get("end_time") else data["end_day"] + timedelta(days=1)
        end = datetime.combine(end_day, data.get("end_time") or time.min, tzinfo=self.zone)
        if end <= start:
            self.add_error("end_day", _("The time off must end after it starts."))
        data["start"], data["end"] = start, end
        return data


class PreviewQuery(forms.Form):
    """The preview's week and service (GET). An unusable value falls back to the default."""

    week = forms.DateField(
        required=False, label=_("Week of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), required=False, label=_("Service"), empty_label=None
    )

    def __init__(self, practitioner: Practitioner, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = practitioner.services.filter(active=True)  # type: ignore[attr-defined]

    def values(self, today: date) -> tuple[date, Service | None]:
        self.is_valid()
        week = self.cleaned_data.get("week") if hasattr(self, "cleaned_data") else None
        if week is None or abs((week - today).days) > FUTURE_LIMIT.days:
            week = today
        service = (self.cleaned_data.get("service") if hasattr(self, "cleaned_data") else None) or self.fields[
            "service"
        ].queryset.first()  # type: ignore[attr-defined]
        return monday_of(week), service


def week_heading(monday: date) -> str:
    return str(_("Week of %(day)s") % {"day": day_year_label(monday)})
