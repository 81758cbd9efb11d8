"""Find a practice's client by email address, or add the client, without a SAVEPOINT.

The booking path did a look-up, then an INSERT inside a SAVEPOINT that caught the unique
violation of a concurrent booking by the same person (four statements for a new client). Here an
`INSERT … ON CONFLICT DO NOTHING` takes the place of the savepoint: the unique index
`one_client_per_email_per_practice` (lower(email), practice) decides, and a conflict inserts
nothing and raises nothing, so the surrounding transaction carries on.

- PostgreSQL: one statement — the INSERT in a CTE, and the existing row read when it inserted
  nothing. A concurrent insert of the same address not yet committed makes the INSERT wait for
  it; if it commits, this statement's snapshot cannot see its row, and None is returned (the
  caller reads it again).
- SQLite: one `INSERT … ON CONFLICT … DO UPDATE SET email = email RETURNING`, an update that
  changes nothing, so that the existing row comes back (SQLite has no INSERT in a CTE). Writers
  are serialized there (the booking transaction is IMMEDIATE).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field

from longtide import db_rows, db_values, prepared
from longtide.clients.models import Client


@functools.cache
def _columns() -> tuple[list[Field[Any, Any]], list[Field[Any, Any]]]:
    fields = list(Client._meta.concrete_fields)
    writable = [f for f in fields if not f.primary_key and not f.generated]
    return fields, writable


@functools.cache
def _readers(vendor: str) -> list[tuple[Any, list[Any]]]:
    """Each column and its converters on this database, worked out once (they never change)."""
    fields, _ = _columns()
    readers = []
    for f in fields:
        col = f.get_col(Client._meta.db_table)
        readers.append((col, [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]))
    return readers


def _instance(row: tuple[Any, ...]) -> Client:
    fields, _ = _columns()
    db = connections[DEFAULT_DB_ALIAS]
    values = []
    for (col, converters), value in zip(_readers(db.vendor), row, strict=True):
        for convert in converters:
            value = convert(value, col, db)
        values.append(value)
    return db_rows.instance(Client, db.alias, [f.attname for f in fields], values)


@functools.cache
def _find_or_insert_sql(vendor: str) -> str:
    """The statement of find_or_insert on this database, written once."""
    fields, writable = _columns()
    quote = connection.ops.quote_name
    table = quote(Client._meta.db_table)
    cols = ", ".join(quote(str(f.column)) for f in fields)
    insert = (
        f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in writable)}) "  # noqa: S608 (our table, placeholders)
        f"VALUES ({', '.join(['%s'] * len(writable))}) ON CONFLICT DO NOTHING RETURNING {cols}"
    )
    if vendor == "postgresql":
        # The unique index's own expression and condition, so the look-up uses it.
        lookup = f"SELECT {cols} FROM {table} WHERE lower(email) = %s AND practice_id = %s AND NOT (email = '')"  # noqa: S608
        return (
            f"WITH made AS ({insert}) SELECT {cols} FROM made "  # noqa: S608 (our table, placeholders)
            f"UNION ALL ({lookup} AND NOT EXISTS (SELECT 1 FROM made) LIMIT 1)"
        )
    # A no-op update on conflict, so that RETURNING gives the existing row: one statement.
    return insert.replace(
        "ON CONFLICT DO NOTHING",
        f"ON CONFLICT (lower(email), practice_id) WHERE NOT (email = '') DO UPDATE SET email = {table}.email",
    )


@functools.cache
def found_in_use_sql() -> tuple[str, str]:
    """PostgreSQL: CTEs (`made`, `found`, then `kept`: the client record in use, as Client.in_use
    gives it, one row or none) finding or inserting a client, for a statement that goes on to use
    the client (scheduling.booking's client, message and locks); and the columns `kept` returns,
    in the order `instance` reads them. Parameters: `insert_values(made)`, the lower-cased address,
    the practice's id."""
    fields, _ = _columns()
    quote = connection.ops.quote_name
    cols = ", ".join(quote(str(f.column)) for f in fields)
    theirs = ", ".join(f"c.{quote(str(f.column))}" for f in fields)
    table = quote(Client._meta.db_table)
    with_made = _find_or_insert_sql("postgresql")
    head = f") SELECT {cols} FROM made UNION ALL"  # noqa: S608 (our columns)
    if not with_made.startswith("WITH made AS (") or with_made.count(head) != 1:
        raise RuntimeError("find_or_insert's statement changed shape")
    found = with_made.removeprefix("WITH ").replace(head, f"), found AS (SELECT {cols} FROM made UNION ALL")  # noqa: S608
    # The record itself, or the one it was merged into (one step, as Client.in_use). The new row
    # (in `made`) is invisible to this statement's own reads, but it was merged into nothing.
    kept = (
        f"{found}), "  # noqa: S608 (our table, placeholders)
        f"kept AS MATERIALIZED (SELECT {cols} FROM found WHERE merged_into_id IS NULL "
        f"UNION ALL SELECT {theirs} FROM found JOIN {table} AS c ON c.id = found.merged_into_id)"
    )
    return kept, cols


def insert_values(made: Client) -> list[Any]:
    """The values of `made`'s columns as its INSERT writes them."""
    _, writable = _columns()
    # Each field's get_db_prep_save, decided once per field (db_values).
    return db_values.insert_values(made, writable, connections[DEFAULT_DB_ALIAS])


def instance(row: tuple[Any, ...]) -> Client:
    """The Client of a row of the client's columns (all of them, in the model's order)."""
    return _instance(row)


def find_or_insert(made: Client, *, email_lower: str) -> Client | None:
    """Return the client of `made.practice` whose lower(email) is `email_lower`, inserting `made`
    when there is none. None only when a concurrent, uncommitted insert of the same address won."""
    _, writable = _columns()
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: each field's preparation reads it
    values = db_values.insert_values(made, writable, db)
    # Prepared on PostgreSQL (longtide.prepared): every booking runs it, and parsing and planning
    # it took about as long as running it.
    if db.vendor == "postgresql":
        found = prepared.rows(_find_or_insert_sql(db.vendor), [*values, email_lower, made.practice_id])
    else:
        found = prepared.rows(_find_or_insert_sql(db.vendor), values)
    return _instance(found[0]) if found else None
