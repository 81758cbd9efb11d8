"""The practice's formats: the owner chooses currency, region and clock on the practice page; prices
and times follow them on the public pages, the booking pages, the staff pages and in emails."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from conftest import Cast
from longtide.notifications.delivery import deliver_due
from longtide.practice.models import Practice

pytestmark = pytest.mark.django_db

PRACTICE = "/staff/tidewater/settings/practice/"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DETAILS = {
    "name": "Tidewater Craniosacral",
    "tagline": "",
    "email": "",
    "phone": "",
    "website": "",
    "currency": "EUR",
    "locale": "fr-FR",
    "clock_hours": "24",
    "cancellation_policy": "",
}


@pytest.fixture
def owner(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.olga_user)
    return client


def test_the_practice_page_offers_the_formats(owner: HttpClient) -> None:
    page = owner.get(PRACTICE).text
    assert 'name="locale"' in page and "French (France)" in page
    assert 'name="clock_hours"' in page and "24-hour (14:00)" in page


def test_the_owner_chooses_euros_in_french_format_on_the_24_hour_clock(owner: HttpClient, cast: Cast) -> None:
    assert owner.post(PRACTICE, DETAILS).status_code == 302
    practice = Practice.objects.get(pk=cast.tidewater.pk)
    assert (practice.currency, practice.locale, practice.clock_hours) == ("EUR", "fr-FR", 24)
    visitor = HttpClient()
    assert "100\xa0€" in visitor.get("/p/tidewater/services/").text
    assert "100\xa0€" in visitor.get("/p/tidewater/book/").text
    with time_machine.travel(NOW, tick=False):
        times = visitor.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02").text
    shown = re.findall(r'class="time"[^>]*>([^<]*)<', times)
    assert "09:00" in shown and "16:00" in shown
    # the times themselves, not the page: a slot link's random key may hold the letters "PM"
    assert not [time for time in shown if "AM" in time or "PM" in time]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "XYZ", "XYZ is not a currency code we know."),
        ("currency", "dollars", "Use a three-letter currency code such as USD, EUR or GBP."),
        ("locale", "klingon", "Choose one of the listed regions."),
        ("clock_hours", "13", "Choose the 12-hour or the 24-hour clock."),
    ],
)
def test_bad_formats_are_refused_with_a_message_and_the_rest_kept(
    owner: HttpClient, cast: Cast, field: str, value: str, message: str
) -> None:
    response = owner.post(PRACTICE, {**DETAILS, field: value, "tagline": "Quiet rooms"})
    assert response.status_code == 422
    assert message in response.text and "Quiet rooms" in response.text
    assert Practice.objects.get(pk=cast.tidewater.pk).currency == "USD"


def test_the_database_refuses_a_clock_of_neither_12_nor_24(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.filter(pk=cast.tidewater.pk).update(clock_hours=13)


def test_emails_and_the_staff_calendar_use_the_practices_clock(client: HttpClient, cast: Cast) -> None:
    Practice.objects.filter(pk=cast.tidewater.pk).update(clock_hours=24)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/p/tidewater/book/cst-60/details/",
            {
                "slot": f"2026-12-02T19:00:00+00:00|{cast.ana.pk}",
                "first_name": "Cleo",
                "last_name": "Park",
                "email": "cleo@example.test",
                "phone": "",
                "note": "",
            },
        )
        assert response.status_code == 302
        requested = client.get(response["Location"]).text
        assert "Wednesday 2 December 2026, 14:00 EST" in requested
        deliver_due(worker="test")
    assert "14:00–15:00 EST" in mail.outbox[-1].body and " PM" not in mail.outbox[-1].body  # " PM": a token may hold PM
    client.force_login(cast.olga_user)
    with time_machine.travel(NOW, tick=False):
        calendar = client.get("/staff/tidewater/calendar/?date=2026-12-02").text
    assert "14:00" in calendar and "2:00 PM" not in calendar and "9 AM" not in calendar
