"""Notes to write: sessions without a signed note, oldest first, overdue after the practice's days;
a practitioner sees their own, an owner everyone's; nothing for front desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.notes.actions import save_draft, sign_note, start_note
from longtide.notes.overdue import is_overdue
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db
# The client agreed to the current treatment consent (signing marks a booked session completed).
TREATMENT_ON_FILE = frozenset({"treatment"})


@pytest.mark.parametrize(
    ("session", "today", "days", "overdue"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), 1, False),
        (date(2026, 3, 2), date(2026, 3, 3), 1, False),
        (date(2026, 3, 2), date(2026, 3, 4), 1, True),
        (date(2026, 3, 2), date(2026, 3, 9), 7, False),
        (date(2026, 3, 2), date(2026, 3, 10), 7, True),
    ],
)
def test_a_note_is_overdue_after_the_practices_days(session: date, today: date, days: int, overdue: bool) -> None:
    assert is_overdue(session, today, days) is overdue


def signed_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def test_the_list_shows_unsigned_sessions_oldest_first_and_marks_the_overdue(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    ana = Actor(cast.ana_user, "practitioner")
    old = visit(days_ago=5)
    drafted = visit(days_ago=3)
    start_note(drafted, by=ana, now=timezone.now())
    done = visit(days_ago=2)
    note = start_note(done, by=ana, now=timezone.now())
    sign_note(
        save_draft(note, complete(note), revision=0, by=ana),
        by=ana,
        now=timezone.now(),
        consents_on_file=TREATMENT_ON_FILE,
    )
    today = visit(days_ago=0)
    visit(days_ago=-1)  # not yet begun
    visit(days_ago=4, status="cancelled_clinic")
    page = signed_in(cast.ana_user).get("/staff/tidewater/notes/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row.appointment.pk for row in rows] == [old.pk, drafted.pk, today.pk]
    assert [(row.draft, row.overdue) for row in rows] == [(False, True), (True, True), (False, False)]
    assert "2 overdue." in page.text and "Overdue (5 days)" in page.text
    assert "Notes to write" in page.text
    cast.tidewater.note_overdue_days = 7
    cast.tidewater.save()
    assert "Nothing overdue." in signed_in(cast.ana_user).get("/staff/tidewater/notes/").text


def test_a_practitioner_sees_their_own_and_an_owner_everyones(cast: Cast, visit: Callable[..., Any]) -> None:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner, Role, StaffMembership

    visit(days_ago=2)
    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw")
    Practitioner.objects.create(practice=cast.tidewater, user=bea, display_name="Bea", slug="bea", style="biodynamic")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    assert len(signed_in(cast.ana_user).get("/staff/tidewater/notes/").context["rows"]) == 1
    assert signed_in(bea).get("/staff/tidewater/notes/").context["rows"] == []
    owner = signed_in(cast.olga_user).get("/staff/tidewater/notes/")
    assert len(owner.context["rows"]) == 1 and "Ana Silva" in owner.text
    desk = signed_in(cast.ben_user)
    assert desk.get("/staff/tidewater/notes/").status_code == 404
    assert "Notes to write" not in desk.get("/staff/tidewater/calendar/").text


def test_the_calendar_marks_overdue_notes_for_the_practitioner_and_owner_only(
    cast: Cast, visit: Callable[..., Any]
) -> None:
    from longtide.web.staff.calendar_grid import practice_zone

    old = visit(days_ago=5)
    visit(days_ago=0)
    day = old.start.astimezone(practice_zone(cast.tidewater)).date()
    url = f"/staff/tidewater/calendar/?date={day.isoformat()}"
    for user in (cast.ana_user, cast.olga_user):
        page = signed_in(user).get(url)
        assert page.status_code == 200 and 'id="overdue-notes"' in page.text
        assert "1 session note is overdue" in page.text and "Note overdue" in page.text
    today = signed_in(cast.ana_user).get("/staff/tidewater/calendar/")
    assert "1 session note is overdue" in today.text  # the banner shows on any day
    desk = signed_in(cast.ben_user).get(url)
    assert desk.status_code == 200 and "overdue" not in desk.text.lower()
    cast.tidewater.note_overdue_days = 7
    cast.tidewater.save()
    assert 'id="overdue-notes"' not in signed_in(cast.ana_user).get(url).text


def test_who_sees_the_notes_to_co_sign_is_one_rule_in_access(cast: Cast, client: HttpClient) -> None:
    from longtide.practice.access import sees_cosignatures_due
    from longtide.practice.models import Role, StaffMembership
    from tests.notes.students import make_student

    page = "/staff/tidewater/notes/"
    heading = 'id="to-cosign-h"'
    # Before Ana supervises anyone: only the owner.
    expected = {cast.olga_user: True, cast.ana_user: False, cast.ben_user: False, cast.dov_user: False}
    assert {user: sees_cosignatures_due(user, cast.tidewater) for user in expected} == expected
    client.force_login(cast.ana_user)
    assert heading not in client.get(page).text

    sam = make_student(cast)  # supervised by Ana
    # Dov (another practice) named as a supervisor here, and the student, still do not.
    StaffMembership.objects.filter(user=sam).update(supervisor=cast.dov_user)
    assert not sees_cosignatures_due(cast.dov_user, cast.tidewater)
    StaffMembership.objects.filter(user=sam).update(supervisor=cast.ana_user)
    expected = {cast.olga_user: True, cast.ana_user: True, cast.ben_user: False, cast.dov_user: False, sam: False}
    assert {user: sees_cosignatures_due(user, cast.tidewater) for user in expected} == expected
    assert heading in client.get(page).text
    # Ana demoted to front desk no longer does, though still named.
    StaffMembership.objects.filter(user=cast.ana_user).update(role=Role.FRONT_DESK)
    assert not sees_cosignatures_due(cast.ana_user, cast.tidewater)
