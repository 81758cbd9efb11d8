"""The public booking flow and the manage link, through Django's test client."""

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SLOT = "2026-12-02T15:00:00+00:00|{pid}"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def details(cast: Cast, **over: str) -> dict[str, str]:
    data = {
        "slot": SLOT.format(pid=cast.ana.pk),
        "first_name": "Cleo",
        "last_name": "Park",
        "email": "cleo@example.test",
        "phone": "",
        "note": "",
    }
    data.update(over)
    return data


DETAILS = "/p/tidewater/book/cst-60/details/"


def emailed_token() -> str:
    """Send what the outbox holds and return the manage token in the last email."""
    deliver_due(worker="test")
    found = re.search(r"/p/tidewater/manage/([\w-]+)/", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found.group(1)


def book_confirmed(client: HttpClient, cast: Cast, **over: str) -> str:
    """Book through the form, confirm from the emailed link, and return the link's token."""
    assert client.post(DETAILS, details(cast, **over)).status_code == 302
    token = emailed_token()
    assert client.post(f"/p/tidewater/manage/{token}/confirm/").status_code == 302
    return token


def test_the_service_page_lists_first_visits_apart(client: HttpClient, cast: Cast) -> None:
    page = client.get("/p/tidewater/book/").text
    assert "New to Tidewater Craniosacral?" in page
    assert "First visit" in page and "CST session" in page


def test_the_practitioner_step_offers_anyone_and_a_style_filter(client: HttpClient, cast: Cast) -> None:
    page = client.get("/p/tidewater/book/cst-60/").text
    assert 'value="any"' in page and "Ana Silva" in page
    filtered = client.get("/p/tidewater/book/cst-60/?style=biomechanical").text
    assert "Ana Silva" not in filtered


def test_the_times_step_shows_a_week_of_local_times(client: HttpClient, cast: Cast) -> None:
    page = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02").text
    assert "Wednesday 2 December" in page
    assert "9:00 AM" in page and "4:00 PM" in page and "4:15 PM" not in page
    assert "(EST)" in page
    assert "Later →" in page


def test_the_times_step_answers_htmx_with_only_the_week(client: HttpClient, cast: Cast) -> None:
    response = client.get(
        f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-09", headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="week"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]  # no cache hands this fragment to a plain visit


def test_the_back_button_after_htmx_weeks_gets_the_whole_times_page(client: HttpClient, cast: Cast) -> None:
    """Pressing "Later →" twice, then Back: htmx (its history cache off) asks again for the address it pushed,
    as a history restore. That needs the whole page, not the week alone (which replaced the page)."""
    response = client.get(
        f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-09",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" in response.text and '<div id="week"' in response.text
    assert "HX-Request" in response["Vary"]


def test_today_inside_the_notice_period_has_no_times(client: HttpClient, cast: Cast) -> None:
    page = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}").text
    today = page.split('id="day-2026-12-01"', 1)[1].split("</section>", 1)[0]
    assert "No free times." in today


def test_booking_end_to_end_holds_the_time_emails_a_link_and_confirms_there(client: HttpClient, cast: Cast) -> None:
    response = client.post(DETAILS, details(cast, note="sore neck"))
    assert response.status_code == 302
    assert re.fullmatch(r"/p/tidewater/booking-request/[\w-]+/", response["Location"]), response["Location"]
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", "", client.get(response["Location"]).text)).split())
    assert "Check your email to confirm" in page
    assert "We have sent a link to cleo@example.test" in page
    assert "Wednesday 2 December 2026, 10:00 AM EST" in page
    assert "/manage/" not in page, "the manage link goes only to the email address"
    appointment = Appointment.objects.get()
    assert (appointment.status, appointment.note) == (Status.HELD, "sore neck")

    token = emailed_token()
    request_email = mail.outbox[-1]
    assert request_email.to == ["cleo@example.test"]
    assert request_email.subject.startswith("Please confirm your booking at Tidewater Craniosacral")
    assert "sore neck" not in request_email.body and "Cleo" not in request_email.body
    assert not request_email.attachments, "no calendar file before the booking is confirmed"
    held_page = html.unescape(client.get(f"/p/tidewater/manage/{token}/").text)
    assert "Please confirm your booking" in held_page and "Confirm booking" in held_page

    confirmed = client.post(f"/p/tidewater/manage/{token}/confirm/", follow=True)
    assert "You're booked." in html.unescape(confirmed.text)
    assert Appointment.objects.get().status == Status.BOOKED
    assert deliver_due(worker="test").sent == 1
    assert mail.outbox[-1].subject.startswith("Your appointment at Tidewater Craniosacral")
    assert token in mail.outbox[-1].body


def _key_of(page: str) -> str:
    found = re.search(r'name="request_key" value="([\w-]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_a_details_page_keeps_its_key_for_this_browser_and_never_takes_one_from_the_address(
    client: HttpClient, cast: Cast
) -> None:
    page = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02").text
    assert "details/?slot=" in page and "&amp;k=" not in page
    first = _key_of(client.get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}").text)
    # Shown again in this browser (the back button loads it again): the same key, so a second send
    # is the same request; a key planted in the address is ignored.
    again = _key_of(client.get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}&k={'k' * 32}").text)
    assert again == first != "k" * 32
    assert client.cookies["booking_forms"]["path"] == "/p/tidewater/book/"
    # Another time, or another browser: a key of its own.
    other_time = _key_of(client.get(f"{DETAILS}?slot=2026-12-02T17:00:00%2B00:00|{cast.ana.pk}").text)
    elsewhere = _key_of(HttpClient().get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}").text)
    assert len({first, other_time, elsewhere}) == 3


def test_a_shared_booking_link_never_shows_one_persons_request_to_another(cast: Cast) -> None:
    """Found by a review: the details page took its key from the address, so everyone who followed a
    shared link ("book this time: <link>") was sent to the first person's request page, which showed
    their name, email address and time."""
    link = f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}&k={'k' * 32}"
    alice, mallory = HttpClient(), HttpClient()
    sent = alice.post(DETAILS, details(cast, request_key=_key_of(alice.get(link).text), email="alice@private.test"))
    assert sent.status_code == 302
    assert "alice@private.test" in alice.get(sent["Location"]).text
    # Mallory follows the same link: a key of her own, a request of her own (the time is taken).
    refused = mallory.post(DETAILS, details(cast, request_key=_key_of(mallory.get(link).text), email="mal@evil.test"))
    assert refused.status_code == 409 and "alice" not in refused.text
    # Given Alice's request page itself (shared, or read over her shoulder): that a request was
    # sent, nothing of what it holds.
    elsewhere = mallory.get(sent["Location"])
    assert elsewhere.status_code == 200 and 'id="sent-elsewhere"' in elsewhere.text
    for private in ("alice@private.test", "Cleo", "Park", "Ana Silva", "10:00"):
        assert private not in elsewhere.text, private
    # Nor from Alice's form sent again from another browser (a changed resubmit is refused).
    again = mallory.post(DETAILS, details(cast, request_key=_key_of(alice.get(link).text)))
    assert "alice@private.test" not in mallory.get(sent["Location"]).text
    assert again.status_code in (302, 409)


def test_the_request_page_remembers_the_last_few_requests_of_this_browser(client: HttpClient, cast: Cast) -> None:
    sent = []
    for hour, email in ((15, "one@example.test"), (17, "two@example.test")):
        slot = f"2026-12-02T{hour}:00:00+00:00|{cast.ana.pk}"
        response = client.post(DETAILS, details(cast, slot=slot, email=email, request_key=str(hour) * 16))
        assert response.status_code == 302
        sent.append((response["Location"], email))
    for location, email in sent:
        assert email in client.get(location).text
    assert client.cookies["booking_requests"]["path"] == "/p/tidewater/booking-request/"
    assert client.cookies["booking_requests"]["httponly"]


def test_the_back_button_and_a_resubmit_show_the_booking_already_requested(client: HttpClient, cast: Cast) -> None:
    key = "k" * 32
    first = client.post(DETAILS, details(cast, request_key=key))
    again = client.post(DETAILS, details(cast, request_key=key))
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] + "?again=1"
    page = html.unescape(client.get(again["Location"]).text)
    assert "You already sent this booking request." in page
    assert "just taken" not in page
    assert Appointment.objects.count() == 1


