"""A move racing a cancellation (or a mark) never revives the cancelled appointment.

Each side runs in its own thread with its own database connection (SQLite file or PostgreSQL,
whichever DATABASE_URL names). In the first tests the move is held just after it has found its
new time and before it takes any lock, and the cancellation commits then: the move used to go on
with the copy it had read, save the whole row (status "booked" included) and queue a
"rescheduled" email for a cancelled visit. The free-running race then repeats both orders many
times and checks what must hold whichever wins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from conftest import Cast
from longtide.notifications.models import Message
from longtide.scheduling import booking
from longtide.scheduling.booking import (
    ClientDetails,
    book_appointment,
    cancel_appointment,
    mark_appointment,
    move_appointment,
)
from longtide.scheduling.booking_rules import BookingError
from longtide.scheduling.models import Appointment, Source, Status

pytestmark = pytest.mark.usefixtures("transactional_db")

WAIT = 30.0


def future(cast: Cast, days: int, hour: int) -> datetime:
    zone = cast.location.zone
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=zone)


def booked(cast: Cast, start: datetime) -> Appointment:
    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=start,
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment


def purposes(appointment: Appointment) -> list[str]:
    about = f"appointment:{appointment.pk}"
    return list(Message.objects.filter(about=about).order_by("pk").values_list("purpose", flat=True))


def in_thread(name: str, action: Callable[[], object], outcomes: dict[str, str]) -> threading.Thread:
    def run() -> None:
        try:
            action()
            outcomes[name] = "done"
        except BookingError as error:
            outcomes[name] = error.code
        except BaseException as error:  # reported by the test, never lost in a thread
            outcomes[name] = f"raised {error!r}"
        finally:
            connection.close()

    return threading.Thread(target=run, name=name)


def hold_the_move_after_its_search(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The mover stops once it has found the new time (its checks done, no lock taken yet)."""
    searched, go_on = threading.Event(), threading.Event()
    original = booking._slot_at

    def held(**kwargs: Any) -> Any:
        found = original(**kwargs)
        if threading.current_thread().name == "mover" and not searched.is_set():
            searched.set()
            go_on.wait(WAIT)
        return found

    monkeypatch.setattr(booking, "_slot_at", held)
    return searched, go_on


@pytest.mark.parametrize("by_client", [False, True], ids=["staff-move", "client-move"])
def test_a_move_held_while_the_clinic_cancels_does_not_revive_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, by_client: bool
) -> None:
    appointment = booked(cast, future(cast, 3, 10))
    stale = Appointment.objects.select_related("practice", "service").get(pk=appointment.pk)
    searched, go_on = hold_the_move_after_its_search(monkeypatch)
    outcomes: dict[str, str] = {}

    mover = in_thread(
        "mover",
        lambda: move_appointment(appointment=stale, start=future(cast, 3, 14), by_client=by_client),
        outcomes,
    )
    mover.start()
    assert searched.wait(WAIT), outcomes
    canceller = in_thread(
        "canceller",
        lambda: cancel_appointment(
            appointment=Appointment.objects.get(pk=appointment.pk),
            by_client=False,
            decided_by="clinic",
            reason="Practitioner ill",
        ),
        outcomes,
    )
    canceller.start()
    canceller.join(WAIT)
    go_on.set()
    mover.join(WAIT)

    assert outcomes == {"canceller": "done", "mover": "not_booked"}
    final = Appointment.objects.get(pk=appointment.pk)
    assert final.status == Status.CANCELLED_CLINIC
    assert final.start == appointment.start and final.sequence == 0  # the move wrote nothing
    assert purposes(final) == ["booking.confirmation", "booking.cancelled"]
    assert stale.status == Status.CANCELLED_CLINIC  # the caller's copy is told what happened


