"""The client list, a client's page, adding and editing clients, and booking a client found by search
or one who has only a phone. Time is frozen at Monday 1 June 2026, 8:00 AM in New York."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from conftest import Cast, without_random_keys
from longtide.clients.directory import (
    ClientRefused,
    ContactDetails,
    ListedPage,
    add_client,
    list_clients,
    search_clients,
    update_client,
)
from longtide.clients.models import Client
from longtide.notifications.models import Message
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.models import Appointment, Source, Status
from longtide.web.times import slot_value

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 8:00 AM EDT
TOMORROW_10 = datetime(2026, 6, 2, 10, 0, tzinfo=NEW_YORK)
NOTE = "Migraines since March; on medication."


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _staff(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.ben_user)
    return client


def _add(cast: Cast, first: str, last: str, email: str = "", phone: str = "") -> Client:
    return Client.objects.create(practice=cast.tidewater, first_name=first, last_name=last, email=email, phone=phone)


# -- search ---------------------------------------------------------------------------------------


def test_search_finds_by_the_start_of_a_name_an_address_or_the_phones_digits(cast: Cast) -> None:
    _add(cast, "Dana", "Reyes", "dana.r@example.test", "(207) 555-0142")
    _add(cast, "Parker", "Lund", "", "+44 20 7946 0958")
    _add(cast, "Ana", "Paredes", "ana@example.test")

    def names(text: str) -> list[str]:
        return [c.full_name for c in search_clients(cast.tidewater, text)]

    assert names("par") == ["Parker Lund", "Ana Paredes", "Cleo Park"]  # first or last name, list order
    assert names("cleo PA") == ["Cleo Park"]
    assert names("pa cleo") == ["Cleo Park"]
    assert names("dana.r@") == ["Dana Reyes"] and names("DANA.R@EXAMPLE.TEST") == ["Dana Reyes"]
    assert names("dana.r") == ["Dana Reyes"]  # one word: also the start of an address
    assert names("207 555") == ["Dana Reyes"] and names("207-555-01") == ["Dana Reyes"]
    assert names("+44 20") == ["Parker Lund"]
    assert names("arker") == []  # prefixes only: what an index can answer
    assert names("5") == []  # one digit matches too much to be useful
    assert names("") == ["Parker Lund", "Ana Paredes", "Cleo Park", "Dana Reyes"]
    assert names("\x00par\x00") == names("par")
    assert names("%") == [] and names("_") == []  # LIKE wildcards are plain characters


def test_the_list_reads_what_the_search_finds_in_one_statement(cast: Cast) -> None:
    """`list_clients` (the list's hand-written SQL) returns `search_clients`' rows, page by page,
    and its count capped as the list caps it, for every kind of search; one statement per page."""
    _add(cast, "Dana", "Reyes", "dana.r@example.test", "(207) 555-0142")
    _add(cast, "Parker", "Lund", "", "+44 20 7946 0958")
    _add(cast, "Ana", "Paredes", "ana@example.test", "207 555 0199")
    _add(cast, "Pablo", "Park", "pablo%_\\x@example.test")
    _add(cast, "Élise", "Parc", "elise@example.test")
    merged = _add(cast, "Paz", "Park", "paz@example.test")
    merged.merged_into = cast.cleo
    merged.save()
    Client.objects.create(practice=cast.harbour, first_name="Pat", last_name="Park", email="pat@example.test")
    texts = [
        "",
        "par",
        "PA",
        "cleo pa",
        "pa cleo",
        "dana.r@",
        "DANA",
        "pablo%",
        "pablo%_",
        "%",
        "_",
        "\\",
        "207 555",
        "207",
        "2",
        "+44 20",
        "élise",
        "ÉLISE",
        "x" * 300,
        "a b c d e",
        "\x00pa\x00",
    ]
    for text in texts:
        found = [c.pk for c in search_clients(cast.tidewater, text)]
        for cap, limit in [(1000, 50), (3, 2), (2, 2)]:
            for offset in range(0, 8, limit):
                with CaptureQueriesContext(connection) as statements:
                    listed = list_clients(cast.tidewater.pk, text, offset=offset, limit=limit, cap=cap)
                assert [c.pk for c in listed.clients] == found[:cap][offset : offset + limit], (text, cap, offset)
                assert listed.counted == min(len(found), cap + 1), (text, cap, offset)
                assert len(statements) <= (1 if listed.clients or offset == 0 else 2)
                if offset >= cap:  # past the cap only the count is read, no page scanned for
                    assert not any("OFFSET" in s["sql"] for s in statements.captured_queries)
    assert list_clients(cast.tidewater.pk, "5", offset=0, limit=50, cap=1000) == ListedPage([], 0)


def test_search_never_reaches_another_practice(cast: Cast) -> None:
    Client.objects.create(practice=cast.harbour, first_name="Cleo", last_name="Other", email="co@example.test")
    assert [c.email for c in search_clients(cast.tidewater, "cleo")] == ["cleo@example.test"]


def test_the_list_pages_by_fifty_and_keeps_the_search(client: HttpClient, cast: Cast) -> None:
    Client.objects.bulk_create(
        Client(practice=cast.tidewater, first_name=f"Sam{n:03d}", last_name="Ortiz", phone=f"555 {n:04d}")
        for n in range(120)
    )
    staff = _staff(client, cast)
    first = staff.get("/staff/tidewater/clients/", {"q": "ortiz"}).text
    assert "120 clients match “ortiz”." in _text(first) and "Page 1 of 3" in first
    assert first.count("Ortiz, Sam") == 50 and "Ortiz, Sam000" in first
    assert '?q=ortiz&amp;page=2" rel="next"' in first
    last = staff.get("/staff/tidewater/clients/", {"q": "ortiz", "page": "3"}).text
    assert last.count("Ortiz, Sam") == 20 and "Ortiz, Sam119" in last
    for page in ["abc", "0", "-1", "99999999999999999999", "9999"]:
        response = staff.get("/staff/tidewater/clients/", {"q": "ortiz", "page": page})
        assert response.status_code == 200, page
    assert "1 client." not in staff.get("/staff/tidewater/clients/", {"q": "x" * 5000}).text
    refused = staff.get("/staff/tidewater/clients/", {"q": "\x00"})
    assert refused.status_code == 400
    assert "contains a null character" in refused.content.decode()


# -- a client's page ------------------------------------------------------------------------------


def _visit(cast: Cast, start: datetime, status: str = Status.BOOKED, *, note: str = "") -> Appointment:
    booked = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        note=note,
        source=Source.STAFF,
        now=start - timedelta(days=1),
    ).appointment
    Appointment.objects.filter(pk=booked.pk).update(status=status)
    return booked


def test_a_clients_page_shows_contact_visits_counts_and_messages_but_no_note(client: HttpClient, cast: Cast) -> None:
    coming = _visit(cast, TOMORROW_10, note=NOTE)
    _visit(cast, datetime(2026, 5, 18, 10, 0, tzinfo=NEW_YORK), Status.COMPLETED)
    _visit(cast, datetime(2026, 5, 19, 10, 0, tzinfo=NEW_YORK), Status.NO_SHOW)
    _visit(cast, datetime(2026, 5, 20, 10, 0, tzinfo=NEW_YORK), Status.LATE_CANCELLED)
    page = _staff(client, cast).get(f"/staff/tidewater/clients/{cast.cleo.pk}/").text
    text = _text(page)
    assert "Cleo Park" in text and "cleo@example.test" in text
    assert "Appointments 4 Completed 1 No-shows 1 Late cancellations 1" in text
    upcoming = _text(page.split('id="upcoming"')[1].split("</ul>")[0])
    assert upcoming == "> Tue 2 Jun 2026, 10:00 AM — CST session with Ana Silva, Willow Booked"
    past = _text(page.split('id="past"')[1].split("</ul>")[0])
    assert past.index("Wed 20 May") < past.index("Tue 19 May") < past.index("Mon 18 May")
    assert "No-show" in past and "Late-cancelled" in past
    assert f"/staff/tidewater/appointments/{coming.pk}/" in page
    assert "Booking confirmation (Email)" in _text(page.split('id="messages"')[1])
    assert NOTE not in page
    assert f'href="/staff/tidewater/clients/{cast.cleo.pk}/chart/" id="chart-link"' in page  # the chart page exists
    assert f"/staff/tidewater/appointments/new/?client={cast.cleo.pk}" in page


def test_a_client_id_too_large_or_of_another_practice_is_a_404(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    other = Client.objects.create(practice=cast.harbour, first_name="Hal", last_name="Bo", email="h@example.test")
    assert staff.get(f"/staff/tidewater/clients/{other.pk}/").status_code == 404
    assert staff.get("/staff/tidewater/clients/99999999999999999999/").status_code == 404


# -- adding and editing ---------------------------------------------------------------------------


def test_staff_add_a_client_who_has_only_a_phone(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    response = staff.post(
        "/staff/tidewater/clients/new/", {"first_name": "Pia", "last_name": "Lee", "phone": "207 555 0199"}
    )
    pia = Client.objects.get(first_name="Pia")
    assert response.status_code == 302 and response["Location"] == f"/staff/tidewater/clients/{pia.pk}/"
    assert (pia.email, pia.phone, pia.phone_digits) == ("", "207 555 0199", "2075550199")
    page = _text(staff.get(response["Location"]).text)
    assert "Not given: no emails are sent to this client" in page
    # Left on the default channel, email, a phone-only client gets no reminders: the page says so.
    assert "Reminders None: no email address" in page and "Reminders Email" not in page
    form = staff.get(f"/staff/tidewater/clients/{pia.pk}/reminders/").text
    assert re.search(r'<input[^>]*value="none"[^>]*checked', form) and not re.search(
        r'<input[^>]*value="email"[^>]*checked', form
    )
    # A second phone-only client is no clash (the one-address-one-client rule is for addresses).
    staff.post("/staff/tidewater/clients/new/", {"first_name": "Ola", "last_name": "Lee", "phone": "207 555 0100"})
    assert Client.objects.filter(practice=cast.tidewater, email="").count() == 2


def test_adding_refuses_clearly_and_keeps_what_was_typed(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    cases = [
        ({"first_name": "Pia", "last_name": "Lee"}, "Give an email address or a phone number"),
        ({"first_name": "Pia", "last_name": "Lee", "email": "pia@"}, "Enter an email address like name@example.com."),
        ({"first_name": "Pia", "last_name": "Lee", "phone": "call me"}, "Enter a phone number using digits"),
        ({"first_name": "", "last_name": "Lee", "phone": "207 555 0199"}, "Enter the client&#x27;s first name."),
        ({"first_name": "P\x00ia", "last_name": "Lee", "phone": "207 555 0199"}, "Null characters are not allowed."),
        ({"first_name": "Pia", "last_name": "Lee", "email": "CLEO@example.test"}, "already has this email address"),
    ]
    for data, message in cases:
        response = staff.post("/staff/tidewater/clients/new/", data)
        assert response.status_code == 200 and message in response.text, message
        assert 'value="Lee"' in response.text
    duplicate = staff.post("/staff/tidewater/clients/new/", cases[-1][0]).text
    assert f'href="/staff/tidewater/clients/{cast.cleo.pk}/">Cleo Park</a>' in duplicate
    assert Client.objects.filter(practice=cast.tidewater).count() == 1


def test_editing_a_client_corrects_their_details_within_the_rules(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    dana = _add(cast, "Dana", "Reyes", "dana@example.test")
    url = f"/staff/tidewater/clients/{cast.cleo.pk}/edit/"
    assert 'value="cleo@example.test"' in staff.get(url).text
    refused = staff.post(url, {"first_name": "Cleo", "last_name": "Park", "email": "Dana@example.test"})
    assert "already has this email address" in refused.text and 'value="Dana@example.test"' in refused.text
    cast.cleo.refresh_from_db()
    assert cast.cleo.email == "cleo@example.test"
    saved = staff.post(url, {"first_name": "Cleo", "last_name": "Parks", "email": "", "phone": "(212) 555-0100"})
    assert saved.status_code == 302
    cast.cleo.refresh_from_db()
    assert (cast.cleo.last_name, cast.cleo.email, cast.cleo.phone_digits) == ("Parks", "", "2125550100")
    assert dana.email == "dana@example.test"


def test_the_directory_actions_refuse_a_taken_address_and_the_database_backs_them(cast: Cast) -> None:
    with pytest.raises(ClientRefused) as refused:
        add_client(cast.tidewater, ContactDetails("X", "Y", "Cleo@Example.test"))
    assert refused.value.other == cast.cleo
    dana = add_client(cast.tidewater, ContactDetails("Dana", "Reyes", "", "555 0101"))
    with pytest.raises(ClientRefused):
        update_client(dana, ContactDetails("Dana", "Reyes", "cleo@example.test"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(practice=cast.tidewater, first_name="A", last_name="B", email="CLEO@example.test")


# -- booking from the list, and phone-only clients -------------------------------------------------


def _book(cast: Cast, **fields: str) -> dict[str, str]:
    return {
        "action": "book",
        "service": str(cast.session.pk),
        "practitioner": str(cast.ana.pk),
        "date": "2026-06-02",
        "slot": slot_value(TOMORROW_10, cast.ana.pk),
        **fields,
    }


def test_booking_starts_from_a_search_and_books_the_client_found(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    found = staff.post("/staff/tidewater/appointments/new/", {"action": "find-client", "client_q": "park"}).text
    assert f'name="client" value="{cast.cleo.pk}"' in found and "Book for Cleo Park" in found
    chosen = staff.post("/staff/tidewater/appointments/new/", {"client": str(cast.cleo.pk)}).text
    assert 'name="first_name"' not in chosen and "Choose another client" in chosen
    response = staff.post("/staff/tidewater/appointments/new/", _book(cast, client=str(cast.cleo.pk)))
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and appointment.client == cast.cleo
    assert appointment.status == Status.BOOKED and not appointment.name_differs
    assert Message.objects.filter(recipient="cleo@example.test").exists()
    nothing = staff.post("/staff/tidewater/appointments/new/", {"action": "find-client", "client_q": "zz"}).text
    assert "No client matches “zz”" in _text(nothing)


def test_staff_book_a_new_client_who_has_only_a_phone_and_no_email_is_sent(client: HttpClient, cast: Cast) -> None:
    staff = _staff(client, cast)
    data = _book(cast, first_name="Pia", last_name="Lee", phone="207 555 0199")
    response = staff.post("/staff/tidewater/appointments/new/", data, follow=True)
    appointment = Appointment.objects.get()
    assert appointment.client.email == "" and appointment.client.phone == "207 555 0199"
    text = _text(response.content.decode())
    assert "No confirmation was sent: Pia Lee has no email address, so tell them the time." in text
    assert "Not given: no confirmation or reminder email goes to this client" in text
    assert "Reminders: none: no email address" in text and "Reminders: email." not in text
    assert not Message.objects.exists()
    # Booking her again from her page books the same client, not a second record.
    again = staff.post(
        "/staff/tidewater/appointments/new/",
        _book(cast, client=str(appointment.client_id), slot=slot_value(TOMORROW_10 + timedelta(hours=2), cast.ana.pk)),
    )
    assert again.status_code == 302
    assert Client.objects.filter(first_name="Pia").count() == 1 and Appointment.objects.count() == 2


def test_a_new_client_needs_an_email_or_a_phone_and_a_chosen_client_must_be_the_practices(
    client: HttpClient, cast: Cast
) -> None:
    staff = _staff(client, cast)
    refused = staff.post("/staff/tidewater/appointments/new/", _book(cast, first_name="Pia", last_name="Lee"))
    assert refused.status_code == 200 and "Give an email address or a phone number" in refused.text
    other = Client.objects.create(practice=cast.harbour, first_name="Hal", last_name="Bo", email="h@example.test")
    for value in [str(other.pk), "99999999999999999999", "abc"]:
        response = staff.post("/staff/tidewater/appointments/new/", _book(cast, client=value))
        assert response.status_code == 200, value
        assert "Hal" not in without_random_keys(response.text)
    assert not Appointment.objects.exists()


def test_online_and_api_bookings_still_need_an_email_address(cast: Cast) -> None:
    for details in [ClientDetails("Pia", "Lee", "", "207 555 0199"), ClientDetails("", "", "", client_id=cast.cleo.pk)]:
        with pytest.raises(BookingError) as refused:
            book_appointment(
                practice=cast.tidewater,
                service=cast.session,
                practitioner=cast.ana,
                start=datetime(2026, 6, 3, 10, 0, tzinfo=NEW_YORK),
                client=details,
            )
        assert refused.value.code == "email_required"


def test_a_search_matching_more_than_a_thousand_says_so_and_asks_for_more(client: HttpClient, cast: Cast) -> None:
    from longtide.web.staff import clients as pages

    Client.objects.bulk_create(
        Client(practice=cast.tidewater, first_name=f"Sam{n:04d}", last_name="Ortiz") for n in range(1010)
    )
    staff = _staff(client, cast)
    first = _text(staff.get("/staff/tidewater/clients/", {"q": "ortiz"}).text)
    assert f"More than {pages.COUNT_CAP} clients match “ortiz”: type more of the name" in first
    assert "Page 1 of 20" in first
    last = staff.get("/staff/tidewater/clients/", {"q": "ortiz", "page": "20"}).text
    assert last.count("Ortiz, Sam") == 50 and "Ortiz, Sam0999" in last and "Sam1000" not in last
    assert "1011 clients." not in _text(staff.get("/staff/tidewater/clients/").text)
