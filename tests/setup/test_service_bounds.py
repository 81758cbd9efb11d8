"""A service's length and buffers are bounded in the database, not only by its forms: overlap
queries and a booking's read ahead rely on an appointment holding less than a day. Runs on SQLite
and on PostgreSQL (DATABASE_URL)."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from conftest import Cast
from longtide.practice.models import MAX_BUFFER_MINUTES, MAX_SESSION_MINUTES, MIN_SESSION_MINUTES, Service

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "values",
    [
        {"duration_minutes": MAX_SESSION_MINUTES + 1},
        {"duration_minutes": MIN_SESSION_MINUTES - 1},
        {"duration_minutes": 10**6},
        {"buffer_before_minutes": MAX_BUFFER_MINUTES + 1},
        {"buffer_after_minutes": MAX_BUFFER_MINUTES + 1},
    ],
)
def test_a_write_that_skips_the_forms_cannot_store_a_service_out_of_bounds(cast: Cast, values: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=cast.session.pk).update(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(practice=cast.tidewater, name="Long", slug="long", **{"duration_minutes": 60, **values})
    cast.session.refresh_from_db()
    assert cast.session.duration_minutes == 60


def test_the_bounds_themselves_are_allowed(cast: Cast) -> None:
    Service.objects.filter(pk=cast.session.pk).update(
        duration_minutes=MAX_SESSION_MINUTES,
        buffer_before_minutes=MAX_BUFFER_MINUTES,
        buffer_after_minutes=MAX_BUFFER_MINUTES,
    )
    Service.objects.filter(pk=cast.session.pk).update(duration_minutes=MIN_SESSION_MINUTES)


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_a_service_out_of_bounds_instead_of_failing_bare(cast: Cast) -> None:
    call_command("migrate", "practice", "0013", verbosity=0)
    try:
        Service.objects.filter(pk=cast.session.pk).update(duration_minutes=1500)
        with pytest.raises(RuntimeError, match=rf"service {cast.session.pk} \('CST session'\): 1500 minutes"):
            call_command("migrate", "practice", verbosity=0)
        Service.objects.filter(pk=cast.session.pk).update(duration_minutes=60)
    finally:
        call_command("migrate", "practice", verbosity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=cast.session.pk).update(duration_minutes=1500)
