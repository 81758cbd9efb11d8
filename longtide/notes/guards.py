"""The database guards of signed notes, addenda, co-signatures and note template versions
(migrations 0002, 0005 and 0007), and setting them aside.

The triggers refuse UPDATE and DELETE of a signed note, of any addendum, of any co-signature and of
any version of a practice's note template (NoteChecklist), and, on PostgreSQL, TRUNCATE of these
tables. Someone who owns the tables can still drop or disable a
trigger; the SHA-256 kept with each signature then shows the change.

`set_aside` is for the two places that must remove whole practices' rows as the database owner
would: removing the demo clinic (`longtide demo --reset`) and the test runner's flush between
live-server tests. Nothing else in the app calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

GUARDED_TABLES = ("notes_sessionnote", "notes_noteaddendum", "notes_notecosignature", "notes_notechecklist")


@contextmanager
def set_aside() -> Iterator[None]:
    """Inside one transaction: the note guards are off, and back on before it commits."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred checks of this transaction's writes are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'",
        )
        triggers = [(name, sql) for name, sql, table in cursor.fetchall() if table in GUARDED_TABLES]
        for name, _ in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
        yield
        for _, definition in triggers:
            cursor.execute(definition)
