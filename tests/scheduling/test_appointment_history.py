"""The rules for changing an appointment (Appointment.can_* and the actions that re-check them under
the row lock) and its history (AppointmentEvent), recorded in the change's own transaction on every
path: staff pages, online booking, the manage link, the API, waitlist offers and the system. On the
real database (SQLite or PostgreSQL per DATABASE_URL).

Tidewater's cancellation window is 24 hours. The clock is frozen at Tuesday 1 December 2026, 7:00
in New York; the visit is Thursday 3 December at 10:00 (51 hours ahead)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.scheduling.booking import (
    ClientDetails,
    book_appointment,
    cancel_appointment,
    confirm_booking,
    mark_appointment,
    move_appointment,
)
from longtide.scheduling.booking_rules import BookingError, PolicyRefused, SlotTaken
from longtide.scheduling.history import ChangedBy
from longtide.scheduling.models import Appointment, AppointmentEvent, Source, Status
from longtide.scheduling.waitlist import Wishes, add_by_staff, leave, plan_offers
from longtide.web.times import slot_value

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday 07:00 in New York
VISIT = datetime(2026, 12, 3, 10, 0, tzinfo=NEW_YORK)
INSIDE_WINDOW = VISIT - timedelta(hours=5)
CLEO = ClientDetails("Cleo", "Park", "cleo@example.test")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def staff_booked(cast: Cast, start: datetime = VISIT, client: ClientDetails = CLEO) -> Appointment:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=client,
        source=Source.STAFF,
        by=cast.ben_user,
    ).appointment


def events(appointment: Appointment) -> list[tuple[str, str, str]]:
    return [(e.kind, e.channel, e.by_name) for e in AppointmentEvent.objects.filter(appointment=appointment)]


# -- the rules -----------------------------------------------------------------------------------


def test_the_rules_follow_the_status_the_window_and_the_start(cast: Cast) -> None:
    visit = staff_booked(cast)
    early, inside, started = NOW, INSIDE_WINDOW, VISIT + timedelta(minutes=1)
    assert visit.can_move(early) and visit.can_cancel(early) and not visit.can_late_cancel(early)
    assert visit.can_move(early, by_client=True) and visit.can_cancel(early, by_client=True)
    assert not visit.can_mark(early)
    # Inside the window: staff still move and cancel, the client online no longer; a late
    # cancellation is now possible.
    assert visit.can_move(inside) and visit.can_cancel(inside) and visit.can_late_cancel(inside)
    assert not visit.can_move(inside, by_client=True) and not visit.can_cancel(inside, by_client=True)
    assert not visit.can_mark(inside)
    # Once it has started: only marking.
    assert not visit.can_move(started) and not visit.can_cancel(started) and not visit.can_late_cancel(started)
    assert visit.can_mark(started) and visit.can_mark(VISIT)
    assert visit.allowed_actions(started) == {"move": False, "cancel": False, "late_cancel": False, "mark": True}
    # The window's edge: exactly 24 hours before is still outside it (the client may change it).
    edge = VISIT - timedelta(hours=24)
    assert visit.can_cancel(edge, by_client=True) and not visit.can_late_cancel(edge)
    assert visit.can_late_cancel(edge + timedelta(seconds=1))


def test_a_cancelled_appointment_allows_nothing(cast: Cast) -> None:
    visit = cancel_appointment(appointment=staff_booked(cast), by_client=False, decided_by="client", reason="Moved")
    for moment in (NOW, INSIDE_WINDOW, VISIT + timedelta(hours=1)):
        assert visit.allowed_actions(moment) == {"move": False, "cancel": False, "late_cancel": False, "mark": False}
    refusal = visit.mark_refusal(VISIT)
    assert refusal is not None and refusal.code == "not_markable"


def test_a_late_cancellation_is_refused_outside_the_window_and_after_the_start(
    cast: Cast, frozen: time_machine.Traveller
) -> None:
    visit = staff_booked(cast)
    with pytest.raises(PolicyRefused) as outside:
        cancel_appointment(appointment=visit, by_client=False, late=True, reason="Phoned")
    assert outside.value.code == "outside_window"
    assert "inside the 24-hour cancellation window" in outside.value.message
    frozen.move_to(VISIT + timedelta(minutes=5))
    with pytest.raises(PolicyRefused) as started:
        cancel_appointment(appointment=visit, by_client=False, late=True, reason="Phoned")
    assert started.value.code == "started"
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED and not visit.events.exists()


def test_a_started_appointment_is_neither_moved_nor_cancelled(cast: Cast, frozen: time_machine.Traveller) -> None:
    visit = staff_booked(cast)
    frozen.move_to(VISIT + timedelta(minutes=5))
    with pytest.raises(PolicyRefused) as moved:
        move_appointment(appointment=visit, start=VISIT + timedelta(days=1), by_client=False)
    with pytest.raises(PolicyRefused) as cancelled:
        cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="Ill")
    assert moved.value.code == cancelled.value.code == "started"
    assert "mark it completed or no-show" in moved.value.message


def test_staff_cancellations_need_a_reason_and_who_decided(cast: Cast) -> None:
    visit = staff_booked(cast)
    with pytest.raises(BookingError) as no_reason:
        cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="  \n ")
    assert (no_reason.value.code, no_reason.value.field) == ("reason_required", "reason")
    with pytest.raises(BookingError) as no_decider:
        cancel_appointment(appointment=visit, by_client=False, reason="Ill")
    assert no_decider.value.code == "decided_by_required"
    with pytest.raises(BookingError) as long_reason:
        cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="x" * 301)
    assert long_reason.value.code == "reason_too_long"
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED


def test_marking_waits_for_the_start(cast: Cast, frozen: time_machine.Traveller) -> None:
    visit = staff_booked(cast)
    with pytest.raises(PolicyRefused) as early:
        mark_appointment(appointment=visit, status=Status.NO_SHOW)
    assert early.value.code == "not_started"
    frozen.move_to(VISIT)
    seen = visit.version
    assert mark_appointment(appointment=visit, status=Status.NO_SHOW, by=ChangedBy.staff(cast.ben_user), seen=seen)
    # A double submit from the same page (its `seen` now stale): nothing to do, no event, no refusal.
    assert not mark_appointment(appointment=visit, status=Status.NO_SHOW, by=ChangedBy.staff(cast.ben_user), seen=seen)
    mark_appointment(
        appointment=visit, status=Status.COMPLETED, by=ChangedBy.staff(cast.olga_user), treatment_consent=True
    )
    marks = list(visit.events.values_list("kind", "from_status", "to_status", "by_name"))
    assert marks == [("no_show", "booked", "no_show", "ben"), ("completed", "no_show", "completed", "olga")]


def test_a_change_from_a_page_someone_else_overtook_is_refused(cast: Cast) -> None:
    visit = staff_booked(cast)
    seen = visit.version
    move_appointment(appointment=visit, start=VISIT + timedelta(hours=2), by_client=False)
    with pytest.raises(PolicyRefused) as stale:
        cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="Ill", seen=seen)
    assert stale.value.code == "changed_meanwhile"
    with pytest.raises(PolicyRefused):
        move_appointment(appointment=visit, start=VISIT + timedelta(hours=4), by_client=False, seen=seen)
    visit.refresh_from_db()
    assert (visit.status, visit.start) == (Status.BOOKED, VISIT + timedelta(hours=2))
    cancel_appointment(appointment=visit, by_client=False, decided_by="clinic", reason="Ill", seen=visit.version)
    assert visit.status == Status.CANCELLED_CLINIC


# -- the history, path by path -------------------------------------------------------------------


def test_staff_booking_moving_and_cancelling_are_recorded_with_who_what_and_why(cast: Cast) -> None:
    visit = staff_booked(cast)
    later = VISIT + timedelta(days=1, hours=3)
    move_appointment(
        appointment=visit, start=later, by_client=False, by=ChangedBy.staff(cast.olga_user), reason="Asked by phone"
    )
    cancel_appointment(
        appointment=visit,
        by_client=False,
        decided_by="client",
        reason="  Flu,\n staying home ",
        by=ChangedBy.staff(cast.ben_user),
    )
    # The booking itself is the appointment's own row (no event: a booking stays within its statements).
    assert (visit.created_by, visit.source) == (cast.ben_user, Source.STAFF)
    moved, cancelled = AppointmentEvent.objects.filter(appointment=visit)
    assert (moved.kind, moved.by_name, moved.from_start, moved.to_start) == ("moved", "olga", VISIT, later)
    assert (moved.from_practitioner, moved.to_practitioner, moved.reason) == (cast.ana, cast.ana, "Asked by phone")
    assert (cancelled.kind, cancelled.decided_by, cancelled.reason) == ("cancelled", "client", "Flu, staying home")
    assert (cancelled.from_status, cancelled.to_status) == (Status.BOOKED, Status.CANCELLED_CLIENT)
    assert visit.status == Status.CANCELLED_CLIENT


def test_a_late_cancellation_is_the_clients_and_recorded_as_late(cast: Cast, frozen: time_machine.Traveller) -> None:
    visit = staff_booked(cast)
    frozen.move_to(INSIDE_WINDOW)
    cancel_appointment(
        appointment=visit, by_client=False, late=True, decided_by="clinic", reason="Overslept", by=ChangedBy.staff(None)
    )
    event = visit.events.get(kind="late_cancelled")
    assert (event.decided_by, event.reason, event.to_status) == ("client", "Overslept", Status.LATE_CANCELLED)


def test_online_booking_confirming_and_the_manage_link_are_the_clients(client: HttpClient, cast: Cast) -> None:
    booked = book_appointment(
        practice=cast.tidewater, service=cast.session, practitioner=cast.ana, start=VISIT, client=CLEO
    )
    visit, token = booked.appointment, booked.manage_token
    assert client.post(f"/p/tidewater/manage/{token}/confirm/").status_code == 302
    later = VISIT + timedelta(days=1)
    moved = client.post(f"/p/tidewater/manage/{token}/reschedule/", {"slot": slot_value(later, cast.ana.pk)})
    assert moved.status_code == 302
    assert client.post(f"/p/tidewater/manage/{token}/cancel/").status_code == 302
    assert events(visit) == [
        ("confirmed", "manage_link", ""),
        ("moved", "manage_link", ""),
        ("cancelled", "manage_link", ""),
    ]
    cancelled = visit.events.get(kind="cancelled")
    assert (cancelled.decided_by, cancelled.to_status) == ("client", Status.CANCELLED_CLIENT)


def test_the_api_paths_are_recorded_as_the_api(client: HttpClient, cast: Cast) -> None:
    answer = client.post(
        "/api/v1/p/tidewater/bookings",
        {
            "service": cast.session.pk,
            "practitioner": cast.ana.pk,
            "start": VISIT.isoformat(),
            "client": {"first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "phone": ""},
        },
        content_type="application/json",
    )
    assert answer.status_code == 201
    visit = Appointment.objects.get()
    token = book_token(visit)
    assert client.post(f"/api/v1/bookings/{token}/confirm").status_code == 200
    managed = client.post(f"/api/v1/bookings/{token}/cancel")
    assert managed.status_code == 200 and managed.json()["can_change_online"] is False
    assert events(visit) == [("confirmed", "api", ""), ("cancelled", "api", "")]


def book_token(appointment: Appointment) -> str:
    from longtide.scheduling.manage_links import token_for

    token = token_for(appointment)
    assert token
    return token


def test_a_waitlist_offer_and_its_release_are_recorded(cast: Cast) -> None:
    entry = add_by_staff(
        practice=cast.tidewater,
        wishes=Wishes(
            service=cast.session,
            practitioner=None,
            earliest=NOW.date(),
            latest=NOW.date() + timedelta(days=20),
            weekdays="0123456",
            time_from=VISIT.astimezone(NEW_YORK).time().replace(hour=9),
            time_to=VISIT.astimezone(NEW_YORK).time().replace(hour=13),
        ),
        details=ClientDetails("Fern", "Waiter", "fern@example.test"),
        by=None,
        now=NOW,
    )
    cancel_appointment(appointment=staff_booked(cast), by_client=False, decided_by="clinic", reason="Ana ill")
    assert plan_offers(NOW) == 1
    offer = Appointment.objects.get(source=Source.WAITLIST)
    leave(entry, by=ChangedBy.staff(cast.ben_user))
    assert events(offer) == [("released", "staff", "ben")]
    assert offer.events.get(kind="released").reason == "Left the waitlist."


def test_a_lapsed_hold_let_go_for_another_booking_is_recorded_as_the_systems(
    cast: Cast, frozen: time_machine.Traveller
) -> None:
    held = book_appointment(
        practice=cast.tidewater, service=cast.session, practitioner=cast.ana, start=VISIT, client=CLEO
    ).appointment
    frozen.move_to(NOW + timedelta(hours=3))  # the two-hour hold has lapsed
    staff_booked(cast, client=ClientDetails("Di", "Okoro", "di@example.test"))
    assert events(held) == [("expired", "system", "")]
    assert held.events.get(kind="expired").to_status == Status.EXPIRED


def test_signing_the_session_note_records_the_visit_completed_by_its_practitioner(
    cast: Cast, frozen: time_machine.Traveller
) -> None:
    from longtide.audit.trail import Actor

    visit = staff_booked(cast)
    frozen.move_to(VISIT + timedelta(hours=1))
    ana = Actor(cast.ana_user, "practitioner")
    note = start_note(visit, by=ana, now=VISIT + timedelta(hours=1))
    fields = {
        "consent_confirmed": True,
        "areas_agreed": "Feet, sacrum, neck and head",
        "position": "supine",
        "subjective": "Neck stiff after a long week at the desk.",
        "regions": ["neck", "head"],
        "holds": ["still_point_cv4"],
        "assessment": "Reported feeling looser at the end.",
        "plan": "Next session in two weeks.",
    }
    note = save_draft(note, fields, revision=0, by=ana)
    sign_note(note, by=ana, now=VISIT + timedelta(hours=1), consents_on_file=frozenset({"treatment"}))
    visit.refresh_from_db()
    assert visit.status == Status.COMPLETED
    event = visit.events.last()
    assert event is not None
    assert (event.kind, event.channel, event.by_user, event.reason) == (
        "completed",
        "staff",
        cast.ana_user,
        "The session note was signed.",
    )


def test_a_change_that_fails_records_nothing(cast: Cast) -> None:
    visit = staff_booked(cast)
    other = staff_booked(cast, start=VISIT + timedelta(hours=3), client=ClientDetails("Di", "Okoro", "di@x.test"))
    with pytest.raises(SlotTaken):
        move_appointment(appointment=visit, start=other.start, by_client=False)
    assert events(visit) == []


def test_the_history_is_never_edited_or_deleted_on_its_own(cast: Cast) -> None:
    visit = staff_booked(cast)
    move_appointment(appointment=visit, start=VISIT + timedelta(hours=2), by_client=False)
    event = visit.events.get()
    event.reason = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    event.refresh_from_db()
    assert event.reason == ""


def test_confirming_a_booking_records_it_in_the_same_transaction(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    held = book_appointment(
        practice=cast.tidewater, service=cast.session, practitioner=cast.ana, start=VISIT, client=CLEO
    ).appointment

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr("longtide.scheduling.booking.queue_booking_message", broken)
    with pytest.raises(BookingError):
        confirm_booking(appointment=held)
    held.refresh_from_db()
    assert held.status == Status.HELD and events(held) == []
