"""The owner's audit pages: the whole trail with filters (who, client, action, dates) and pages, the
monthly access report (break-glass first), CSV downloads that a spreadsheet cannot turn into
formulas and that are themselves audited, and bad filters answered with a message, never a 500.
Who may open them: tests/access/test_access_matrix.py (owners only; everyone else 404)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import ClientResponse, streamed, without_random_keys
from longtide.audit.models import AuditEvent
from longtide.clients.models import Client
from longtide.web.staff.calendar_grid import practice_zone
from tests.access.conftest import World

pytestmark = pytest.mark.django_db
TRAIL = "/staff/tidewater/audit/"
MONTHLY = "/staff/tidewater/audit/monthly/"


def _as(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def looked(world: World) -> Client:
    """Ana opens Cleo's chart twice, Bea breaks the glass with a formula-like reason and opens it."""
    cleo = world.appointments["tidewater"].client
    chart = f"/staff/tidewater/clients/{cleo.pk}/chart/"
    ana, bea = _as(world.users["practitioner"]), _as(world.users["colleague"])
    ana.get(chart)
    ana.get(chart)
    assert bea.post(chart + "break-glass/", {"reason": '=HYPERLINK("http://x.test","covering")'}).status_code == 302
    bea.get(chart)
    harbour_hal = world.appointments["harbour"].client
    _as(world.users["outsider"]).get(f"/staff/harbour/clients/{harbour_hal.pk}/chart/")
    return cleo


def _csv(response: ClientResponse) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return list(csv.DictReader(io.StringIO(streamed(response).decode())))


def test_the_trail_filters_by_who_client_action_and_dates(world: World, looked: Client) -> None:
    owner = _as(world.users["owner"])
    page = owner.get(TRAIL).text
    assert "Cleo Park" in page
    mine = AuditEvent.objects.filter(practice_id=world.practices["tidewater"].pk)
    assert f"{mine.count()} events" in page
    assert "hal" not in without_random_keys(page).lower()  # Harbour's trail is Harbour's
    ana = world.users["practitioner"].pk
    only_ana = owner.get(TRAIL, {"who": ana}).text
    assert "2 events" in only_ana and "bea" not in without_random_keys(only_ana.split('id="events"')[1])
    glass = owner.get(TRAIL, {"action": "break_glass", "client": str(looked.pk)}).text
    assert "1 event" in glass and "covering" in glass
    assert "0 events" in owner.get(TRAIL, {"start": "2001-01-01", "end": "2001-01-31"}).text
    assert "No events match." in owner.get(TRAIL, {"client": 999999}).text
    assert f"{mine.count()} events" in owner.get(TRAIL, {"start": "2001-01-01", "end": "2999-12-31"}).text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"client": "9" * 20}, "Ensure this value is less than or equal to 9223372036854775807."),
        ({"client": "abc"}, "Enter a whole number."),
        ({"start": "0001-01-01"}, "Give a date between 1900 and 2999."),
        ({"end": "9999-12-31"}, "Give a date between 1900 and 2999."),
        ({"start": "2026-12-02", "end": "2026-12-01"}, "The end date is before the start date."),
        ({"action": "delete"}, "Select a valid choice."),
        ({"page": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_filters_answer_400_with_the_message_and_keep_what_was_typed(
    world: World, query: dict[str, str], message: str
) -> None:
    response = _as(world.users["owner"]).get(TRAIL, query)
    assert response.status_code == 400 and 'id="filter-errors"' in response.text
    assert message in response.text.replace("&#x27;", "'")


def test_the_trail_as_csv_is_defused_and_audited(world: World, looked: Client) -> None:
    owner = _as(world.users["owner"])
    rows = _csv(owner.get(TRAIL, {"client": str(looked.pk), "format": "csv"}))
    assert {r["client"] for r in rows} == {"Cleo Park"}
    [glass] = [r for r in rows if r["action"] == "break_glass"]
    assert glass["who"] == "bea" and glass["reason"].startswith("'=HYPERLINK(")
    [export] = AuditEvent.objects.filter(object_type="audit_trail", action="export")
    assert (export.actor_id, export.detail, export.client_id) == (world.users["owner"].pk, "csv; filters: client", None)


def test_the_monthly_report_puts_break_glass_first_and_counts_looks(world: World, looked: Client) -> None:
    owner = _as(world.users["owner"])
    page = owner.get(MONTHLY).text
    glass = page.split('id="break-glass"')[1].split("</section>")[0]
    assert "bea" in glass and "HYPERLINK" in glass
    readers = without_random_keys(page.split('id="readers"')[1])
    assert readers.index("ana") < readers.index("bea")  # most looks first
    assert "Cleo Park" in readers
    # This month where the practice is (as the report counts), not in UTC: early on the 1st in UTC
    # it is still last month in New York.
    month = timezone.now().astimezone(practice_zone(world.practices["tidewater"])).strftime("%Y-%m")
    rows = _csv(owner.get(MONTHLY, {"format": "csv", "month": month}))
    by_who = {r["who"]: r for r in rows}
    assert by_who["ana"]["looks"] == "2" and by_who["bea"]["break_glass_reasons"].startswith("'=HYPERLINK")
    assert "Nobody opened a client's record this month." in owner.get(MONTHLY, {"month": "2001-02"}).text


@pytest.mark.parametrize(("page", "query"), [("trail", {"who": "1\x00"}), ("monthly", {"month": "2026-01\x00"})])
def test_a_nul_byte_in_a_filter_is_the_null_character_400(world: World, page: str, query: dict[str, str]) -> None:
    # web/bad_input.py refuses a NUL byte anywhere in the query string before any view runs.
    response = _as(world.users["owner"]).get(TRAIL if page == "trail" else MONTHLY, query)
    assert response.status_code == 400
    assert "The address contains a null character (\\x00), which is never valid here." in response.text


@pytest.mark.parametrize("month", ["2026-13", "0999-01", "3000-01", "2026-1", "x" * 200])
def test_a_bad_month_is_refused_with_a_message(world: World, month: str) -> None:
    response = _as(world.users["owner"]).get(MONTHLY, {"month": month})
    assert response.status_code == 400 and "Give a month as YYYY-MM, between 1900-01 and 2999-12." in response.text