def test_a_resubmit_with_changed_details_books_nothing_new(client: HttpClient, cast: Cast) -> None:
    key = "k" * 32
    client.post(DETAILS, details(cast, request_key=key))
    changed = client.post(DETAILS, details(cast, request_key=key, slot=f"2026-12-02T17:00:00+00:00|{cast.ana.pk}"))
    assert changed.status_code == 302 and changed["Location"].endswith("?again=1")
    assert Appointment.objects.count() == 1


def test_a_request_page_needs_its_own_key(client: HttpClient, cast: Cast) -> None:
    client.post(DETAILS, details(cast, request_key="k" * 32))
    assert client.get(f"/p/tidewater/booking-request/{'x' * 32}/").status_code == 404
    assert client.get("/p/tidewater/booking-request/short/").status_code == 404
    assert client.get(f"/p/harbour/booking-request/{'k' * 32}/").status_code == 404
    assert client.get(f"/p/tidewater/booking-request/{'k' * 32}/")["Cache-Control"].startswith("max-age=0")


def test_someone_who_did_not_ask_can_release_the_time(client: HttpClient, cast: Cast) -> None:
    client.post(DETAILS, details(cast))
    token = emailed_token()
    response = client.post(f"/p/tidewater/manage/{token}/release/", follow=True)
    assert "The time is released and nothing is booked." in response.text
    assert Appointment.objects.get().status == Status.EXPIRED
    assert "This booking request was not confirmed" in client.get(f"/p/tidewater/manage/{token}/").text


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"email": "cleo@"}, "Enter an email address like name@example.com."),
        ({"first_name": ""}, "Enter your first name."),
        ({"first_name": "Cleo\x07"}, "Remove the control characters from this text"),
        ({"phone": "call me maybe"}, "Enter a phone number"),
        ({"slot": "garbage"}, "That time is not valid"),
    ],
)
def test_bad_details_are_explained_and_what_was_typed_is_kept(
    client: HttpClient, cast: Cast, over: dict[str, str], message: str
) -> None:
    data = details(cast, note="please use the side door", **over)
    response = client.post("/p/tidewater/book/cst-60/details/", data)
    assert response.status_code == 400
    assert message in response.text
    assert "please use the side door" in response.text
    assert 'value="Park"' in response.text
    assert Appointment.objects.count() == 0


