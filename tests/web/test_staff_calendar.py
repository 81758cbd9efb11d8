"""The staff calendar: day and week grids, the appointment page, and booking, moving, cancelling and
marking through the booking actions. Time is frozen at Monday 1 June 2026, 8:00 AM in New York."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from pytest_django import DjangoAssertNumQueries

from conftest import Cast
from longtide.clients.models import Client
from longtide.practice.models import Practitioner, Role, StaffMembership
from longtide.scheduling.booking import ClientDetails, book_appointment, confirm_booking
from longtide.scheduling.models import Appointment, Source, Status, WorkingHours
from longtide.web.times import slot_value
from tests.intake.helpers import agree_to_treatment

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 8:00 AM EDT
TOMORROW_10 = datetime(2026, 6, 2, 10, 0, tzinfo=NEW_YORK)
NOTE = "Migraines since March; on medication."
CANCEL = {"cancel-decided_by": "clinic", "cancel-reason": "Practitioner ill"}
LATE = {"late-late": "True", "late-reason": "Phoned: the car broke down"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(cast: Cast) -> Appointment:
    """Cleo's CST session with Ana tomorrow at 10:00 AM New York time, booked online with a note
    (and confirmed from the emailed link)."""
    held = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=TOMORROW_10,
        client=ClientDetails("Cleo", "Park", "cleo@example.test", "+1 212 555 0100"),
        note=NOTE,
    ).appointment
    return confirm_booking(appointment=held)


def test_staff_see_a_held_booking_as_held_and_a_typed_name_that_differs(client: HttpClient, cast: Cast) -> None:
    held = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=TOMORROW_10,
        client=ClientDetails("Mallory", "Impostor", "CLEO@example.test", "+1 212 555 0199"),
    ).appointment
    assert held.client == cast.cleo
    staff = as_user(client, cast.ben_user)
    page = " ".join(re.sub(r"<[^>]+>", " ", staff.get(detail(held)).text).split())
    assert "Held: awaiting the client&#x27;s confirmation" in page
    assert "The time is held until Mon 1 Jun, 10:00 AM EDT" in page
    assert "Booked under the name “Mallory Impostor”, but the client with this email address is “Cleo Park”." in page
    assert "+1 212 555 0199" in page and "CLEO@example.test" in page
    grid = staff.get(calendar(), {"date": "2026-06-02"}).text
    assert "status-held" in grid
    cast.cleo.refresh_from_db()
    assert cast.cleo.full_name == "Cleo Park"


def test_a_lapsed_hold_is_listed_below_the_grid_not_in_it(
    client: HttpClient, cast: Cast, frozen: time_machine.Traveller
) -> None:
    held = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=TOMORROW_10,
        client=ClientDetails("Eli", "Moss", "eli@example.test"),
    ).appointment
    frozen.shift(3 * 3600)
    grid = as_user(client, cast.ben_user).get(calendar(), {"date": "2026-06-02"}).text
    assert "status-held" not in grid.split("Cancelled", 1)[0]
    assert f"appointments/{held.pk}/" in grid


def as_user(client: HttpClient, user: User) -> HttpClient:
    client.force_login(user)
    return client


def calendar(slug: str = "tidewater") -> str:
    return f"/staff/{slug}/calendar/"


def detail(appointment: Appointment, slug: str = "tidewater") -> str:
    return f"/staff/{slug}/appointments/{appointment.pk}/"


def book_data(cast: Cast, start: datetime, **overrides: str) -> dict[str, str]:
    return {
        "action": "book",
        "service": str(cast.session.pk),
        "practitioner": "",
        "date": start.astimezone(NEW_YORK).date().isoformat(),
        "slot": slot_value(start, cast.ana.pk),
        "first_name": "Dana",
        "last_name": "Reyes",
        "email": "dana@example.test",
        "phone": "+1 212 555 0199",
        "note": "",
        **overrides,
    }


# Access, both ways.


def test_dov_cannot_see_tidewaters_calendar_or_its_appointments(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    as_user(client, cast.dov_user)
    assert client.get(calendar()).status_code == 404
    assert client.get(detail(booked)).status_code == 404
    assert client.get("/staff/tidewater/appointments/new/").status_code == 404
    assert client.post(f"{detail(booked)}cancel/").status_code == 404
    assert client.get(calendar("harbour")).status_code == 200


def test_an_appointment_of_another_practice_is_not_found_through_dovs_own_practice(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    as_user(client, cast.dov_user)
    assert client.get(detail(booked, "harbour")).status_code == 404
    assert client.post(f"{detail(booked, 'harbour')}cancel/").status_code == 404
    assert client.post(f"{detail(booked, 'harbour')}mark/", {"status": "completed"}).status_code == 404
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED


def test_the_calendar_needs_a_login(client: HttpClient, cast: Cast) -> None:
    response = client.get(calendar())
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_signing_in_leads_the_front_desk_to_the_calendar_which_the_staff_home_links(
    client: HttpClient, cast: Cast
) -> None:
    response = client.post("/staff/login/", {"username": "ben", "password": "pw-ben-123"})
    assert response.status_code == 302 and response["Location"] == "/staff/tidewater/calendar/"
    assert 'href="/staff/tidewater/calendar/"' in client.get("/staff/").text


def test_ben_the_front_desk_and_ana_can_see_the_calendar(client: HttpClient, cast: Cast) -> None:
    for user in (cast.ben_user, cast.ana_user, cast.olga_user):
        assert as_user(client, user).get(calendar()).status_code == 200


# The day and week views.


def test_the_day_view_shows_an_appointment_at_its_local_time(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    page = as_user(client, cast.ben_user).get(calendar(), {"date": "2026-06-02"}).text
    assert "Tuesday 2 June 2026" in page
    block = re.search(r'<li class="cal-block status-booked gs-(\d+) ge-(\d+) gc-1">.*?</li>', page, re.S)
    assert block is not None
    # The grid starts at 8 AM with 15-minute rows: 10:00 is line 9, and 11:00 line 13.
    assert block.groups() == ("9", "13")
    for text in ["10:00–11:00 AM", "Cleo Park", "CST session", "Willow", "Booked", f'href="{detail(booked)}"']:
        assert text in block.group(0)
    assert NOTE not in page
    # Ana's working hours, 9 to 5, are shaded: lines 5 to 37.
    assert 'class="cal-work gs-5 ge-37"' in page
    assert "Working 9:00 AM–5:00 PM" in page


def test_the_calendar_steps_through_days_and_weeks_with_the_shared_week_nav(client: HttpClient, cast: Cast) -> None:
    """One navigation for the calendar, the booking times and the hours preview (web/_week_nav.html):
    the calendar's adds a Today link, and its links replace the calendar in place (htmx)."""
    staff = as_user(client, cast.ben_user)
    day = staff.get(calendar(), {"date": "2026-06-02"}).text
    nav = re.search(r'<nav class="week-nav cal-nav" aria-label="Dates">(.*?)</nav>', day, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)" class="button secondary" hx-get="\1"[^>]*>([^<]+)</a>', nav.group(1))
    assert [text for _url, text in links] == ["← Previous day", "Today", "Next day →"]
    assert "date=2026-06-01" in links[0][0] and "date=2026-06-03" in links[2][0]
    assert 'hx-target="#calendar"' in nav.group(1)
    week = staff.get(calendar(), {"view": "week", "date": "2026-06-04"}).text
    assert "← Previous week" in week and "Next week →" in week


