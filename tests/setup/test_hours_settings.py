"""The weekly hours editor, dated exceptions and time off: saved through scheduling/hours.py, which lists
the booked appointments a change would leave outside working time before it writes anything."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.scheduling.availability import WeeklyHours
from longtide.scheduling.hours import HoursConflict, add_time_off, appointments_outside_hours, replace_weekly_hours
from longtide.scheduling.models import Appointment, HoursException, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def next_weekday(weekday: int) -> date:
    today = timezone.now().astimezone(NEW_YORK).date() + timedelta(days=2)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def book(cast: Cast, day: date, hour: int, minutes: int = 60) -> Appointment:
    start = datetime.combine(day, time(hour), tzinfo=NEW_YORK)
    end = start + timedelta(minutes=minutes)
    return Appointment.objects.create(
        practice=cast.tidewater,
        location=cast.location,
        service=cast.session,
        practitioner=cast.ana,
        room=cast.willow,
        client=cast.cleo,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        manage_token_hash=secrets.token_hex(32),
    )


def hours_url(cast: Cast) -> str:
    return f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/hours/?location={cast.location.pk}"


def week_post(cast: Cast, rows: dict[tuple[int, int], tuple[str, str]], **extra: str) -> dict[str, str]:
    data = {"location": str(cast.location.pk), **extra}
    for (weekday, index), (start, end) in rows.items():
        data[f"d{weekday}_{index}_start"] = start
        data[f"d{weekday}_{index}_end"] = end
    return data


def test_the_editor_shows_saved_hours_in_the_locations_local_time(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    page = client.get(hours_url(cast)).text
    assert 'name="d0_0_start" value="09:00"' in page and 'name="d0_0_end" value="17:00"' in page
    assert "America/New_York" in page


def test_the_editor_names_the_days_in_the_practices_locale(client: HttpClient, cast: Cast) -> None:
    """The days' names come from the locale's CLDR data (lib/formats.py), as dates do: never fixed English."""
    client.force_login(cast.olga_user)
    assert "<legend>Monday</legend>" in client.get(hours_url(cast)).text
    cast.tidewater.locale = "fr-FR"
    cast.tidewater.save(update_fields=["locale"])
    page = client.get(hours_url(cast)).text
    assert "<legend>lundi</legend>" in page and "<legend>dimanche</legend>" in page
    assert "Monday" not in page


def test_it_saves_several_intervals_a_day(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    rows = {(0, 0): ("09:00", "12:30"), (0, 1): ("13:30", "17:00"), (2, 0): ("10:00", "14:00")}
    response = client.post(hours_url(cast), week_post(cast, rows))
    assert response.status_code == 302
    saved = list(WorkingHours.objects.filter(practitioner=cast.ana).values_list("weekday", "start_time", "end_time"))
    assert saved == [(0, time(9), time(12, 30)), (0, time(13, 30), time(17)), (2, time(10), time(14))]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({(0, 0): ("09:00", "")}, "Give both a start and an end"),
        ({(0, 0): ("17:00", "09:00")}, "The end must be after the start"),
        ({(0, 0): ("09:00", "12:00"), (0, 1): ("11:00", "13:00")}, "This overlaps 9:00 AM–12:00 PM on Monday"),
        ({(0, 0): ("nine", "17:00")}, "Enter a time like 09:00 or 13:30."),
        ({(0, 0): ("09:00\x00", "17:00")}, "Enter a time like 09:00 or 13:30."),
        ({(0, 0): ("25:00", "26:00")}, "Enter a time like 09:00 or 13:30."),
    ],
)
def test_bad_hours_get_a_specific_message_and_keep_what_was_typed(
    client: HttpClient, cast: Cast, rows: dict[tuple[int, int], tuple[str, str]], message: str
) -> None:
    client.force_login(cast.olga_user)
    before = WorkingHours.objects.filter(practitioner=cast.ana).count()
    response = client.post(hours_url(cast), week_post(cast, {**rows, (4, 0): ("08:15", "11:45")}))
    assert response.status_code == 422
    assert message in response.text
    assert 'value="08:15"' in response.text  # the rest of what was typed is kept
    assert WorkingHours.objects.filter(practitioner=cast.ana).count() == before


def test_twelve_hour_times_are_understood(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    assert client.post(hours_url(cast), week_post(cast, {(1, 0): ("9:00 AM", "5:30 PM")})).status_code == 302
    assert list(WorkingHours.objects.filter(practitioner=cast.ana).values_list("start_time", "end_time")) == [
        (time(9), time(17, 30))
    ]


def test_shorter_hours_list_the_booked_appointments_outside_them_and_save_nothing(
    client: HttpClient, cast: Cast
) -> None:
    monday = next_weekday(0)
    late = book(cast, monday, 15)
    book(cast, monday, 10)
    client.force_login(cast.olga_user)
    rows = {(d, 0): ("09:00", "13:00") for d in range(7)}
    response = client.post(hours_url(cast), week_post(cast, rows))
    assert response.status_code == 422  # not accepted as sent: nothing saved until "Save anyway"
    assert "1 booked appointment would fall outside these hours" in response.text
    assert f"/staff/tidewater/appointments/{late.pk}/" in response.text
    assert ("3:00 PM" in response.text and "EST" in response.text) or "EDT" in response.text  # local time, never UTC
    assert "Cleo Park" in response.text
    assert WorkingHours.objects.filter(practitioner=cast.ana, end_time=time(17)).count() == 7  # unchanged
    assert 'value="13:00"' in response.text  # what was typed is kept for "Save anyway"
    confirmed = client.post(hours_url(cast), week_post(cast, rows, confirm="1"))
    assert confirmed.status_code == 302
    assert WorkingHours.objects.filter(practitioner=cast.ana, end_time=time(13)).count() == 7
    late.refresh_from_db()
    assert late.status == "booked"  # never cancelled behind anyone's back
    after = client.get(hours_url(cast)).text
    assert "Booked outside working hours" in after and f"/appointments/{late.pk}/" in after


def test_the_action_refuses_without_confirmation(cast: Cast) -> None:
    monday = next_weekday(0)
    booked = book(cast, monday, 15)
    with pytest.raises(HoursConflict) as conflict:
        replace_weekly_hours(
            practitioner=cast.ana, location=cast.location, hours=[WeeklyHours(0, time(9), time(12))], now=timezone.now()
        )
    assert [a.pk for a in conflict.value.appointments] == [booked.pk]
    assert appointments_outside_hours(cast.ana, now=timezone.now()) == []


def test_cancelled_and_past_appointments_do_not_count(cast: Cast) -> None:
    monday = next_weekday(0)
    cancelled = book(cast, monday, 15)
    cancelled.status = "cancelled_clinic"
    cancelled.save()
    replace_weekly_hours(
        practitioner=cast.ana, location=cast.location, hours=[WeeklyHours(0, time(9), time(12))], now=timezone.now()
    )


def test_a_day_off_lists_that_days_appointments_first(client: HttpClient, cast: Cast) -> None:
    day = next_weekday(2)
    booked = book(cast, day, 11)
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    data = {"action": "exception", "day": day.isoformat(), "kind": "day_off", "reason": "Course"}
    response = client.post(url, data)
    assert response.status_code == 422 and "1 booked appointment falls in this time" in response.text
    assert f"/appointments/{booked.pk}/" in response.text
    assert not HoursException.objects.exists()
    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert HoursException.objects.get().available is False


def test_extra_hours_and_a_break_are_saved_as_dated_exceptions(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    saturday = next_weekday(5)
    extra = {
        "action": "exception",
        "day": saturday.isoformat(),
        "kind": "extra",
        "start": "18:00",
        "end": "20:00",
        "location": str(cast.location.pk),
    }
    assert client.post(url, extra).status_code == 302
    brk = {"action": "exception", "day": saturday.isoformat(), "kind": "hours_off", "start": "12:00", "end": "13:00"}
    assert client.post(url, brk).status_code == 302
    rows = list(
        HoursException.objects.order_by("start_time").values_list("available", "start_time", "end_time", "location_id")
    )
    assert rows == [(False, time(12), time(13), None), (True, time(18), time(20), cast.location.pk)]
    page = client.get(url).text
    assert "6:00 PM–8:00 PM" in page and "12:00 PM–1:00 PM" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "0001-01-01", "kind": "day_off"}, "Choose a date between"),
        ({"day": "9999-12-31", "kind": "day_off"}, "Choose a date between"),
        ({"day": "not a date", "kind": "day_off"}, "Enter a date like 2026-03-14."),
        ({"day": "2027-01-04", "kind": "extra", "start": "18:00"}, "Give the time it ends."),
        (
            {"day": "2027-01-04", "kind": "hours_off", "start": "13:00", "end": "12:00"},
            "The end must be after the start.",
        ),
        ({"day": "2027-01-04", "kind": "fly"}, "Choose one of the options."),
    ],
)
def test_bad_exceptions_get_specific_messages(
    client: HttpClient, cast: Cast, data: dict[str, str], message: str
) -> None:
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    response = client.post(url, {"action": "exception", "reason": "Typed reason", **data})
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Typed reason"' in response.text
    assert not HoursException.objects.exists()


def test_time_off_is_entered_in_local_time_and_checks_its_end(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    url = f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/time-off/"
    day = next_weekday(3)
    bad = client.post(
        url, {"action": "time_off", "start_day": day.isoformat(), "end_day": (day - timedelta(days=1)).isoformat()}
    )
    assert "The time off must end after it starts." in bad.text
    ok = client.post(
        url,
        {
            "action": "time_off",
            "start_day": day.isoformat(),
            "end_day": day.isoformat(),
            "start_time": "12:00",
            "end_time": "13:00",
        },
    )
    assert ok.status_code == 302
    off = TimeOff.objects.get()
    assert off.start == datetime.combine(day, time(12), tzinfo=NEW_YORK)
    assert off.end == datetime.combine(day, time(13), tzinfo=NEW_YORK)


def test_time_off_over_a_booking_needs_confirmation(cast: Cast) -> None:
    day = next_weekday(3)
    booked = book(cast, day, 10)
    start = datetime.combine(day, time(0), tzinfo=NEW_YORK)
    with pytest.raises(HoursConflict) as conflict:
        add_time_off(practitioner=cast.ana, start=start, end=start + timedelta(days=1), reason="", now=timezone.now())
    assert [a.pk for a in conflict.value.appointments] == [booked.pk]


def test_the_preview_shows_the_engines_free_times_for_the_chosen_week(client: HttpClient, cast: Cast) -> None:
    monday = next_weekday(0) + timedelta(days=7)
    book(cast, monday, 10)
    client.force_login(cast.olga_user)
    page = client.get(hours_url(cast) + f"&week={monday.isoformat()}&service={cast.session.pk}").text
    assert "Preview: what clients can book" in page
    assert "Working 9:00 AM–5:00 PM" in page
    monday_block = page.split(f"<h4>{monday:%A} {monday.day} {monday:%B}</h4>")[1].split("</li>")[0]
    # 10:00–11:00 is booked; a session holds its hour plus a 15-minute turnover, so the first start
    # that fits is 11:00, and nothing before 10:00 fits (9:00 would run into the booking's turnover).
    assert "<span>9:00 AM</span>" not in monday_block and "<span>10:00 AM</span>" not in monday_block
    assert monday_block.index("<span>11:00 AM</span>") < monday_block.index("<span>11:15 AM</span>")
    assert "<span>4:00 PM</span>" in monday_block and "<span>4:15 PM</span>" not in monday_block


@pytest.mark.parametrize(
    "query",
    [
        "week=9999-12-31",
        "week=0001-01-01",
        "week=nonsense",
        "service=99999999999999999999",
        "location=99999999999999999999",
    ],
)
def test_odd_preview_queries_fall_back_or_404_never_500(client: HttpClient, cast: Cast, query: str) -> None:
    client.force_login(cast.olga_user)
    response = client.get(f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/hours/?{query}")
    assert response.status_code in (200, 404)