def test_a_taken_time_offers_alternatives_and_keeps_the_details(client: HttpClient, cast: Cast) -> None:
    client.post("/p/tidewater/book/cst-60/details/", details(cast, request_key="a" * 32))
    response = client.post(
        "/p/tidewater/book/cst-60/details/",
        details(cast, email="di@example.test", first_name="Di", note="hello", request_key="b" * 32),
    )
    assert response.status_code == 409
    assert "that time was just taken" in response.text
    assert 'type="radio" name="slot"' in response.text
    assert 'value="Di"' in response.text and "hello" in response.text
    assert Appointment.objects.count() == 1


def test_a_past_or_too_soon_time_is_refused_with_the_reason(client: HttpClient, cast: Cast) -> None:
    response = client.post(
        "/p/tidewater/book/cst-60/details/", details(cast, slot=f"2026-12-01T15:00:00+00:00|{cast.ana.pk}")
    )
    assert response.status_code == 400
    assert "at least 12 hours&#x27; notice" in response.text


def test_new_clients_are_sent_to_the_first_visit_when_they_confirm(client: HttpClient, cast: Cast) -> None:
    cast.tidewater.new_clients_first_visit = True
    cast.tidewater.save()
    form = html.unescape(client.get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}").text)
    assert "“CST session” is for returning clients." in form
    assert client.post(DETAILS, details(cast, email="new@example.test")).status_code == 302
    token = emailed_token()
    refused = client.post(f"/p/tidewater/manage/{token}/confirm/")
    assert refused.status_code == 409
    assert "New clients start with a first visit" in html.unescape(refused.text)
    assert "/p/tidewater/book/first-visit/" in refused.text
    assert Appointment.objects.get().status == Status.EXPIRED


