"""Column values as Django's Field.get_db_prep_save gives them, with the per-field work decided once.

Django prepares each value through a chain of 3-5 method calls (pre_save, get_db_prep_save,
get_db_prep_value, get_prep_value, to_python) that, for most of a row's values, hands back the
value itself: a str in a text column, a bool in a boolean one, an int in a primary key, None in
any of these, an aware datetime on PostgreSQL. An API booking prepares ~50 values this way (the
appointment's insert, the message's, the client's): ~7.5 % of its Python CPU in bookpy's profile
(bench/README "Bookings: values prepared once per field").

`preparer(field, vendor)` decides once per field which values pass unchanged (`_SAME`, by the
field's exact class, so a subclass that overrides a step is never assumed to match) and sends
every other value through the field's own get_db_prep_save: the result is always Django's
(tests/test_db_values.py compares the two for every field of the rows written this way).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BigAutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    TextField,
)

type Prepare = Callable[[Any, BaseDatabaseWrapper], Any]


def _text(value: Any) -> bool:
    # CharField/TextField.to_python returns a str (or a str subclass: a StrEnum member) as it is.
    return value is None or isinstance(value, str)


def _bool(value: Any) -> bool:
    return value is None or type(value) is bool


def _key(value: Any) -> bool:
    # AutoFieldMixin: get_prep_value's int(value), then validate_autopk_value (identity here).
    return value is None or type(value) is int


def _aware(value: Any) -> bool:
    # PostgreSQL's adapt_datetimefield_value returns the value; a naive one would be made aware.
    return value is None or (type(value) is datetime and value.tzinfo is not None)


# Exact field class -> which values its get_db_prep_save returns unchanged, per vendor. Not
# listed (always Django's own): integers other than the primary key (psycopg's Int2/Int4/Int8
# on PostgreSQL), JSON (a Jsonb wrapper), dates and times on SQLite (strings), everything else.
_SAME: dict[tuple[type[Field[Any, Any]], str], Callable[[Any], bool]] = {
    **{(cls, vendor): _text for cls in (CharField, TextField, EmailField) for vendor in ("postgresql", "sqlite")},
    **{(BooleanField, vendor): _bool for vendor in ("postgresql", "sqlite")},
    **{(BigAutoField, vendor): _key for vendor in ("postgresql", "sqlite")},
    (DateTimeField, "postgresql"): _aware,
}


def _plain_pre_save(field: Field[Any, Any]) -> bool:
    """Whether the field's pre_save only reads the attribute (no auto_now, no file to commit)."""
    if type(field).pre_save is Field.pre_save:
        return True
    return (
        type(field).pre_save in (DateField.pre_save, DateTimeField.pre_save)
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    )


@functools.cache
def preparer(field: Field[Any, Any], vendor: str) -> Prepare:
    """A function (value, connection) -> field.get_db_prep_save(value, connection), for this vendor."""
    generic = type(field).get_db_prep_save
    if type(field) is ForeignKey and not field.target_field.empty_strings_allowed:
        # ForeignKey.get_db_prep_save: None or "" is None (a target that takes no empty
        # strings: an integer key), anything else is the target field's value.
        target = preparer(field.target_field, vendor)
        return lambda value, db: None if value is None or value == "" else target(value, db)
    same = _SAME.get((type(field), vendor))
    if same is None:
        return lambda value, db: generic(field, value, db)
    return lambda value, db: value if same(value) else generic(field, value, db)


def _same(field: Field[Any, Any], vendor: str) -> Callable[[Any], bool] | None:
    """Which values preparer(field, vendor) returns unchanged, when a test says so (else None)."""
    if type(field) is ForeignKey and not field.target_field.empty_strings_allowed:
        # None is None; a value the target returns unchanged is the key's too ("" is not).
        target = _same(field.target_field, vendor)
        return None if target is None else (lambda value: value != "" and target(value))
    return _SAME.get((type(field), vendor))


type Plan = list[tuple[Field[Any, Any], str, bool, Callable[[Any], bool] | None, Prepare]]


@functools.cache
def _plan(fields: tuple[Field[Any, Any], ...], vendor: str) -> Plan:
    return [(f, f.attname, _plain_pre_save(f), _same(f, vendor), preparer(f, vendor)) for f in fields]


# (id of a list of fields, vendor) -> (that list, its plan). Callers pass the same few lists,
# kept by their modules: hashing a tuple of ~30 fields (Field.__hash__ is Python) on each call
# cost ~400 bytecodes a booking. The list is held here, so its id names it while it is kept; a
# caller must not change a list it has passed (a copy, or a new list, gets a plan of its own).
_plans: dict[tuple[int, str], tuple[Sequence[Field[Any, Any]], Plan]] = {}
_PLANS = 64


def _plan_of(fields: Sequence[Field[Any, Any]], vendor: str) -> Plan:
    kept = _plans.get((id(fields), vendor))
    if kept is not None and kept[0] is fields:
        return kept[1]
    if len(_plans) >= _PLANS:  # callers passing a new list each time: start again
        _plans.clear()
    plan = _plan(tuple(fields), vendor)
    _plans[id(fields), vendor] = (fields, plan)
    return plan


def insert_values(instance: Any, fields: Sequence[Field[Any, Any]], db: BaseDatabaseWrapper) -> list[Any]:
    """`[f.get_db_prep_save(f.pre_save(instance, add=True), db) for f in fields]`, the same values
    (an auto_now field's pre_save still runs, and still sets the attribute). A value its field
    returns unchanged is tested here, without a call of the field's preparer."""
    values = []
    for field, attname, plain, same, prepare in _plan_of(fields, db.vendor):
        value = getattr(instance, attname) if plain else field.pre_save(instance, True)
        values.append(value if same is not None and same(value) else prepare(value, db))
    return values


def prepared(fields: Sequence[Field[Any, Any]], values: Sequence[Any], db: BaseDatabaseWrapper) -> list[Any]:
    """`[f.get_db_prep_save(value, db) for f, value in zip(fields, values)]`, the same values."""
    plan = _plan_of(fields, db.vendor)
    return [
        value if same is not None and same(value) else prepare(value, db)
        for (_, _, _, same, prepare), value in zip(plan, values, strict=True)
    ]
