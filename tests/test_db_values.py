"""longtide/db_values.py gives exactly what Django's Field.get_db_prep_save gives, value by value
(same type, same value), for every field of the rows written with it (an appointment, a client, a
message) and for the kinds of values those fields may hold: None, text and StrEnum members, lazy
text, aware datetimes in and out of UTC, JSON, booleans, ids, and values Django converts."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext_lazy

from longtide import db_values
from longtide.clients.models import Client
from longtide.notifications.models import Channel, Message
from longtide.practice.models import Practice
from longtide.scheduling.models import Appointment, Source, Status

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

SAMPLES: dict[str, list[Any]] = {
    "CharField": ["", "x", Status.HELD, Source.API, Channel.EMAIL, gettext_lazy("Booked"), 5],
    "TextField": ["", "a\nb", Status.BOOKED, gettext_lazy("Booked"), 5],
    "EmailField": ["", "a@example.com", gettext_lazy("a@example.com")],
    "DateTimeField": [NOW, datetime(2026, 12, 1, 7, 0, tzinfo=ZoneInfo("America/New_York"))],
    "BooleanField": [True, False, 1, 0],
    "ForeignKey": [1, 2**40, "", "7", True],
    "BigAutoField": [1, 2**40, "7"],
    "PositiveIntegerField": [0, 3, True, "4"],
    "PositiveSmallIntegerField": [0, 3, True],
    "JSONField": [[], [{"name": "a.ics", "content": "x"}], {"k": 1}, "text"],
}


def _same(ours: Any, django: Any) -> bool:
    if hasattr(django, "obj") and hasattr(django, "dumps"):  # psycopg's Jsonb wrapper (PostgreSQL)
        return type(ours) is type(django) and ours.dumps(ours.obj) == django.dumps(django.obj)
    return type(ours) is type(django) and ours == django


def _fields() -> list[Any]:
    return [f for model in (Appointment, Client, Message) for f in model._meta.concrete_fields if not f.generated]


@pytest.mark.parametrize("field", _fields(), ids=lambda f: f"{f.model.__name__}.{f.name}")
def test_each_value_as_django_prepares_it(field: Any) -> None:
    db = connections[DEFAULT_DB_ALIAS]
    prepare = db_values.preparer(field, db.vendor)
    same = db_values._same(field, db.vendor)  # insert_values' test of a value passed unchanged
    samples = SAMPLES[type(field).__name__]  # a field of a new kind needs samples here
    for value in [None, *samples]:
        ours, django = prepare(value, db), field.get_db_prep_save(value, db)
        assert _same(ours, django), (field, value, ours, django)
        if same is not None and same(value):
            assert _same(value, django), (field, value, django)


def _appointment(practice: Practice) -> Appointment:
    return Appointment(
        pk=None,
        practice=practice,
        location_id=3,
        service_id=4,
        practitioner_id=5,
        room_id=6,
        client_id=7,
        start=NOW,
        end=NOW,
        blocked_start=NOW,
        blocked_end=NOW,
        note="",
        source=Source.API,
        manage_token_hash="h" * 64,
        manage_nonce="n",
        idempotency_key=None,
        idempotency_fingerprint="",
        created_by=None,
        time_set_at=NOW,
        status=Status.HELD,
        hold_until=NOW,
        booked_first_name="A",
        booked_last_name="B",
        booked_email="a@example.com",
        booked_phone="",
    )


def test_a_whole_row_as_django_prepares_it() -> None:
    """insert_values runs the auto_now fields' pre_save as Django does (setting the attribute)."""
    db = connections[DEFAULT_DB_ALIAS]
    practice = Practice(pk=2, slug="p")
    for with_id in (False, True):
        fields = [f for f in Appointment._meta.concrete_fields if (with_id or not f.primary_key)]
        ours_row, django_row = _appointment(practice), _appointment(practice)
        ours_row.pk = django_row.pk = 11 if with_id else None
        with time_machine.travel(NOW, tick=False):
            ours = db_values.insert_values(ours_row, fields, db)
            django = [f.get_db_prep_save(f.pre_save(django_row, add=True), db) for f in fields]
        assert len(ours) == len(django)
        assert all(_same(a, b) for a, b in zip(ours, django, strict=True)), (ours, django)
        assert ours_row.created_at == ours_row.updated_at == NOW
    message = [f for f in Message._meta.concrete_fields if not f.primary_key]
    values = [f.get_default() for f in message]
    ours = db_values.prepared(message, values, db)
    django = [f.get_db_prep_save(v, db) for f, v in zip(message, values, strict=True)]
    assert all(_same(a, b) for a, b in zip(ours, django, strict=True)), (ours, django)


def test_a_list_of_fields_is_planned_once_while_kept_and_another_list_gets_its_own_plan() -> None:
    db = connections[DEFAULT_DB_ALIAS]
    practice = Practice(pk=2, slug="p")
    fields = [f for f in Appointment._meta.concrete_fields if not f.primary_key]
    db_values._plans.clear()
    with time_machine.travel(NOW, tick=False):
        first = db_values.insert_values(_appointment(practice), fields, db)
        assert db_values._plans[id(fields), db.vendor][0] is fields
        assert db_values.insert_values(_appointment(practice), fields, db) == first
        # The same fields in another list, and fewer of them in a third: each its own plan.
        assert db_values.insert_values(_appointment(practice), list(fields), db) == first
        shorter = fields[:3]
        assert db_values.insert_values(_appointment(practice), shorter, db) == first[:3]
    assert len(db_values._plans) == 3
    # A caller passing a new list each time cannot grow the table past its bound.
    for _ in range(db_values._PLANS * 2):
        db_values.prepared(list(fields[:2]), [practice.pk, None], db)
    assert len(db_values._plans) <= db_values._PLANS