def test_the_manage_link_cancels_inside_the_window(client: HttpClient, cast: Cast) -> None:
    token = book_confirmed(client, cast)
    response = client.post(f"/p/tidewater/manage/{token}/cancel/", follow=True)
    assert "Your appointment is cancelled." in response.text
    assert Appointment.objects.get().status == Status.CANCELLED_CLIENT
    assert "Cancelled by client" in response.text


def test_the_manage_link_reschedules(client: HttpClient, cast: Cast) -> None:
    token = book_confirmed(client, cast)
    page = client.get(f"/p/tidewater/manage/{token}/reschedule/?from=2026-12-02").text
    assert '2:00 PM<span class="visually-hidden"> on Wednesday 2 December</span>' in page
    response = client.post(
        f"/p/tidewater/manage/{token}/reschedule/", {"slot": f"2026-12-02T19:00:00+00:00|{cast.ana.pk}"}, follow=True
    )
    assert "Your appointment is moved to Wednesday 2 December 2026, 2:00 PM EST." in response.text
    assert Appointment.objects.get().start == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def test_inside_the_window_the_manage_page_says_how_to_reach_the_clinic(client: HttpClient, cast: Cast) -> None:
    cast.tidewater.phone = "+1 555 0199"
    cast.tidewater.save()
    token = book_confirmed(client, cast)
    with time_machine.travel(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), tick=False):
        page = client.get(f"/p/tidewater/manage/{token}/").text
        assert "can't be changed online" in page and "+1 555 0199" in page
        assert "Cancel appointment" not in page
        refused = client.post(f"/p/tidewater/manage/{token}/cancel/", follow=True).text
        assert "can&#x27;t be made online" in refused
    assert Appointment.objects.get().status == Status.BOOKED


def test_a_wrong_manage_token_is_a_404(client: HttpClient, cast: Cast) -> None:
    assert client.get("/p/tidewater/manage/not-a-token/").status_code == 404


def test_a_manage_token_only_works_under_its_own_practice(client: HttpClient, cast: Cast) -> None:
    client.post(DETAILS, details(cast))
    token = emailed_token()
    assert client.get(f"/p/harbour/manage/{token}/").status_code == 404


def test_a_time_inside_the_cancellation_window_is_announced_before_booking(client: HttpClient, cast: Cast) -> None:
    later = client.get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}").text  # 27 hours away
    assert 'id="inside-window"' not in later
    cast.tidewater.cancellation_window_hours = 48
    cast.tidewater.save()
    inside = client.get(f"{DETAILS}?slot={SLOT.format(pid=cast.ana.pk)}").text
    assert 'id="inside-window"' in inside and "cannot be changed or cancelled online" in inside


def test_cancelling_asks_first_then_offers_to_book_again(client: HttpClient, cast: Cast) -> None:
    token = book_confirmed(client, cast)
    asked = client.get(f"/p/tidewater/manage/{token}/cancel/")
    assert asked.status_code == 200 and "Cancel your appointment?" in asked.text and "Yes, cancel it" in asked.text
    assert Appointment.objects.get().status == Status.BOOKED  # asking changes nothing
    done = client.post(f"/p/tidewater/manage/{token}/cancel/", follow=True).text
    assert 'id="book-again"' in done and 'href="/p/tidewater/book/"' in done
    again = client.get(f"/p/tidewater/manage/{token}/cancel/")
    assert again.status_code == 302 and again["Location"] == f"/p/tidewater/manage/{token}/"