def test_the_day_view_by_room_has_a_column_per_room(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    page = as_user(client, cast.ben_user).get(calendar(), {"date": "2026-06-02", "by": "room"}).text
    assert re.search(r"<h3[^>]*>Willow", page) and re.search(r"<h3[^>]*>Cedar", page)
    assert "Ana Silva" in page and "Cleo Park" in page


def test_the_week_view_shows_anas_own_week(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    page = as_user(client, cast.ana_user).get(calendar(), {"view": "week", "date": "2026-06-04"}).text
    assert "Week of Monday 1 June 2026 · Ana Silva" in page
    headings = re.findall(r'<h3 id="cal-col-\d+">([^<]+)', page)
    assert [h.strip() for h in headings] == [
        "Mon 1 Jun",
        "Tue 2 Jun",
        "Wed 3 Jun",
        "Thu 4 Jun",
        "Fri 5 Jun",
        "Sat 6 Jun",
        "Sun 7 Jun",
    ]
    assert "10:00–11:00 AM" in page and "Cleo Park" in page
    assert "?view=week&amp;by=practitioner&amp;practitioner=" in page and "date=2026-05-25" in page


def _colleague(cast: Cast, name: str) -> Practitioner:
    from datetime import time

    from longtide.scheduling.models import WorkingHours

    person = Practitioner.objects.create(
        practice=cast.tidewater, display_name=name, slug=name.lower().replace(" ", "-")
    )
    cast.session.practitioners.add(person)
    for weekday in range(5):
        WorkingHours.objects.create(
            practitioner=person, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(13)
        )
    return person


def test_everyones_week_shows_a_column_per_practitioner_per_day(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    bo = _colleague(cast, "Bo Lind")
    staff_booking = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=bo,
        start=datetime(2026, 6, 3, 11, 0, tzinfo=NEW_YORK),
        client=ClientDetails("Eli", "Moss", "eli@example.test"),
        source=Source.STAFF,
    ).appointment
    page = as_user(client, cast.ben_user).get(calendar(), {"view": "week", "by": "team", "date": "2026-06-03"}).text
    headings = re.findall(r'<h3 id="cal-col-\d+">([^<]+)', page)
    headings = [h.strip() for h in headings]
    assert headings[:4] == [
        "Mon 1 Jun · Ana Silva",
        "Mon 1 Jun · Bo Lind",
        "Tue 2 Jun · Ana Silva",
        "Tue 2 Jun · Bo Lind",
    ]
    assert len(headings) == 14
    assert "Week of Monday 1 June 2026 · Everyone" in page
    assert f"/staff/tidewater/appointments/{booked.pk}/" in page
    assert f"/staff/tidewater/appointments/{staff_booking.pk}/" in page
    assert "Not working" in page and "Working 9:00 AM–1:00 PM" in page
    assert 'aria-current="page">Everyone' in page


def test_everyones_week_costs_the_same_queries_for_two_or_five_practitioners(
    client: HttpClient, cast: Cast, booked: Appointment, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, cast.ben_user)
    url, params = calendar(), {"view": "week", "by": "team", "date": "2026-06-03"}
    _colleague(cast, "Bo Lind")
    client.get(url, params)  # warm: the session, the practice
    with CaptureQueriesContext(connection) as two:
        client.get(url, params)
    for name, hour, minute in (("Cy Moor", 9, 0), ("Di Vale", 10, 0), ("Ed Rowe", 11, 30)):
        person = _colleague(cast, name)
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=person,
            start=datetime(2026, 6, 4, hour, minute, tzinfo=NEW_YORK),
            client=ClientDetails(name.split()[0], "Client", f"{name.split()[0].lower()}@example.test"),
            source=Source.STAFF,
        )
    with CaptureQueriesContext(connection) as five:
        page = client.get(url, params).text
    assert page.count('class="cal-col') == 35
    assert len(five.captured_queries) == len(two.captured_queries), [q["sql"][:80] for q in five.captured_queries]


def test_the_week_view_refuses_a_practitioner_of_another_practice(client: HttpClient, cast: Cast) -> None:
    response = as_user(client, cast.ben_user).get(calendar(), {"view": "week", "practitioner": str(cast.dov.pk)})
    assert response.status_code == 404


def test_an_htmx_request_gets_only_the_calendar_partial(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    response = as_user(client, cast.ben_user).get(calendar(), {"date": "2026-06-02"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="calendar"' in response.text
    assert "<title>Tuesday 2 June 2026" in response.text and "Cleo Park" in response.text
    assert "HX-Request" in response["Vary"]


def test_cancelled_appointments_are_listed_below_the_grid(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", CANCEL)
    page = client.get(calendar(), {"date": "2026-06-02"}).text
    assert "cal-block status-" not in page
    assert "Tue 2 Jun, 10:00 AM: Cleo Park" in page and "Cancelled by clinic" in page


# Booking for a client.


def test_the_booking_page_lists_free_times_inside_the_minimum_notice(client: HttpClient, cast: Cast) -> None:
    page = as_user(client, cast.ben_user).get("/staff/tidewater/appointments/new/").text
    # Now is 8:00 AM; the practice asks clients for 12 hours' notice, staff need none.
    assert "9:00 AM" in page and "Ana Silva" in page


def test_staff_can_book_inside_the_minimum_notice(client: HttpClient, cast: Cast) -> None:
    soon = datetime(2026, 6, 1, 10, 0, tzinfo=NEW_YORK)
    response = as_user(client, cast.ben_user).post("/staff/tidewater/appointments/new/", book_data(cast, soon))
    appointment = Appointment.objects.get(client__email="dana@example.test")
    assert response.status_code == 302 and response["Location"] == detail(appointment)
    assert appointment.start == soon and appointment.source == Source.STAFF
    assert appointment.created_by == cast.ben_user


def test_a_staff_booking_that_overlaps_is_refused_with_a_message(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    overlapping = datetime(2026, 6, 2, 10, 30, tzinfo=NEW_YORK)
    response = as_user(client, cast.ben_user).post(
        "/staff/tidewater/appointments/new/", book_data(cast, overlapping, note="Prefers Willow.")
    )
    assert response.status_code == 200
    assert "that time was just taken" in response.text
    # Nothing typed is lost.
    for typed in ["Dana", "Reyes", "dana@example.test", "+1 212 555 0199", "Prefers Willow."]:
        assert typed in response.text
    assert Appointment.objects.count() == 1


def test_a_staff_booking_in_the_past_is_refused_with_a_message(client: HttpClient, cast: Cast) -> None:
    past = datetime(2026, 6, 1, 7, 0, tzinfo=NEW_YORK)
    response = as_user(client, cast.ben_user).post("/staff/tidewater/appointments/new/", book_data(cast, past))
    assert response.status_code == 200 and "That time has already passed" in response.text
    assert not Appointment.objects.exists()


def test_a_made_up_slot_is_a_form_error_not_a_crash(client: HttpClient, cast: Cast) -> None:
    data = book_data(cast, TOMORROW_10, slot=f"{TOMORROW_10.isoformat()}|{cast.dov.pk}")
    response = as_user(client, cast.ben_user).post("/staff/tidewater/appointments/new/", data)
    assert response.status_code == 200 and "Please choose one of the free times" in response.text


def test_showing_other_times_keeps_the_client_details(client: HttpClient, cast: Cast) -> None:
    data = book_data(cast, TOMORROW_10, action="search", date="2026-06-03")
    page = as_user(client, cast.ben_user).post("/staff/tidewater/appointments/new/", data).text
    assert 'value="Dana"' in page and 'value="2026-06-03"' in page
    assert "This field is required" not in page


# The appointment page and its actions.


def test_the_appointment_page_shows_the_client_and_the_history(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    page = as_user(client, cast.ben_user).get(detail(booked)).text
    for text in [
        "Cleo Park",
        "cleo@example.test",
        "+1 212 555 0100",
        "CST session",
        "Ana Silva",
        "Willow",
        "Tuesday 2 June 2026, 10:00 AM EDT",
        "The client, booking online",
        "The client via manage link",
        "Confirmed",
        "Mon 1 Jun 2026, 8:00 AM EDT",
        "Move to another time",
        "Cancel the appointment",
    ]:
        assert text in page, text
    # 26 hours before, outside the 24-hour window: no late cancellation; not started: no marking.
    assert "Record a late cancellation" not in page
    assert "Mark completed" not in page


def test_the_front_desk_cannot_read_the_clients_note_but_ana_and_the_owner_can(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    page = as_user(client, cast.ben_user).get(detail(booked)).text
    assert NOTE not in page and "The client left a note for the practitioner." in page
    assert NOTE in as_user(client, cast.ana_user).get(detail(booked)).text
    assert NOTE in as_user(client, cast.olga_user).get(detail(booked)).text


def test_another_practitioner_cannot_read_anas_clients_note(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    bo = get_user_model().objects.create_user("bo", "bo@tidewater.test", "pw-bo-123", is_staff=True)
    Practitioner.objects.create(practice=cast.tidewater, user=bo, display_name="Bo Lin", slug="bo-lin", style="")
    StaffMembership.objects.create(practice=cast.tidewater, user=bo, role=Role.PRACTITIONER)
    page = as_user(client, bo).get(detail(booked)).text
    assert NOTE not in page and "The client left a note for the practitioner." in page


def test_staff_can_move_an_appointment(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    url = f"{detail(booked)}move/"
    page = as_user(client, cast.ben_user).get(url, {"date": "2026-06-03"}).text
    assert "2:00 PM" in page
    later = datetime(2026, 6, 3, 14, 0, tzinfo=NEW_YORK)
    response = client.post(url, {"action": "move", "date": "2026-06-03", "slot": slot_value(later, cast.ana.pk)})
    assert response.status_code == 302 and response["Location"] == detail(booked)
    booked.refresh_from_db()
    assert booked.start == later and booked.sequence == 1 and booked.status == Status.BOOKED
    assert "Moved to Wednesday 3 June 2026, 2:00 PM EDT" in client.get(detail(booked)).text


def test_showing_other_times_keeps_the_reason_typed_for_a_move(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    """Enter in the reason field submits with the form's first button, "Show free times": the page
    that comes back still holds the reason (it was emptied)."""
    page = as_user(client, cast.ben_user).post(
        f"{detail(booked)}move/", {"action": "search", "date": "2026-06-03", "reason": "Client asked <by phone>"}
    )
    assert page.status_code == 200
    assert "Client asked &lt;by phone&gt;" in page.text and "2:00 PM" in page.text


def test_moving_onto_another_appointment_is_refused_with_a_message(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    other = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=datetime(2026, 6, 2, 14, 0, tzinfo=NEW_YORK),
        client=ClientDetails("Eli", "Moss", "eli@example.test"),
    ).appointment  # held: its time is taken as much as a booked one's
    response = as_user(client, cast.ben_user).post(
        f"{detail(booked)}move/", {"action": "move", "slot": slot_value(other.start, cast.ana.pk)}
    )
    assert response.status_code == 400 and "that time was just taken" in response.text
    booked.refresh_from_db()
    assert booked.start == TOMORROW_10


@pytest.mark.parametrize("active", [True, False])
def test_a_move_to_a_practitioner_who_does_not_offer_the_service_is_refused(
    client: HttpClient, cast: Cast, booked: Appointment, active: bool
) -> None:
    """Found by a review: the move page lists only practitioners who offer the service, but a posted
    slot naming anyone else of the practice (an inactive one too) was taken, where a new booking of
    the same slot is refused."""
    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea Massage", slug="bea", active=active)
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=bea, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    later = datetime(2026, 6, 3, 14, 0, tzinfo=NEW_YORK)
    response = as_user(client, cast.ben_user).post(
        f"{detail(booked)}move/",
        {"action": "move", "date": "2026-06-03", "slot": slot_value(later, bea.pk), "seen": booked.version},
    )
    assert response.status_code == 400 and "That practitioner does not offer this service." in response.text
    booked.refresh_from_db()
    assert booked.practitioner_id == cast.ana.pk and booked.start == TOMORROW_10
    if active:  # once Bea offers it, the same move is made
        cast.session.practitioners.add(bea)
        moved = client.post(
            f"{detail(booked)}move/",
            {"action": "move", "date": "2026-06-03", "slot": slot_value(later, bea.pk), "seen": booked.version},
        )
        assert moved.status_code == 302
        booked.refresh_from_db()
        assert booked.practitioner_id == bea.pk


def test_a_booking_for_a_merged_record_goes_to_the_record_kept(client: HttpClient, cast: Cast) -> None:
    """Found by a review: a merged-away record's page still offered "Book an appointment" for it,
    and the booking was filed under it: missing from the client's page, consent read elsewhere."""
    from longtide.audit.trail import Actor
    from longtide.records.merge import merge_clients

    cleo = Client.objects.create(practice=cast.tidewater, first_name="Cleo", last_name="Park", email="c@example.test")
    dup = Client.objects.create(practice=cast.tidewater, first_name="Cleo", last_name="P.", phone="+1 212 555 0123")
    merge_clients(practice=cast.tidewater, kept=cleo, duplicate=dup, by=Actor(cast.olga_user, "owner"), now=NOW)
    page = as_user(client, cast.ben_user).get(f"/staff/tidewater/clients/{dup.pk}/").text
    assert f"?client={dup.pk}" not in page and f"?client={cleo.pk}" in page
    start = datetime(2026, 6, 2, 10, 0, tzinfo=NEW_YORK)
    booked = client.post("/staff/tidewater/appointments/new/", {**book_data(cast, start), "client": str(dup.pk)})
    assert booked.status_code == 302
    assert Appointment.objects.get().client_id == cleo.pk


def test_the_clinic_can_cancel(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    response = as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", CANCEL, follow=True)
    booked.refresh_from_db()
    assert booked.status == Status.CANCELLED_CLINIC and booked.cancelled_at == NOW
    assert "Cancelled by the clinic." in response.text


def test_the_clinic_can_late_cancel_inside_the_window(
    client: HttpClient, cast: Cast, booked: Appointment, frozen: time_machine.Traveller
) -> None:
    refused = as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", LATE)
    assert refused.status_code == 400 and "this one is earlier, so cancel it normally" in refused.text
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED
    frozen.move_to(datetime(2026, 6, 1, 18, 0, tzinfo=NEW_YORK))  # 16 hours before: inside the 24
    as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", LATE)
    booked.refresh_from_db()
    assert booked.status == Status.LATE_CANCELLED


def test_cancelling_twice_says_so_instead_of_failing(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", CANCEL)
    response = client.post(f"{detail(booked)}cancel/", CANCEL)
    assert response.status_code == 400 and "This appointment is no longer booked" in response.text
    booked.refresh_from_db()
    assert booked.status == Status.CANCELLED_CLINIC


def test_cancel_and_mark_need_a_post(client: HttpClient, cast: Cast, booked: Appointment) -> None:
    as_user(client, cast.ben_user)
    assert client.get(f"{detail(booked)}cancel/").status_code == 405
    assert client.get(f"{detail(booked)}mark/").status_code == 405


def test_an_appointment_is_marked_completed_only_after_it_starts(
    client: HttpClient, cast: Cast, booked: Appointment, frozen: time_machine.Traveller
) -> None:
    response = as_user(client, cast.ben_user).post(f"{detail(booked)}mark/", {"status": "completed"}, follow=True)
    assert "only once it has started" in response.text
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED

    frozen.move_to(datetime(2026, 6, 2, 10, 30, tzinfo=NEW_YORK))
    as_user(client, cast.ben_user)  # a new day, a new session
    agree_to_treatment(cast.cleo)  # completed needs the treatment consent (tests/intake/test_session_consent.py)
    assert "Mark completed" in client.get(detail(booked)).text
    response = client.post(f"{detail(booked)}mark/", {"status": "completed"}, follow=True)
    booked.refresh_from_db()
    assert booked.status == Status.COMPLETED and "Marked completed." in response.text
    # A double submit: the second says nothing changed and records nothing.
    events = booked.events.count()
    response = client.post(f"{detail(booked)}mark/", {"status": "completed", "seen": "booked.0"}, follow=True)
    assert "It was already marked completed, so nothing changed." in response.text
    assert "Marked completed." not in response.text and booked.events.count() == events
    client.post(f"{detail(booked)}mark/", {"status": "no_show"})
    booked.refresh_from_db()
    assert booked.status == Status.NO_SHOW


def test_a_cancelled_appointment_cannot_be_marked(
    client: HttpClient, cast: Cast, booked: Appointment, frozen: time_machine.Traveller
) -> None:
    as_user(client, cast.ben_user).post(f"{detail(booked)}cancel/", CANCEL)
    frozen.move_to(datetime(2026, 6, 2, 12, 0, tzinfo=NEW_YORK))
    as_user(client, cast.ben_user)
    response = client.post(f"{detail(booked)}mark/", {"status": "no_show"}, follow=True)
    assert "A cancelled appointment cannot be marked." in response.text
    booked.refresh_from_db()
    assert booked.status == Status.CANCELLED_CLINIC


def test_booking_again_starts_from_the_clients_details_but_only_within_the_practice(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    as_user(client, cast.ben_user)
    page = client.get("/staff/tidewater/appointments/new/", {"client": booked.client.pk}).text
    # The client from the list is booked as they are: shown, with nothing to retype.
    assert f'name="client" value="{booked.client.pk}"' in page and "cleo@example.test" in page
    assert 'name="first_name"' not in page
    stranger = Client.objects.create(practice=cast.harbour, first_name="Hana", last_name="Sato", email="h@x.test")
    assert "Hana" not in client.get("/staff/tidewater/appointments/new/", {"client": stranger.pk}).text


def test_the_day_is_also_a_list_for_phones_with_every_appointment(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    page = as_user(client, cast.ben_user).get(calendar(), {"date": "2026-06-02"}).text
    phone_list = page.split('<div class="cal-list">')[1]
    text = " ".join(re.sub(r"<[^>]+>", " ", phone_list).split())
    assert "Ana Silva Book Ana Silva" in text
    assert "10:00–11:00 AM , Cleo Park , CST session , Willow , Booked" in text


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-06-02"},
        {"date": "2026-06-02", "by": "room"},
        {"view": "week", "date": "2026-06-02"},
        {"view": "week", "by": "room", "date": "2026-06-02"},
        {"view": "week", "by": "team", "date": "2026-06-02"},
    ],
    ids=["day", "day-by-room", "week", "week-by-room", "team-week"],
)
@pytest.mark.parametrize("user", ["olga_user", "ana_user", "ben_user"])
def test_every_calendar_view_reads_its_appointments_in_a_fixed_number_of_queries(
    client: HttpClient, cast: Cast, booked: Appointment, params: dict[str, str], user: str
) -> None:
    """The calendar reads only CALENDAR_FIELDS of each appointment (calendar_grid.py): a field a view
    shows but the list leaves out would cost a query per appointment, caught here for every view
    and role."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, getattr(cast, user))
    client.get(calendar(), params)  # warm: the session, the practice
    with CaptureQueriesContext(connection) as one:
        client.get(calendar(), params)
    for hour, name in ((12, "Dee"), (14, "Eve")):
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=datetime(2026, 6, 2, hour, 0, tzinfo=NEW_YORK),
            client=ClientDetails(name, "Client", f"{name.lower()}@example.test"),
            source=Source.STAFF,
        )
    with CaptureQueriesContext(connection) as three:
        page = client.get(calendar(), params).text
    assert "Dee Client" in page and "Eve Client" in page
    from django.urls import reverse

    assert f'href="{detail(booked)}"' in page and f'href="{reverse("staff-book", args=["tidewater"])}?date=' in page
    assert len(three.captured_queries) == len(one.captured_queries), [q["sql"][:90] for q in three.captured_queries]


def test_names_in_the_calendar_blocks_are_escaped_in_every_view(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    """The blocks are written in Python (web/staff/calendar_blocks.py), not by the template: what a
    client typed as their name, and a room's name, come out as text in the grid and the phone list."""
    Client.objects.filter(pk=booked.client_id).update(first_name='<img src=x onerror="alert(1)">', last_name="&amp;")
    cast.willow.name = "Willow</span><script>alert(2)</script>"
    cast.willow.save()
    staff = as_user(client, cast.ben_user)
    for query in ({"date": "2026-06-02"}, {"view": "week", "date": "2026-06-02"}, {"view": "week", "by": "team"}):
        page = staff.get(calendar(), query).text
        assert "<img src=x" not in page and "<script>alert(2)" not in page
        assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp;amp;") == 2  # grid and list
        assert page.count("Willow&lt;/span&gt;&lt;script&gt;alert(2)&lt;/script&gt;") >= 2


def test_a_cancel_refused_as_changed_meanwhile_can_be_sent_again_from_the_page(
    client: HttpClient, cast: Cast, booked: Appointment
) -> None:
    """The refusal shows the appointment as it is now, with the reason typed: sending it again cancels
    what the page now shows (the form carried the old version, so it was refused forever)."""
    import re

    from longtide.scheduling.booking import move_appointment

    as_user(client, cast.ben_user)
    seen = booked.version
    move_appointment(appointment=booked, start=booked.start + timedelta(hours=2), by_client=False)
    refused = client.post(f"{detail(booked)}cancel/", {**CANCEL, "cancel-seen": seen})
    assert refused.status_code == 400 and "Practitioner ill" in refused.text
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED
    shown = re.search(r'name="cancel-seen" value="([^"]*)"', refused.text)
    assert shown is not None and shown.group(1) == str(booked.version)
    again = client.post(f"{detail(booked)}cancel/", {**CANCEL, "cancel-seen": shown.group(1)})
    assert again.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Status.CANCELLED_CLINIC
