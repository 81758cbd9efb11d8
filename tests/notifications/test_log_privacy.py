"""No log line carries a manage token, a booking request's key or an email address, whoever writes
it: Django logs every 4xx answer with its path, and the console handler's filter
(longtide/lib/log_redaction.py) takes those out."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.lib.log_redaction import redact

pytestmark = pytest.mark.django_db

TOKEN = "PQJrDLsSOwWr5y3yRfjbg7SHqgXGt23FrC-sf2J8uzU"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes, for this test."""
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    assert isinstance(handler, logging.StreamHandler), handler
    stream = io.StringIO()
    previous = handler.setStream(stream)
    assert previous is not None  # the handler had a stream of its own
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_paths_in_djangos_request_log_lose_their_secrets(client: HttpClient, cast: Cast, console: io.StringIO) -> None:
    assert client.get(f"/p/tidewater/manage/{TOKEN}/").status_code == 404
    assert client.get(f"/api/v1/bookings/{TOKEN}").status_code == 404
    assert client.get(f"/p/tidewater/booking-request/{TOKEN}/").status_code == 404
    assert client.get("/p/no-such-clinic/?email=cleo%40example.test").status_code == 404
    assert client.get(f"/calendar-feed/{TOKEN}.ics").status_code == 404
    client.get(f"/p/tidewater/intake/{TOKEN}/done/")
    client.post(f"/p/tidewater/waitlist/{TOKEN}/leave/")
    # Found by a review: these four kept their tokens (a diary's opens the client's diary for 120 days).
    client.get(f"/p/tidewater/questions/{TOKEN}/")
    client.get(f"/p/tidewater/diary/{TOKEN}/2020-01-01/")
    client.post(f"/p/tidewater/diary/{TOKEN}/sync/", "x", content_type="text/plain")
    client.get(f"/welcome/{TOKEN}/")
    written = console.getvalue()
    assert written.count("Not Found") >= 5, written
    assert TOKEN not in written and "cleo" not in written, written
    assert "/manage/[token]/" in written and "/api/v1/bookings/[token]" in written
    for path in ("/questions/[token]/", "/diary/[token]/2020-01-01/", "/diary/[token]/sync/", "/welcome/[token]/"):
        assert path in written, (path, written)


def test_redact_leaves_ordinary_lines_alone() -> None:
    line = "message 12 (booking.reminder by email) failed permanently (smtp 550 recipient refused), attempt 1"
    assert redact(line) == line
    assert redact("from Longtide <no-reply@longtide.invalid> to Cleo.Park+x@mail.example.org") == (
        "from Longtide <[address]> to [address]"
    )
