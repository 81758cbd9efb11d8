"""A practitioner's private calendar feed: what it shows (and never shows), DST, cancellations and
moves, and its secret address (replace, stop). Parsed with icalendar and a second, strict parser
(`ical`), as a calendar program would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar, Component

from conftest import Cast, ClientResponse
from longtide.practice.models import FeedNames, Role, StaffMembership
from longtide.scheduling.booking import ClientDetails, book_appointment, cancel_appointment, move_appointment
from longtide.scheduling.feeds import new_feed, revoke_feed, token_for
from longtide.scheduling.models import Appointment, CalendarFeed, Source

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# US clocks go forward on 14 March 2027 and back on 7 November 2027.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=NEW_YORK)
NOTE = "Whiplash in January; anxious about driving"


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime.combine(datetime(2027, month, day).date(), time(hour), tzinfo=NEW_YORK)


def book(cast: Cast, start: datetime, *, email: str = "cleo@example.test", source: str = Source.STAFF) -> Appointment:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", email, "+1 207 555 0143"),
        note=NOTE,
        source=source,
        now=NOW,
    ).appointment


def fetch(token: str, client: HttpClient | None = None) -> ClientResponse:
    return (client or HttpClient()).get(f"/calendar-feed/{token}.ics")


def feed_token(cast: Cast) -> str:
    token = token_for(new_feed(cast.ana, by=cast.ana_user))
    assert token is not None
    return token


def timed(value: date | datetime | None) -> datetime:
    """An event start the strict parser read, which must be a time of day (not an all-day date)."""
    assert isinstance(value, datetime), value
    return value


def events_of(data: bytes) -> dict[str, Component]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_the_feed_imports_cleanly_into_two_parsers_with_local_times_across_the_clock_change(cast: Cast) -> None:
    before, after = book(cast, at(12)), book(cast, at(15))
    response = fetch(feed_token(cast))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    data = response.content

    calendar = Calendar.from_ical(data)
    assert "METHOD" not in calendar  # a subscription, not an invitation
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    events = events_of(data)
    first = events[f"feed-appointment-{before.pk}@tidewater.longtide"]
    second = events[f"feed-appointment-{after.pk}@tidewater.longtide"]
    # 10:00 at the clinic on both sides of the change: 15:00 UTC before it, 14:00 UTC after.
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 12, 15, tzinfo=UTC)
    assert second.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 15, 14, tzinfo=UTC)
    assert b"DTSTART;TZID=America/New_York:20270315T100000" in data

    strict = IcsCalendarStream.calendar_from_ics(data.decode())
    starts = sorted(timed(e.dtstart).astimezone(UTC) for e in strict.events)
    assert starts == [datetime(2027, 3, 12, 15, tzinfo=UTC), datetime(2027, 3, 15, 14, tzinfo=UTC)]
    assert {timed(e.dtstart).astimezone(NEW_YORK).hour for e in strict.events} == {10}
    assert [tz.tz_id for tz in strict.timezones] == ["America/New_York"]


def test_entries_name_nobody_and_carry_nothing_clinical_or_private(cast: Cast) -> None:
    visit = book(cast, at(12))
    data = fetch(feed_token(cast)).content
    (event,) = events_of(data).values()
    assert str(event["SUMMARY"]) == "Client · CST session"
    assert str(event["LOCATION"]) == "Harbourside, Willow"
    assert str(event["URL"]).endswith(f"/staff/tidewater/appointments/{visit.pk}/")
    assert str(event["CLASS"]) == "PRIVATE"
    text = data.decode()
    for private in ("Cleo", "Park", "cleo@example.test", "555", NOTE, "Whiplash", "manage"):
        assert private not in text


def test_the_practice_may_choose_initials_and_its_own_label(cast: Cast) -> None:
    book(cast, at(12))
    token = feed_token(cast)
    cast.tidewater.calendar_feed_names = FeedNames.INITIALS
    cast.tidewater.save()
    (event,) = events_of(fetch(token).content).values()
    assert str(event["SUMMARY"]) == "C. P. · CST session"
    cast.tidewater.calendar_feed_names = FeedNames.LABEL
    cast.tidewater.calendar_feed_label = "Booked"
    cast.tidewater.save()
    (event,) = events_of(fetch(token).content).values()
    assert str(event["SUMMARY"]) == "Booked · CST session"


def test_a_held_online_booking_is_tentative_and_never_shows_the_typed_name(cast: Cast) -> None:
    cast.tidewater.calendar_feed_names = FeedNames.INITIALS
    cast.tidewater.save()
    book(cast, at(12), email="someone@example.test", source=Source.ONLINE)
    (event,) = events_of(fetch(feed_token(cast)).content).values()
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]) == "Held (unconfirmed) · CST session"


def test_a_move_updates_the_same_entry_and_a_cancellation_removes_it(cast: Cast) -> None:
    token = feed_token(cast)
    moved, cancelled = book(cast, at(12)), book(cast, at(12, hour=14))
    uid = f"feed-appointment-{moved.pk}@tidewater.longtide"
    move_appointment(appointment=moved, start=at(16), by_client=False, now=NOW)
    cancel_appointment(appointment=cancelled, by_client=False, decided_by="clinic", reason="Practitioner ill", now=NOW)
    events = events_of(fetch(token).content)
    assert list(events) == [uid]
    assert events[uid].decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 16, 14, tzinfo=UTC)
    strict = IcsCalendarStream.calendar_from_ics(fetch(token).content.decode())
    assert [e.uid for e in strict.events] == [uid]


def test_only_the_practitioners_own_visits_from_a_month_back_to_a_year_ahead(cast: Cast) -> None:
    from longtide.practice.models import Practitioner

    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea Ness", slug="bea", style="biodynamic")
    cast.session.practitioners.add(bea)
    from longtide.scheduling.models import WorkingHours

    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=bea, location=cast.location, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    mine = book(cast, at(12))
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=bea,
        start=at(12, hour=11),
        client=ClientDetails("Ida", "Lee", "ida@example.test"),
        source=Source.STAFF,
        now=NOW,
    )
    assert list(events_of(fetch(feed_token(cast)).content)) == [f"feed-appointment-{mine.pk}@tidewater.longtide"]
    with time_machine.travel(NOW + timedelta(days=45), tick=False):
        assert events_of(fetch(token_for(CalendarFeed.objects.live().get()) or "").content) == {}


def test_the_address_is_secret_replaceable_and_stoppable(cast: Cast) -> None:
    book(cast, at(12))
    first = feed_token(cast)
    feed = CalendarFeed.objects.live().get()
    assert first not in (feed.nonce, feed.token_hash)  # the database holds no working address
    assert fetch(first).status_code == 200
    second = feed_token(cast)
    assert (fetch(first).status_code, fetch(second).status_code) == (404, 200)
    assert revoke_feed(cast.ana, by=cast.olga_user)
    assert fetch(second).status_code == 404
    for bad in ("", "x" * 101, "nul\x00byte", "../../etc/passwd", "1" * 20):
        assert HttpClient().get(f"/calendar-feed/{bad}.ics").status_code == 404
    assert HttpClient().post(f"/calendar-feed/{second}.ics").status_code == 405


def test_the_last_fetch_is_recorded_for_the_practitioner_to_see(cast: Cast) -> None:
    token = feed_token(cast)
    assert CalendarFeed.objects.get().last_fetched_at is None
    fetch(token)
    assert CalendarFeed.objects.get().last_fetched_at == NOW


# -- the staff page -----------------------------------------------------------------------------


def signed_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def test_a_practitioner_makes_replaces_and_stops_their_feed(cast: Cast) -> None:
    ana = signed_in(cast.ana_user)
    page = ana.get("/staff/tidewater/calendar-feed/").content.decode()
    assert "You have no calendar feed." in page
    assert ana.post("/staff/tidewater/calendar-feed/", {"action": "new"}).status_code == 302
    token = token_for(CalendarFeed.objects.live().get())
    page = ana.get("/staff/tidewater/calendar-feed/").content.decode()
    assert f"/calendar-feed/{token}.ics" in page
    ana.post("/staff/tidewater/calendar-feed/", {"action": "new"})
    assert fetch(token or "").status_code == 404
    ana.post("/staff/tidewater/calendar-feed/", {"action": "stop"})
    assert not CalendarFeed.objects.live().exists()
    response = ana.post("/staff/tidewater/calendar-feed/", {"action": "nonsense\x00"}, follow=True)
    assert "Choose what to do with the feed." in response.content.decode()


def test_front_desk_has_no_feed_and_sees_no_ones_address(cast: Cast) -> None:
    token = feed_token(cast)
    ben = signed_in(cast.ben_user)
    page = ben.get("/staff/tidewater/calendar-feed/").content.decode()
    assert "Only practitioners have a calendar feed" in page
    assert token not in page
    response = ben.post("/staff/tidewater/calendar-feed/", {"action": "new"}, follow=True)
    assert "Only practitioners have a calendar feed." in response.content.decode()
    assert CalendarFeed.objects.count() == 1


def test_an_owner_sees_who_has_a_feed_and_stops_one_but_never_sees_its_address(cast: Cast) -> None:
    token = feed_token(cast)
    olga = signed_in(cast.olga_user)
    page = olga.get("/staff/tidewater/calendar-feed/").content.decode()
    assert "Ana Silva" in page and "On since" in page
    assert token not in page
    assert olga.post(f"/staff/tidewater/calendar-feed/{cast.ana.pk}/stop/").status_code == 302
    assert fetch(token).status_code == 404
    # Another practice's practitioner: 404, and nothing changes there.
    harbour_feed = new_feed(cast.dov, by=cast.dov_user)
    assert olga.post(f"/staff/tidewater/calendar-feed/{cast.dov.pk}/stop/").status_code == 404
    assert olga.post("/staff/tidewater/calendar-feed/99999999999999999999/stop/").status_code == 404
    harbour_feed.refresh_from_db()
    assert harbour_feed.revoked_at is None


def test_the_owner_chooses_what_feeds_show_and_how_long_offers_are_held(cast: Cast) -> None:
    olga = signed_in(cast.olga_user)
    bad = {"section": "waitlist", "waitlist_offer_minutes": "5", "calendar_feed_names": "initials"}
    response = olga.post("/staff/tidewater/messages/", {**bad, "calendar_feed_label": "Guest\x00"})
    page = response.content.decode()
    assert response.status_code == 422  # a settings form to fix (web/bad_input.form_status)
    assert "Ensure this value is greater than or equal to 10." in page
    assert 'value="5"' in page
    cast.tidewater.refresh_from_db()
    assert (cast.tidewater.calendar_feed_names, cast.tidewater.waitlist_offer_minutes) == ("label", 60)
    good = {**bad, "waitlist_offer_minutes": "30", "calendar_feed_label": "Guest"}
    assert olga.post("/staff/tidewater/messages/", good).status_code == 302
    cast.tidewater.refresh_from_db()
    assert (cast.tidewater.calendar_feed_names, cast.tidewater.calendar_feed_label) == ("initials", "Guest")
    assert cast.tidewater.reminder_hours_first == 48  # the other form is untouched


def test_a_member_removed_from_the_practice_loses_their_feed_at_once(cast: Cast) -> None:
    book(cast, at(12))
    ana = signed_in(cast.ana_user)
    assert ana.post("/staff/tidewater/calendar-feed/", {"action": "new"}).status_code == 302
    token = token_for(CalendarFeed.objects.live().get()) or ""
    assert fetch(token).status_code == 200
    membership = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ana_user)
    removed = signed_in(cast.olga_user).post(
        f"/staff/tidewater/settings/staff/{membership.pk}/remove/", {"confirm": "1"}
    )
    assert removed.status_code == 302
    assert fetch(token).status_code == 404
    assert not CalendarFeed.objects.live().exists()  # stopped for good: joining again does not revive it
    StaffMembership.objects.create(practice=cast.tidewater, user=cast.ana_user, role=Role.PRACTITIONER)
    type(cast.ana).objects.filter(pk=cast.ana.pk).update(user=cast.ana_user)
    assert fetch(token).status_code == 404


def test_a_feed_stops_when_its_profile_is_linked_to_someone_else_who_never_sees_its_address(cast: Cast) -> None:
    """The feed belongs to the login it was made for: relinking the practitioner profile to another
    member neither keeps the old address working nor shows it to the new one."""
    book(cast, at(12))
    token = feed_token(cast)
    zoe_user = User.objects.create_user("zoe", "zoe@tidewater.test", "pw-zoe-123")
    StaffMembership.objects.create(practice=cast.tidewater, user=zoe_user, role=Role.PRACTITIONER)
    type(cast.ana).objects.filter(pk=cast.ana.pk).update(user=zoe_user)
    assert fetch(token).status_code == 404
    page = signed_in(zoe_user).get("/staff/tidewater/calendar-feed/").content.decode()
    assert token not in page and "You have no calendar feed." in page
    # A membership elsewhere does not count: the login must be a member of the feed's practice.
    type(cast.ana).objects.filter(pk=cast.ana.pk).update(user=cast.ana_user)
    assert fetch(token).status_code == 200
    StaffMembership.objects.filter(practice=cast.tidewater, user=cast.ana_user).delete()
    StaffMembership.objects.create(practice=cast.harbour, user=cast.ana_user, role=Role.PRACTITIONER)
    assert fetch(token).status_code == 404
