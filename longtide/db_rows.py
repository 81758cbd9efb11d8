"""Model instances from rows read by hand, as Model.from_db makes them, without Model.__init__'s generality.

Model.from_db builds an instance through Model.__init__, which handles keyword and positional
arguments, deferred fields, field defaults, the pre_init and post_init signals and every field's
descriptor: ~25-40 us for a model of 10-40 fields, and an API booking builds five (its service, its
practice, the practitioner, the location, the client). For a model whose fields all store their
value as it is (Django's plain DeferredAttribute and ForeignKeyDeferredAttribute descriptors) and
with no pre_init or post_init receiver, the instance __init__ would make is its attributes in
__dict__ and a ModelState: `instance` makes that directly. Any other model (a file or image field,
whose descriptor wraps the value; a receiver of either signal) goes through Model.from_db.
tests/test_db_rows.py compares the two for the models read this way.

`new` does the same for an instance not yet saved, as `model(**given)` makes it: every booking
builds its appointment (29 fields, five of them objects it already has) and its client this way.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import router
from django.db.models import ForeignKey, Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


def instance[M: Model](model: type[M], alias: str, attnames: Sequence[str], values: Sequence[Any]) -> M:
    """`model.from_db(alias, attnames, values)`: the fields named in `attnames` (in the model's
    field order) set to `values`, the others deferred, the instance saved on `alias`."""
    if not _plain(model) or pre_init.receivers or post_init.receivers:
        return model.from_db(alias, attnames, values)
    if len(attnames) != len(values):
        raise ValueError(f"{len(values)} values for {len(attnames)} fields of {model.__name__}")
    new = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    new._state = state
    new.__dict__.update(zip(attnames, values, strict=True))
    return new


def new[M: Model](model: type[M], given: dict[str, Any], related: dict[str, Model | None]) -> M:
    """`model(**given, **related)`, not yet saved: `given` by attname (a foreign key's id), `related`
    by a foreign key's name (its object, or None): that object is cached as Django's descriptor
    caches it. Each field not given has its default (Field.get_default), as in Model.__init__."""
    if not _plain(model) or pre_init.receivers or post_init.receivers:
        return model(**given, **related)
    fields, attnames, relations = _layout(model)
    if not (given.keys() <= attnames and related.keys() <= relations):
        # "pk", a one-to-one field (its descriptor sets the other side too), a name that is no
        # field (refused): Django's own way.
        return model(**given, **related)
    new = model.__new__(model)
    new._state = ModelState()
    values = new.__dict__
    for attname, name, column, default in fields:
        if attname in given:
            values[attname] = given[attname]
        elif name in related:
            value = related[name]
            values[attname] = None if value is None else getattr(value, column)
        else:
            values[attname] = default()
    if related:
        new._state.fields_cache.update(related)
        # As the descriptor's __set__ does with the first object assigned.
        if (first := next((value for value in related.values() if value is not None), None)) is not None:
            new._state.db = router.db_for_write(model, instance=first)
    return new


@functools.cache
def _layout(model: type[Model]) -> tuple[list[tuple[str, str, str, Any]], frozenset[str], frozenset[str]]:
    """For `new`: each field Model.__init__ sets (concrete, not generated), in the model's order, as
    (attname, name, the attname its foreign key reads on the related object or "", its default's
    getter); their attnames; the names of the plain foreign keys among them."""
    fields = [f for f in model._meta.concrete_fields if f.column is not None and not f.generated]
    layout = [
        (f.attname, f.name, f.target_field.attname if isinstance(f, ForeignKey) else "", f.get_default) for f in fields
    ]
    return layout, frozenset(f.attname for f in fields), frozenset(f.name for f in fields if type(f) is ForeignKey)


@functools.cache
def _plain(model: type[Model]) -> bool:
    """Whether each concrete field of `model` stores its value unchanged in the instance's __dict__."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and all(
            type(getattr(model, field.attname, None)) in (DeferredAttribute, ForeignKeyDeferredAttribute)
            for field in model._meta.concrete_fields
        )
    )
