"""psycopg caches how it splits a statement at its placeholders only for statements with few enough
parameters and short enough texts (scheduling/apps.py raises both limits): every statement of a
booking over the API must be within them, or the driver splits its text again on every booking."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from psycopg import _queries

from conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_every_statement_of_a_booking_is_within_the_drivers_cached_size(client: HttpClient, cast: Cast) -> None:
    sizes: list[tuple[int, str]] = []
    lengths: list[int] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sizes.append((len(params or ()), sql[:80]))
        lengths.append(len(sql.encode()))
        return execute(sql, params, many, context)

    for email in ("first@example.test", "second@example.test"):
        data = {
            "service": cast.session.pk,
            "practitioner": cast.ana.pk,
            "start": "2026-12-02T10:00:00-05:00" if email.startswith("first") else "2026-12-02T13:00:00-05:00",
            "client": {"first_name": "Cleo", "last_name": "Park", "email": email},
        }
        with connection.execute_wrapper(count):
            response = client.post("/api/v1/p/tidewater/bookings", data, content_type="application/json")
        assert response.status_code == 201, response.content
    assert max(n for n, _ in sizes) <= _queries.MAX_CACHED_STATEMENT_PARAMS, sizes
    if connection.vendor == "postgresql":  # the insert hits the rate-limit counters too (a CTE)
        assert max(n for n, _ in sizes) > 50, "more parameters than psycopg caches unless told (50)"
    # And its length: the first statement reads the search's inputs too (search.service_and_places).
    assert max(lengths) <= _queries.MAX_CACHED_STATEMENT_LENGTH, lengths
    assert max(lengths) > 4096, "longer than psycopg caches unless told (4 kB)"
