"""The waitlist: joining without telling who is a client, confirming, leaving, and a cancellation
filling from it in order, with offers held for the practice's time, on a driven clock. The time is
never booked twice: every offer is a held booking made through book_appointment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django.test import Client as HttpClient

from conftest import Cast, without_random_keys
from longtide.clients.models import Client
from longtide.notifications.delivery import deliver_due
from longtide.notifications.models import Message
from longtide.scheduling.booking import (
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
)
from longtide.scheduling.booking_messages import compose_at_send
from longtide.scheduling.booking_rules import PolicyRefused, SlotTaken
from longtide.scheduling.models import (
    Appointment,
    OpeningStatus,
    Source,
    Status,
    WaitlistEntry,
    WaitlistOpening,
    WaitlistStatus,
)
from longtide.scheduling.waitlist import Wishes, add_by_staff, confirm_place, plan_offers, wishes_text

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 4, 5, 9, 0, tzinfo=NEW_YORK)  # a Monday
VISIT = datetime(2027, 4, 8, 10, 0, tzinfo=NEW_YORK)  # Thursday 10:00


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def wishes(cast: Cast, **overrides: Any) -> Wishes:
    values: dict[str, Any] = {
        "service": cast.session,
        "practitioner": None,
        "earliest": date(2027, 4, 5),
        "latest": date(2027, 4, 30),
        "weekdays": "01234",
        "time_from": time(9),
        "time_to": time(13),
    }
    values.update(overrides)
    return Wishes(**values)


def waiting(cast: Cast, name: str, *, now: datetime = NOW, **overrides: Any) -> WaitlistEntry:
    return add_by_staff(
        practice=cast.tidewater,
        wishes=wishes(cast, **overrides),
        details=ClientDetails(name, "Waiter", f"{name.lower()}@example.test"),
        by=None,
        now=now,
    )


def cancelled_visit(cast: Cast, *, start: datetime = VISIT) -> Appointment:
    visit = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
        now=NOW,
    ).appointment
    return cancel_appointment(
        appointment=visit, by_client=False, decided_by="clinic", reason="Practitioner ill", now=NOW
    )


def offers_to(entry: WaitlistEntry) -> list[Appointment]:
    return list(Appointment.objects.filter(waitlist_offer__entry=entry).order_by("pk"))


# -- filling a cancelled time -------------------------------------------------------------------


def test_a_cancellation_is_offered_to_the_first_in_the_queue_and_held_for_the_practices_time(cast: Cast) -> None:
    first = waiting(cast, "Fern", now=NOW - timedelta(days=2))
    second = waiting(cast, "Gus", now=NOW - timedelta(days=1))
    cancelled_visit(cast)
    opening = WaitlistOpening.objects.get()
    assert (opening.start, opening.status) == (VISIT, OpeningStatus.OPEN)

    assert plan_offers(NOW) == 1
    (held,) = offers_to(first)
    assert offers_to(second) == []
    assert (held.status, held.source, held.start) == (Status.HELD, Source.WAITLIST, VISIT)
    assert held.hold_until == NOW + timedelta(minutes=60)
    first.refresh_from_db()
    assert first.status == WaitlistStatus.OFFERED
    offer = Message.objects.get(about=f"appointment:{held.pk}")
    assert offer.purpose == "waitlist.offer"
    assert offer.recipient == "fern@example.test"
    assert offer.compose_at_send and offer.body_text == ""  # the worker writes it (COMPOSED_AT_SEND)
    written = compose_at_send(offer, NOW)
    assert written is not None
    assert "[[manage_url]]" in written.text
    assert "until Mon 5 Apr, 10:00 AM EDT" in written.text
    assert "Cleo" not in written.text  # nothing about who cancelled
    # Running again while the offer is held offers nothing more.
    assert plan_offers(NOW + timedelta(minutes=59)) == 0


def test_an_unclaimed_offer_goes_to_the_next_and_the_first_to_confirm_gets_it(cast: Cast) -> None:
    first = waiting(cast, "Fern", now=NOW - timedelta(days=2))
    second = waiting(cast, "Gus", now=NOW - timedelta(days=1))
    cancelled_visit(cast)
    plan_offers(NOW)
    later = NOW + timedelta(minutes=61)
    assert plan_offers(later) == 1  # Fern's hold lapsed: Gus is offered the time
    (fern_hold,) = offers_to(first)
    (gus_hold,) = offers_to(second)
    fern_hold.refresh_from_db()
    assert fern_hold.status == Status.EXPIRED  # marked under the booking locks when Gus's hold took the time
    first.refresh_from_db()
    assert first.status == WaitlistStatus.WAITING  # still waiting for other times

    confirm_booking(appointment=gus_hold, now=later + timedelta(minutes=5))
    with pytest.raises(PolicyRefused):
        confirm_booking(appointment=fern_hold, now=later + timedelta(minutes=6))
    second.refresh_from_db()
    assert second.status == WaitlistStatus.BOOKED
    assert WaitlistOpening.objects.get().status == OpeningStatus.FILLED
    assert plan_offers(later + timedelta(hours=2)) == 0
    booked = Appointment.objects.filter(start=VISIT, status__in=[Status.BOOKED, Status.HELD])
    assert [(a.client.email, a.status) for a in booked] == [("gus@example.test", Status.BOOKED)]


def test_a_lapsed_offer_nobody_else_took_can_still_be_claimed(cast: Cast) -> None:
    only = waiting(cast, "Fern")
    cancelled_visit(cast)
    plan_offers(NOW)
    (held,) = offers_to(only)
    assert plan_offers(NOW + timedelta(minutes=90)) == 0  # nobody else suits
    confirm_booking(appointment=held, now=NOW + timedelta(minutes=95))
    only.refresh_from_db()
    assert only.status == WaitlistStatus.BOOKED


def test_while_an_offer_is_held_nobody_else_can_book_the_time(cast: Cast) -> None:
    waiting(cast, "Fern")
    cancelled_visit(cast)
    plan_offers(NOW)
    with pytest.raises(SlotTaken):
        book_appointment(
            practice=cast.tidewater,
            service=cast.session,
            practitioner=cast.ana,
            start=VISIT,
            client=ClientDetails("Ida", "Lee", "ida@example.test"),
            now=NOW + timedelta(minutes=1),
        )


@pytest.mark.parametrize(
    "overrides",
    [
        {"weekdays": "0156"},  # not on Thursdays
        {"time_from": time(11)},  # 10:00 is too early
        {"time_to": time(10, 30)},  # ends after 10:30
        {"earliest": date(2027, 4, 9)},
        {"latest": date(2027, 4, 7)},
    ],
)
def test_a_time_is_offered_only_to_those_whose_days_and_times_it_suits(cast: Cast, overrides: dict[str, Any]) -> None:
    entry = waiting(cast, "Fern", **overrides)
    cancelled_visit(cast)
    assert plan_offers(NOW) == 0
    assert offers_to(entry) == []


def test_another_practitioners_waitlist_and_left_or_unconfirmed_entries_are_passed_over(cast: Cast) -> None:
    from longtide.practice.models import Practitioner

    bea = Practitioner.objects.create(practice=cast.tidewater, display_name="Bea Ness", slug="bea", style="biodynamic")
    cast.session.practitioners.add(bea)
    waiting(cast, "Hal", practitioner=bea, now=NOW - timedelta(days=3))
    left = waiting(cast, "Ivy", now=NOW - timedelta(days=2))
    WaitlistEntry.objects.filter(pk=left.pk).update(status=WaitlistStatus.LEFT)
    WaitlistEntry.objects.create(
        practice=cast.tidewater,
        service=cast.session,
        first_name="Uma",
        last_name="U",
        email="uma@example.test",
        earliest=date(2027, 4, 5),
        latest=date(2027, 4, 30),
        weekdays="0123456",
        time_from=time(6),
        time_to=time(22),
        nonce="n",
        token_hash="h",
    )  # unconfirmed
    anyone = waiting(cast, "Jo", now=NOW - timedelta(days=1))
    cancelled_visit(cast)
    assert plan_offers(NOW) == 1
    assert [a.client.email for a in Appointment.objects.filter(source=Source.WAITLIST)] == ["jo@example.test"]
    assert offers_to(anyone)


def test_a_time_rebooked_another_way_closes_the_opening_and_a_near_time_is_not_offered(cast: Cast) -> None:
    waiting(cast, "Fern")
    cancelled_visit(cast)
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=VISIT,
        client=ClientDetails("Ida", "Lee", "ida@example.test"),
        source=Source.STAFF,
        now=NOW,
    )
    assert plan_offers(NOW) == 0
    assert WaitlistOpening.objects.get().status == OpeningStatus.CLOSED
    soon = NOW + timedelta(hours=6)  # inside the practice's 12 hours' notice: not offered at all
    cancelled_visit(cast, start=soon)
    assert not WaitlistOpening.objects.filter(start=soon).exists()


def test_an_opening_nobody_took_closes_when_it_comes_too_near_to_offer(cast: Cast) -> None:
    cancelled_visit(cast)
    assert plan_offers(NOW) == 0  # nobody waiting yet: it stays open for anyone who joins
    assert WaitlistOpening.objects.get().status == OpeningStatus.OPEN
    waiting(cast, "Fern")
    assert plan_offers(VISIT - timedelta(hours=11)) == 0
    opening = WaitlistOpening.objects.get()
    assert (opening.status, opening.reason) == (OpeningStatus.CLOSED, "too near to offer")


def test_entries_end_when_their_dates_pass(cast: Cast) -> None:
    entry = waiting(cast, "Fern", latest=date(2027, 4, 6))
    plan_offers(datetime(2027, 4, 8, 9, tzinfo=NEW_YORK))
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.ENDED


# -- joining online -----------------------------------------------------------------------------


def form(cast: Cast, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": "cst-60",
        "practitioner": "",
        "earliest": "2027-04-05",
        "latest": "2027-04-30",
        "weekdays": ["1", "3"],
        "time_from": "09:00",
        "time_to": "13:00",
        "first_name": "Nia",
        "last_name": "Stone",
        "email": "nia@example.test",
        "phone": "",
        "form_key": "k" * 30,
    }
    data.update(overrides)
    return data


def test_joining_online_looks_the_same_for_a_client_and_a_stranger_and_changes_no_client(cast: Cast) -> None:
    seen = {}
    for email in ("cleo@example.test", "stranger@example.test"):
        with transaction.atomic():
            clients = list(Client.objects.values_list("pk", "first_name", "last_name", "email", "phone"))
            response = HttpClient().post("/p/tidewater/waitlist/", form(cast, email=email), follow=True)
            message = Message.objects.get(purpose="waitlist.confirm")
            seen[email] = (
                response.status_code,
                response.redirect_chain,
                response.content.decode(),
                message.subject,
                message.body_text,
            )
            assert message.recipient == email
            assert list(Client.objects.values_list("pk", "first_name", "last_name", "email", "phone")) == clients
            assert WaitlistEntry.objects.get().status == WaitlistStatus.UNCONFIRMED
            transaction.set_rollback(True)
    assert seen["cleo@example.test"] == seen["stranger@example.test"]
    status, chain, page, _subject, body = seen["cleo@example.test"]
    assert (status, chain) == (200, [("/p/tidewater/waitlist/sent/", 302)])
    assert "Check your email to confirm" in page
    # the email and the page name nobody
    assert "Nia" not in without_random_keys(page) and "Nia" not in without_random_keys(body)
    assert "[[waitlist_url]]" in body


def test_joining_is_limited_per_email_address_like_online_bookings(cast: Cast) -> None:
    cast.tidewater.online_bookings_per_email_per_day = 2
    cast.tidewater.save()
    http = HttpClient()
    for n in range(2):
        assert http.post("/p/tidewater/waitlist/", form(cast, form_key=f"{n}" * 30)).status_code == 302
    refused = http.post("/p/tidewater/waitlist/", form(cast, form_key="x" * 30))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "has asked to join the waitlist at Tidewater Craniosacral as often as it may in a day" in page
    assert 'value="Stone"' in page
    assert WaitlistEntry.objects.count() == 2
    # Another address is not affected.
    assert http.post("/p/tidewater/waitlist/", form(cast, email="o@example.test", form_key="y" * 30)).status_code == 302


def test_the_same_form_sent_twice_joins_once(cast: Cast) -> None:
    http = HttpClient()
    http.post("/p/tidewater/waitlist/", form(cast))
    http.post("/p/tidewater/waitlist/", form(cast))
    assert WaitlistEntry.objects.count() == 1
    assert Message.objects.filter(purpose="waitlist.confirm").count() == 1


def test_the_same_form_sent_again_changed_is_a_request_of_its_own(cast: Cast) -> None:
    """Found by a review: a resend with a corrected address was answered "check your email", and
    nothing changed: the confirmation went only to the mistyped address."""
    http = HttpClient()
    assert http.post("/p/tidewater/waitlist/", form(cast, email="nia@exmaple.test")).status_code == 302
    assert http.post("/p/tidewater/waitlist/", form(cast)).status_code == 302
    assert http.post("/p/tidewater/waitlist/", form(cast)).status_code == 302  # the corrected one, twice: once
    assert sorted(WaitlistEntry.objects.values_list("email", flat=True)) == ["nia@example.test", "nia@exmaple.test"]
    sent = Message.objects.filter(purpose="waitlist.confirm").values_list("recipient", flat=True)
    assert sorted(sent) == ["nia@example.test", "nia@exmaple.test"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"earliest": "2027-04-01"}, "Choose a first day from today on."),
        ({"latest": "2027-04-04", "earliest": "2027-04-06"}, "The last day must be on or after the first day."),
        ({"latest": "9999-12-31"}, "The waitlist looks up to 90 days ahead"),
        ({"weekdays": []}, "This field is required."),
        ({"weekdays": ["9"]}, "Select a valid choice."),
        ({"time_to": "09:00"}, "The latest end must be after the earliest start."),
        ({"time_to": "09:30"}, "CST session lasts 60 minutes"),
        ({"first_name": "Ni\x00a"}, "Null characters are not allowed."),
        ({"service": "nope"}, "Select a valid choice."),
        ({"practitioner": "9" * 20}, "Select a valid choice."),
        ({"email": "not-an-address"}, "Enter an email address like name@example.com."),
        ({"earliest": "2027-02-30"}, "Enter a valid date."),
    ],
)
def test_bad_wishes_are_explained_and_what_was_typed_is_kept(cast: Cast, overrides: dict[str, str], error: str) -> None:
    response = HttpClient().post("/p/tidewater/waitlist/", form(cast, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page.replace("&#x27;", "'")
    assert 'value="Stone"' in page
    assert WaitlistEntry.objects.count() == 0


def test_the_emailed_link_confirms_the_place_and_leaves_the_list(cast: Cast) -> None:
    HttpClient().post("/p/tidewater/waitlist/", form(cast))
    with time_machine.travel(NOW, tick=False):
        deliver_due()
    (sent,) = mail.outbox
    link = re.search(r"http://[^\s]+/p/tidewater/waitlist/([A-Za-z0-9_-]+)/", str(sent.body))
    assert link is not None
    path = f"/p/tidewater/waitlist/{link.group(1)}/"
    http = HttpClient()
    page = http.get(path).content.decode()
    assert "Please confirm your place on the waitlist" in page
    assert "CST session with any practitioner, Tue, Thu, 9:00 AM–1:00 PM" in page
    # The days' names follow the practice's locale (CLDR, as its dates do), not a fixed English list.
    cast.tidewater.locale = "fr-FR"
    cast.tidewater.save(update_fields=["locale"])
    assert ", mar., jeu., " in wishes_text(WaitlistEntry.objects.select_related("service__practice").get())
    cast.tidewater.locale = "en-US"
    cast.tidewater.save(update_fields=["locale"])
    http.post(path + "confirm/")
    entry = WaitlistEntry.objects.get()
    assert (entry.status, entry.queued_at) == (WaitlistStatus.WAITING, NOW)
    http.post(path + "leave/")
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    assert http.get("/p/tidewater/waitlist/not-a-token/").status_code == 404
    assert http.get(f"/p/harbour/waitlist/{link.group(1)}/").status_code == 404
    assert http.get(path + "confirm/").status_code == 405


def test_a_confirmation_email_is_not_sent_once_the_place_is_confirmed_or_left(cast: Cast) -> None:
    HttpClient().post("/p/tidewater/waitlist/", form(cast))
    confirm_place(WaitlistEntry.objects.get())
    deliver_due()
    assert mail.outbox == []
    assert Message.objects.get().status == "withdrawn" or Message.objects.get().status == "failed"


# -- staff -------------------------------------------------------------------------------------


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_front_desk_sees_the_queue_adds_someone_and_removes_someone(cast: Cast) -> None:
    fern = waiting(cast, "Fern")
    cancelled_visit(cast)
    plan_offers(NOW)
    ben = signed_in(cast.ben_user)
    page = ben.get("/staff/tidewater/waitlist/").content.decode()
    assert "Fern Waiter" in page and "fern@example.test" in page
    assert "held until Monday 5 April 2027, 10:00 AM EDT" in page
    assert "since 5 Apr, 9:00 AM" in page  # in the clinic's time
    data = form(cast, email="kai@example.test", first_name="Kai")
    assert ben.post("/staff/tidewater/waitlist/", data).status_code == 302
    assert ben.post("/staff/tidewater/waitlist/", data).status_code == 302  # the same form again: once
    kai = WaitlistEntry.objects.get(email="kai@example.test")
    assert (kai.status, kai.source) == (WaitlistStatus.WAITING, Source.STAFF)
    assert ben.post(f"/staff/tidewater/waitlist/{fern.pk}/remove/").status_code == 302
    fern.refresh_from_db()
    assert fern.status == WaitlistStatus.LEFT
    (held,) = offers_to(fern)
    assert held.status == Status.EXPIRED  # leaving released the time held for her
    bad = ben.post("/staff/tidewater/waitlist/", form(cast, latest="9999-01-01", form_key="z" * 30))
    assert bad.status_code == 400
    assert "The waitlist looks up to 90 days ahead" in bad.content.decode()


def test_another_practices_entry_is_a_404(cast: Cast) -> None:
    theirs = add_by_staff(
        practice=cast.harbour,
        wishes=Wishes(cast.harbour_session, None, date(2027, 4, 5), date(2027, 4, 30), "01234", time(9), time(17)),
        details=ClientDetails("Hal", "H", "hal@example.test"),
        by=None,
        now=NOW,
    )
    olga = signed_in(cast.olga_user)
    assert olga.post(f"/staff/tidewater/waitlist/{theirs.pk}/remove/").status_code == 404
    assert olga.post("/staff/tidewater/waitlist/99999999999999999999/remove/").status_code == 404
    assert "Hal" not in without_random_keys(olga.get("/staff/tidewater/waitlist/?show=all").content.decode())


def test_a_client_whose_lapsed_offer_was_taken_is_told_once_that_it_has_gone(cast: Cast) -> None:
    first = waiting(cast, "Fern", now=NOW - timedelta(days=2))
    second = waiting(cast, "Gus", now=NOW - timedelta(days=1))
    cancelled_visit(cast)
    plan_offers(NOW)
    later = NOW + timedelta(minutes=61)
    plan_offers(later)  # Fern's hold lapsed: Gus's hold takes the time and lets Fern's go
    (fern_hold,) = offers_to(first)
    (gus_hold,) = offers_to(second)
    plan_offers(later + timedelta(minutes=1))
    (gone,) = Message.objects.filter(purpose="waitlist.gone")
    assert gone.recipient == "fern@example.test" and gone.about == f"appointment:{fern_hold.pk}"
    assert "someone else has now booked it" in gone.body_text and "Thursday 8 April 2027" in gone.body_text
    # no link, no names
    assert "[[manage_url]]" not in gone.body_text and "Gus" not in without_random_keys(gone.body_text)
    plan_offers(later + timedelta(minutes=2))
    assert Message.objects.filter(purpose="waitlist.gone").count() == 1  # told once
    # Gus, who holds the time, and a hold its client released are not told anything.
    assert not Message.objects.filter(purpose="waitlist.gone", about=f"appointment:{gus_hold.pk}").exists()


def test_a_released_offer_is_not_told_it_has_gone(cast: Cast) -> None:
    from longtide.scheduling.booking import release_hold

    fern = waiting(cast, "Fern", now=NOW - timedelta(days=2))
    waiting(cast, "Gus", now=NOW - timedelta(days=1))
    cancelled_visit(cast)
    plan_offers(NOW)
    (fern_hold,) = offers_to(fern)
    release_hold(appointment=fern_hold, now=NOW + timedelta(minutes=5))
    plan_offers(NOW + timedelta(minutes=6))  # the time goes to Gus
    plan_offers(NOW + timedelta(minutes=7))
    assert not Message.objects.filter(purpose="waitlist.gone").exists()


def test_destroying_the_record_of_who_cancelled_keeps_the_offers_made_to_others(cast: Cast) -> None:
    """Retention destroys a client's whole record, their cancelled visit included; the opening that
    visit freed and the offers made from it belong to the people on the waitlist: they stay."""
    from longtide.records.retention import Candidate, Verdict, destroy

    fern = waiting(cast, "Fern", now=NOW - timedelta(days=2))
    visit = cancelled_visit(cast)
    assert plan_offers(NOW) == 1
    (held,) = offers_to(fern)
    opening = WaitlistOpening.objects.get()

    destroy(
        cast.tidewater,
        Candidate(visit.client_id, date(2019, 1, 1), date(2025, 1, 1), Verdict.DUE),
        rule_key="new_york",
        now=NOW,
    )

    assert not Appointment.objects.filter(pk=visit.pk).exists()
    assert offers_to(fern) == [held]
    opening.refresh_from_db()
    assert (opening.freed_by_id, opening.start, opening.status) == (None, VISIT, OpeningStatus.OPEN)
