"""The chart page, break-glass and the access report, beyond the matrix (tests/access/test_records_matrix.py):
bad reasons, a grant running out, a double submit, the care team, and what the owner reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.clients.models import Client
from longtide.lib.text import CONTROL_MESSAGE
from longtide.records.chart import BREAK_GLASS_HOURS
from longtide.records.models import BreakGlass
from longtide.scheduling.care_team import care_team_user_ids
from longtide.scheduling.models import Status
from tests.access.conftest import NOTES, World

pytestmark = pytest.mark.django_db


def _as(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _paths(world: World) -> tuple[Client, str, str, str]:
    cleo = world.appointments["tidewater"].client
    base = f"/staff/tidewater/clients/{cleo.pk}/chart/"
    return cleo, base, base + "break-glass/", base + "access/"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why you need this chart, in at least 10 characters."),
        ("   covering ", "Say why you need this chart, in at least 10 characters."),
        ("x" * 2001, "Keep the reason under 2000 characters."),
    ],
)
def test_a_break_glass_without_a_usable_reason_opens_nothing_and_keeps_what_was_typed(
    world: World, reason: str, message: str
) -> None:
    _cleo, chart, glass, _ = _paths(world)
    bea = _as(world.users["colleague"])
    rows = AuditEvent.objects.count()
    response = bea.post(glass, {"reason": reason})
    assert response.status_code == 200
    assert message in response.text
    if reason.strip():
        assert reason.strip()[:50] in response.text
    assert BreakGlass.objects.count() == 0 and AuditEvent.objects.count() == rows
    assert NOTES["tidewater"] not in bea.get(chart).text


def test_nul_bytes_and_control_characters_in_a_reason_are_kept_out_of_the_trail(world: World) -> None:
    _cleo, _chart, glass, _ = _paths(world)
    bea = _as(world.users["colleague"])
    # lib/text.py's one rule: a control character is refused with its message, what was typed kept.
    refused = bea.post(glass, {"reason": "Covering\x00 the\x07 session <b>today</b>"})
    assert refused.status_code == 200 and CONTROL_MESSAGE in refused.text
    assert "Covering the\x07 session" in refused.text and not AuditEvent.objects.filter(action="break_glass").exists()
    assert bea.post(glass, {"reason": "Covering\tthe session\n<b>today</b>"}).status_code == 302
    event = AuditEvent.objects.get(action="break_glass")
    assert event.reason == "Covering the session <b>today</b>"
    report = _as(world.users["owner"]).get(_paths(world)[3]).text
    assert "&lt;b&gt;today&lt;/b&gt;" in report and "<b>today</b>" not in report


def test_break_glass_opens_the_chart_for_some_hours_and_the_owner_sees_it_first(world: World) -> None:
    cleo, chart, glass, report = _paths(world)
    bea = _as(world.users["colleague"])
    kept_out = bea.get(chart)
    assert 'id="kept-out"' in kept_out.text and NOTES["tidewater"] not in kept_out.text
    assert 'name="reason"' in bea.get(glass).text
    opened = bea.post(glass, {"reason": "Covering Ana's 3 pm session today"})
    assert opened.status_code == 302 and opened["Location"] == chart
    page = bea.get(chart).text
    assert NOTES["tidewater"] in page and 'data-basis="break_glass"' in page
    grant = BreakGlass.objects.get()
    assert grant.until - grant.opened_at == timedelta(hours=BREAK_GLASS_HOURS)
    trail = list(AuditEvent.objects.filter(client_id=cleo.pk).order_by("seq").values_list("action", "basis", "reason"))
    assert trail == [
        ("view", "not_in_care", ""),
        ("break_glass", "break_glass", "Covering Ana's 3 pm session today"),
        ("view", "break_glass", ""),
    ]
    owner_page = _as(world.users["owner"]).get(report).text
    glass_section = owner_page.split('id="break-glass"')[1].split("</section>")[0]
    assert "Covering Ana&#x27;s 3 pm session today" in glass_section and "bea" in glass_section
    # A second submit (back button, double click) opens nothing more.
    again = bea.post(glass, {"reason": "Covering Ana's 3 pm session today"})
    assert again.status_code == 302 and BreakGlass.objects.count() == 1
    # When the grant runs out the chart closes again.
    BreakGlass.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert NOTES["tidewater"] not in bea.get(chart).text


def test_the_owner_reads_who_looked_at_the_record(world: World) -> None:
    _cleo, chart, _, report = _paths(world)
    _as(world.users["practitioner"]).get(chart, headers={"user-agent": "Tablet/1.0"})
    _as(world.users["front_desk"]).get(chart)
    page = _as(world.users["owner"]).get(report).text
    readers = page.split('id="readers"')[1].split("</section>")[0]
    assert "ana: 1 time" in readers and "ben: 1 time" in readers
    events = page.split('id="events"')[1]
    assert "care_team" in events and "front_desk" in events and "Tablet/1.0" in events
    assert "None: nobody opened this chart outside the care rules." in page


def test_the_care_team_is_who_has_seen_or_will_see_the_client(world: World) -> None:
    appointment = world.appointments["tidewater"]
    client_id = appointment.client_id
    assert care_team_user_ids(client_id) == {world.users["practitioner"].pk}
    later = timezone.now() + timedelta(hours=1)
    for status in (Status.HELD, Status.CANCELLED_CLIENT, Status.CANCELLED_CLINIC, Status.EXPIRED):
        type(appointment).objects.filter(pk=appointment.pk).update(status=status, hold_until=later)
        assert care_team_user_ids(client_id) == set(), status
    for status in (Status.COMPLETED, Status.NO_SHOW, Status.BOOKED):
        type(appointment).objects.filter(pk=appointment.pk).update(status=status, hold_until=None)
        assert care_team_user_ids(client_id) == {world.users["practitioner"].pk}, status


def test_the_chart_says_plainly_what_is_not_recorded_yet(world: World) -> None:
    _, chart, _, _ = _paths(world)
    page = _as(world.users["practitioner"]).get(chart).text
    for title in ("Main concern and goals", "Safety flags", "Session notes", "Care episodes and outcomes"):
        assert title in page
    assert "Nothing recorded: Longtide does not collect this yet." not in page  # outcomes came with issue 12
    assert "No care episode yet." in page
    assert page.count("Kept on a page of its own, not shown in the chart yet:") == 3
    notes = page.split('id="notes"')[1].split("</section>")[0]
    assert f'href="/staff/tidewater/clients/{world.appointments["tidewater"].client_id}/notes/"' in notes
    assert "Ana Silva" in page.split('id="care-team"')[1].split("</section>")[0]


def test_a_held_booking_shows_to_front_desk_without_its_note(world: World) -> None:
    appointment = world.appointments["tidewater"]
    later = timezone.now() + timedelta(hours=1)
    type(appointment).objects.filter(pk=appointment.pk).update(status=Status.HELD, hold_until=later)
    _, chart, _, _ = _paths(world)
    page = _as(world.users["front_desk"]).get(chart).text
    assert "Yes: held until the client confirms it from the email" in page
    assert NOTES["tidewater"] not in page


def test_break_glass_opens_the_clients_notes_and_intake_too_and_each_read_says_so(world: World) -> None:
    """One rule for every clinical page: the chart's (records/chart.access_to), break-glass included."""
    cleo, _chart, glass, _ = _paths(world)
    visit = world.appointments["tidewater"]
    pages = [
        f"/staff/tidewater/appointments/{visit.pk}/note/",
        f"/staff/tidewater/clients/{cleo.pk}/notes/",
        f"/staff/tidewater/clients/{cleo.pk}/intake/",
    ]
    bea = _as(world.users["colleague"])
    before = [bea.get(page) for page in pages]
    assert [r.status_code for r in before[:2]] == [403, 403]
    kept_out = "This client is not in your care, so their answers and flags are not shown."
    assert before[2].status_code == 200 and kept_out in before[2].text
    assert bea.post(glass, {"reason": "Covering Ana's 3 pm session today"}).status_code == 302
    after = [bea.get(page) for page in pages]
    assert [r.status_code for r in after] == [200, 200, 200] and kept_out not in after[2].text
    bases = set(AuditEvent.objects.filter(client_id=cleo.pk, action="view").values_list("basis", flat=True))
    assert "break_glass" in bases
    BreakGlass.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert [bea.get(page).status_code for page in pages[:2]] == [403, 403]
