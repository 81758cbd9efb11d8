"""An answered check-in's page, reached from the visit's private link, says whether the client asked
to be contacted or needed medical care. Like the client's progress page, it opens only while the
booking's link still opens the client's own records (`Appointment.opens_own_records`): not from an
old, cancelled or forwarded booking email, nor once the client's contact details were erased."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor
from longtide.checkins.models import CheckIn
from longtide.scheduling.manage_links import token_from_nonce
from tests.measurement.conftest import today, visit

pytestmark = pytest.mark.django_db


def test_an_old_bookings_link_does_not_reopen_the_clients_check_in_answer(cast: Cast) -> None:
    old = visit(cast, cast.cleo, today(cast) - timedelta(days=200))  # completed long ago
    CheckIn.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        appointment=old,
        effects={"emotional": "severe"},
        sought_care=True,
        contact_me=False,
        answered_at=old.end + timedelta(days=1),
    )
    assert not old.opens_own_records(timezone.now())  # the progress page refuses this link
    page = HttpClient().get(f"/p/tidewater/manage/{token_from_nonce(old.manage_nonce)}/check-in/")
    assert 'id="checkin-follow-up"' not in page.text  # "...needed medical care" stays private
    assert page.status_code == 410 and 'id="checkin-closed"' in page.text
    # a late post does not reach it either
    again = HttpClient().post(f"/p/tidewater/manage/{token_from_nonce(old.manage_nonce)}/check-in/", {})
    assert again.status_code == 410 and 'id="checkin-follow-up"' not in again.text


def test_a_recent_visits_answered_check_in_still_shows_its_thanks(cast: Cast) -> None:
    recent = visit(cast, cast.cleo, today(cast) - timedelta(days=20))  # check-in window closed, records open
    CheckIn.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        appointment=recent,
        effects={},
        sought_care=False,
        contact_me=True,
        answered_at=recent.end + timedelta(days=1),
    )
    page = HttpClient().get(f"/p/tidewater/manage/{token_from_nonce(recent.manage_nonce)}/check-in/")
    assert page.status_code == 200 and 'id="checkin-thanks"' in page.text and 'id="checkin-follow-up"' in page.text


def test_an_erased_clients_check_in_answer_is_closed(cast: Cast) -> None:
    from longtide.records.erasure import erase_contact

    recent = visit(cast, cast.cleo, today(cast) - timedelta(days=2))  # the check-in window still open
    CheckIn.objects.create(
        practice=cast.tidewater,
        client=cast.cleo,
        appointment=recent,
        effects={},
        sought_care=True,
        contact_me=False,
        answered_at=recent.end + timedelta(hours=30),
    )
    assert erase_contact(
        cast.cleo, by=Actor(cast.olga_user, "owner"), reason="Client asked by email", now=timezone.now()
    )
    page = HttpClient().get(f"/p/tidewater/manage/{token_from_nonce(recent.manage_nonce)}/check-in/")
    assert 'id="checkin-follow-up"' not in page.text