def test_the_manage_page_adds_the_visit_to_a_calendar_without_the_private_link(client: HttpClient, cast: Cast) -> None:
    from icalendar import Calendar

    token = book_confirmed(client, cast)
    page = client.get(f"/p/tidewater/manage/{token}/").text
    [google] = re.findall(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', page)
    google = html.unescape(google)
    assert "dates=20261202T150000Z%2F20261202T160000Z" in google and token not in google
    assert "Ana+Silva" in google and "action=TEMPLATE" in google
    response = client.get(f"/p/tidewater/manage/{token}/appointment.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    [event] = parsed.walk("VEVENT")
    appointment = Appointment.objects.get()
    assert (str(parsed["METHOD"]), str(event["UID"])) == ("PUBLISH", f"appointment-{appointment.pk}@tidewater.longtide")
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert token.encode() not in response.content and b"Migraine" not in response.content
    client.post(f"/p/tidewater/manage/{token}/cancel/")
    assert client.get(f"/p/tidewater/manage/{token}/appointment.ics").status_code == 404
    assert "calendar.google.com" not in client.get(f"/p/tidewater/manage/{token}/").text


def test_a_client_may_say_why_they_cancel_and_it_is_in_the_history(client: HttpClient, cast: Cast) -> None:
    from longtide.scheduling.models import AppointmentEvent, EventKind

    token = book_confirmed(client, cast)
    asked = client.get(f"/p/tidewater/manage/{token}/cancel/").text
    assert 'name="reason"' in asked and "Why are you cancelling? (optional)" in asked
    too_long = client.post(f"/p/tidewater/manage/{token}/cancel/", {"reason": "Away " * 70})
    assert too_long.status_code == 400 and "Keep the reason under 300 characters" in too_long.text
    assert "Away Away" in too_long.text and Appointment.objects.get().status == Status.BOOKED
    nul = client.post(f"/p/tidewater/manage/{token}/cancel/", {"reason": "Away\x00"})
    assert nul.status_code == 400 and "Null characters are not allowed." in nul.text
    client.post(f"/p/tidewater/manage/{token}/cancel/", {"reason": "  Travelling for\nwork  "})
    event = AppointmentEvent.objects.get(kind=EventKind.CANCELLED)
    assert (event.reason, event.decided_by) == ("Travelling for work", "client")
    assert Appointment.objects.get().status == Status.CANCELLED_CLIENT


def test_the_reschedule_form_sent_twice_moves_once_and_tells_once(client: HttpClient, cast: Cast) -> None:
    """Found by a review: each send moved the appointment again (its sequence, its history) and
    queued another "rescheduled" email; a move to its own time did too."""
    token = book_confirmed(client, cast)
    page = client.get(f"/p/tidewater/manage/{token}/reschedule/").text
    seen = re.search(r'name="seen" value="([^"]+)"', page)
    assert seen is not None and seen.group(1) == "booked.0"
    slot = f"2026-12-05T15:00:00+00:00|{cast.ana.pk}"
    for _ in range(2):
        sent = client.post(f"/p/tidewater/manage/{token}/reschedule/", {"slot": slot, "seen": seen.group(1)})
        assert sent.status_code == 302
    moved = Appointment.objects.get()
    assert moved.sequence == 1 and moved.start == datetime(2026, 12, 5, 15, tzinfo=UTC)
    assert Message.objects.filter(purpose="booking.rescheduled", channel="email").count() == 1
    assert moved.events.filter(kind="moved").count() == 1
    # To its own time: nothing moved, nothing sent.
    assert client.post(f"/p/tidewater/manage/{token}/reschedule/", {"slot": slot}).status_code == 302
    assert Appointment.objects.get().sequence == 1
    assert Message.objects.filter(purpose="booking.rescheduled", channel="email").count() == 1
    # The page of the first move, sent again for another time after it: refused, said why.
    other = f"2026-12-05T17:00:00+00:00|{cast.ana.pk}"
    stale = client.post(f"/p/tidewater/manage/{token}/reschedule/", {"slot": other, "seen": seen.group(1)})
    assert stale.status_code == 409 and "Someone changed this appointment meanwhile" in html.unescape(stale.text)
    assert Appointment.objects.get().start == datetime(2026, 12, 5, 15, tzinfo=UTC)
