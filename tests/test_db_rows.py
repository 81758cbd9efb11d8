"""longtide/db_rows.py makes the instance Model.from_db makes: the same attributes, the same state,
the same deferred fields (loaded on access), for every model read this way; and goes through
Model.from_db itself for a model whose fields do not all store their value as it is, or when a
pre_init or post_init receiver is connected."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.signals import post_init

from conftest import Cast
from longtide import db_rows
from longtide.clients.models import Client
from longtide.practice.models import Location, Practice, Practitioner, Room, Service
from longtide.scheduling.models import Appointment
from longtide.scheduling.search import _PRACTITIONER_FIELDS

pytestmark = pytest.mark.django_db


def _row(instance: Model, attnames: list[str]) -> list[Any]:
    return [getattr(instance, name) for name in attnames]


def _same_attributes(ours: Model, django: Model) -> None:
    assert type(ours) is type(django)
    assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
        k: v for k, v in vars(django).items() if k != "_state"
    }


@contextmanager
def _post_init_seen(sender: type[Model]) -> Iterator[list[Model]]:
    """The instances of `sender` a post_init receiver, connected meanwhile, is called with."""
    seen: list[Model] = []

    def receiver(sender: Any, instance: Model, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=sender)
    try:
        yield seen
    finally:
        post_init.disconnect(receiver, sender=sender)


def _same(ours: Model, django: Model) -> None:
    _same_attributes(ours, django)
    assert (ours._state.adding, ours._state.db) == (django._state.adding, django._state.db) == (False, "default")
    assert ours.get_deferred_fields() == django.get_deferred_fields()
    assert ours == django and hash(ours) == hash(django)


@pytest.mark.parametrize("model", [Practice, Service, Location, Room, Client], ids=lambda m: m.__name__)
def test_every_field_as_from_db_makes_it(cast: Cast, model: type[Model]) -> None:
    stored = model._default_manager.order_by("pk").first()
    assert stored is not None
    attnames = [f.attname for f in model._meta.concrete_fields]
    values = _row(stored, attnames)
    ours = db_rows.instance(model, DEFAULT_DB_ALIAS, attnames, values)
    _same(ours, model.from_db(DEFAULT_DB_ALIAS, attnames, values))
    assert db_rows._plain(model)  # the fast way was taken


def test_some_fields_the_rest_deferred_and_loaded_on_access(cast: Cast) -> None:
    values = _row(cast.ana, _PRACTITIONER_FIELDS)
    ours = db_rows.instance(Practitioner, DEFAULT_DB_ALIAS, _PRACTITIONER_FIELDS, values)
    _same(ours, Practitioner.from_db(DEFAULT_DB_ALIAS, _PRACTITIONER_FIELDS, values))
    assert "bio" in ours.get_deferred_fields()
    assert ours.bio == "Ana listens."  # read from the database on access, as from_db's instance does


def test_related_objects_and_saving_work_as_on_from_dbs_instance(cast: Cast) -> None:
    attnames = [f.attname for f in Service._meta.concrete_fields]
    service = db_rows.instance(Service, DEFAULT_DB_ALIAS, attnames, _row(cast.session, attnames))
    assert service.practice == cast.tidewater  # the foreign key's object, loaded and cached
    assert service.practice is service.practice
    service.name = "CST, 60 minutes"
    service.save(update_fields=["name"])
    assert Service.objects.get(pk=cast.session.pk).name == "CST, 60 minutes"


def test_a_field_with_a_descriptor_of_its_own_goes_through_from_db(cast: Cast) -> None:
    # Practitioner.photo (an ImageField) wraps its value in a file object on access.
    assert not db_rows._plain(Practitioner)
    attnames = [f.attname for f in Practitioner._meta.concrete_fields]
    ours = db_rows.instance(Practitioner, DEFAULT_DB_ALIAS, attnames, _row(cast.ana, attnames))
    _same(ours, Practitioner.from_db(DEFAULT_DB_ALIAS, attnames, _row(cast.ana, attnames)))
    assert type(ours.photo).__name__ == "ImageFieldFile"


def test_a_post_init_receiver_is_called(cast: Cast) -> None:
    with _post_init_seen(Room) as seen:
        attnames = [f.attname for f in Room._meta.concrete_fields]
        made = db_rows.instance(Room, DEFAULT_DB_ALIAS, attnames, _row(cast.willow, attnames))
    assert seen == [made]


def test_a_value_per_field_or_an_error() -> None:
    with pytest.raises(ValueError, match="2 values for 3 fields of Room"):
        db_rows.instance(Room, DEFAULT_DB_ALIAS, ["id", "location_id", "name"], [1, 2])


def _new_appointment_fields(cast: Cast) -> tuple[dict[str, Any], dict[str, Model | None]]:
    start = datetime(2026, 12, 7, 10, tzinfo=UTC)
    given: dict[str, Any] = {
        "id": 77,
        "room_id": cast.willow.pk,
        "start": start,
        "end": start + timedelta(hours=1),
        "blocked_start": start,
        "blocked_end": start + timedelta(hours=1, minutes=15),
        "note": "n",
        "manage_token_hash": "h",
        "manage_nonce": "x",
        "idempotency_key": None,
        "booked_email": "a@example.com",
    }
    related: dict[str, Model | None] = {
        "practice": cast.tidewater,
        "service": cast.session,
        "practitioner": cast.ana,
        "created_by": None,
    }
    return given, related


def _same_new(ours: Model, django: Model) -> None:
    _same_attributes(ours, django)
    # Saved nowhere yet; the database of the first object assigned, as the descriptor sets it.
    assert (ours._state.adding, ours._state.db) == (django._state.adding, django._state.db) == (True, "default")
    assert ours._state.fields_cache == django._state.fields_cache


def test_new_makes_the_unsaved_instance_keywords_make(cast: Cast) -> None:
    given, related = _new_appointment_fields(cast)
    with time_machine.travel(datetime(2026, 12, 5, 9, tzinfo=UTC), tick=False):  # time_set_at's default
        ours = db_rows.new(Appointment, given, related)
        django = Appointment(**given, **related)
    _same_new(ours, django)
    assert ours.status == django.status == "booked" and ours.sequence == 0  # the defaults
    assert ours.booked_first_name == "" and ours.cancelled_at is None
    assert ours.practice is cast.tidewater and ours.created_by is None  # cached: no query
    made = db_rows.new(Client, {"email": "b@example.com"}, {"practice": cast.tidewater})
    _same_new(made, Client(email="b@example.com", practice=cast.tidewater))
    assert made.practice_id == cast.tidewater.pk


def test_new_with_a_receiver_or_a_field_of_its_own_goes_through_the_model(cast: Cast) -> None:
    with _post_init_seen(Client) as seen:
        made = db_rows.new(Client, {"email": "b@example.com"}, {"practice": cast.tidewater})
    assert seen == [made]
    photo = db_rows.new(Practitioner, {"display_name": "Bea"}, {"practice": cast.tidewater})
    assert type(photo.photo).__name__ == "ImageFieldFile"


def test_new_leaves_other_names_to_the_model_which_refuses_those_that_are_no_field(cast: Cast) -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'emial'"):
        db_rows.new(Client, {"emial": "a@example.com"}, {})
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'practice_idd'"):
        db_rows.new(Client, {}, {"practice_idd": None})
    assert db_rows.new(Client, {"pk": 5}, {}).id == 5