def test_a_move_held_while_the_visit_is_marked_keeps_the_mark(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """Marking needs a started visit and moving a future one, so a stale copy is the risk: the move
    that read "booked" must not undo a mark (here forced by writing the status directly)."""
    appointment = booked(cast, future(cast, 3, 10))
    stale = Appointment.objects.select_related("practice", "service").get(pk=appointment.pk)
    searched, go_on = hold_the_move_after_its_search(monkeypatch)
    outcomes: dict[str, str] = {}
    mover = in_thread(
        "mover", lambda: move_appointment(appointment=stale, start=future(cast, 3, 14), by_client=False), outcomes
    )
    mover.start()
    assert searched.wait(WAIT), outcomes
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.NO_SHOW)
    go_on.set()
    mover.join(WAIT)
    assert outcomes == {"mover": "not_booked"}
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW
    assert "booking.rescheduled" not in purposes(appointment)


def test_marking_a_stale_copy_of_a_cancelled_visit_is_refused(cast: Cast) -> None:
    appointment = booked(cast, future(cast, 3, 10))
    stale = Appointment.objects.get(pk=appointment.pk)
    cancel_appointment(
        appointment=Appointment.objects.get(pk=appointment.pk),
        by_client=False,
        decided_by="clinic",
        reason="Practitioner ill",
    )
    later = appointment.start + timedelta(hours=2)
    with pytest.raises(BookingError) as refused:
        mark_appointment(appointment=stale, status=Status.NO_SHOW, now=later)
    assert (refused.value.code, refused.value.message) == ("not_markable", "A cancelled appointment cannot be marked.")
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED_CLINIC


def test_marking_writes_only_the_status(cast: Cast) -> None:
    appointment = booked(cast, future(cast, 3, 10))
    stale = Appointment.objects.get(pk=appointment.pk)
    Appointment.objects.filter(pk=appointment.pk).update(note="written meanwhile")
    mark_appointment(
        appointment=stale, status=Status.COMPLETED, now=appointment.start + timedelta(minutes=5), treatment_consent=True
    )
    fresh = Appointment.objects.get(pk=appointment.pk)
    assert (fresh.status, fresh.note) == (Status.COMPLETED, "written meanwhile")
    with pytest.raises(BookingError) as refused:
        mark_appointment(appointment=fresh, status=Status.NO_SHOW, now=appointment.start - timedelta(minutes=5))
    assert refused.value.code == "not_started"


ROUNDS = 8


def test_free_race_between_move_and_cancel_always_ends_cancelled(cast: Cast) -> None:
    """Both start together at a barrier, round after round: whichever wins, the visit ends cancelled,
    and a "rescheduled" message exists only when the move committed before the cancellation."""
    seen: dict[str, int] = {}
    for round_ in range(ROUNDS):
        appointment = booked(cast, future(cast, 4 + round_, 10))
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def move(pk: int = appointment.pk, day: int = 4 + round_, barrier: threading.Barrier = barrier) -> None:
            copy = Appointment.objects.select_related("practice", "service").get(pk=pk)
            barrier.wait(WAIT)
            move_appointment(appointment=copy, start=future(cast, day, 14), by_client=False)

        def cancel(pk: int = appointment.pk, barrier: threading.Barrier = barrier) -> None:
            copy = Appointment.objects.get(pk=pk)
            barrier.wait(WAIT)
            cancel_appointment(appointment=copy, by_client=False, decided_by="clinic", reason="Practitioner ill")

        threads = [in_thread("mover", move, outcomes), in_thread("canceller", cancel, outcomes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        assert outcomes["canceller"] == "done", outcomes
        assert outcomes["mover"] in ("done", "not_booked"), outcomes
        final = Appointment.objects.get(pk=appointment.pk)
        assert final.status == Status.CANCELLED_CLINIC
        sent = purposes(final)
        if outcomes["mover"] == "done":
            assert sent == ["booking.confirmation", "booking.rescheduled", "booking.cancelled"]
            assert final.sequence == 1
        else:
            assert sent == ["booking.confirmation", "booking.cancelled"]
            assert final.sequence == 0
        seen[outcomes["mover"]] = seen.get(outcomes["mover"], 0) + 1
    assert sum(seen.values()) == ROUNDS
