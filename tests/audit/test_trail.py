"""The audit trail: one `record` function, chained rows, no update or delete path in the app or in SQL."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, InternalError, OperationalError, connection, connections, transaction
from django.test import RequestFactory

from conftest import Cast
from longtide.audit.chain import GENESIS
from longtide.audit.models import Action, AppendOnly, AuditEvent, Via
from longtide.audit.trail import Actor, NotInTransaction, Origin, record
from longtide.audit.verify import verify_trail

DatabaseRefusal = (IntegrityError, InternalError, OperationalError)


NOWHERE = Origin(None, "")


def write(
    practice_id: int | None,
    user: AbstractBaseUser | None = None,
    *,
    role: str = "",
    origin: Origin = NOWHERE,
    **extra: Any,
) -> AuditEvent:
    fields = {"action": Action.VIEW, "object_type": "chart", "client_id": 7, "object_id": 7, **extra}
    with transaction.atomic():
        return record(practice_id=practice_id, by=Actor(user, role, origin, Via.WEB), **fields)


@pytest.mark.django_db
def test_each_practice_has_its_own_chain_numbered_from_one(cast: Cast) -> None:
    first = write(cast.tidewater.pk, cast.ana_user)
    second = write(cast.tidewater.pk, cast.olga_user)
    elsewhere = write(cast.harbour.pk, cast.dov_user)
    assert (first.chain, first.seq, first.prev_hash) == (cast.tidewater.pk, 1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert (elsewhere.chain, elsewhere.seq, elsewhere.prev_hash) == (cast.harbour.pk, 1, GENESIS)
    assert first.actor_label == "ana" and first.actor_id == cast.ana_user.pk


@pytest.mark.django_db
def test_a_row_keeps_who_what_where_and_why(cast: Cast, rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox\x00/1")
    event = write(
        cast.tidewater.pk,
        cast.olga_user,
        action=Action.BREAK_GLASS,
        role="owner",
        origin=Origin.of(request),
        reason="Covering for Ana today.",
        basis="break_glass",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip == "203.0.113.9" and stored.user_agent == "Firefox/1"
    assert (stored.action, stored.reason, stored.basis, stored.actor_role) == (
        "break_glass",
        "Covering for Ana today.",
        "break_glass",
        "owner",
    )
    assert stored.link().digest() == stored.hash


@pytest.mark.django_db
def test_a_row_without_a_practice_goes_to_chain_zero() -> None:
    event = write(None)
    assert (event.chain, event.seq, event.actor_label, event.actor_id) == (0, 1, "", None)


@pytest.mark.django_db
def test_the_app_has_no_update_or_delete_path(cast: Cast) -> None:
    event = write(cast.tidewater.pk)
    event.reason = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.create(chain=1, seq=99, action="view", object_type="chart", via="web")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(chain=1, seq=99)])


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(cast: Cast) -> None:
    with pytest.raises(NotInTransaction):
        record(action=Action.VIEW, object_type="chart", practice_id=cast.tidewater.pk, by=Actor.system())
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_audit_row(cast: Cast) -> None:
    def failing_view() -> None:
        with transaction.atomic():
            record(action=Action.VIEW, object_type="chart", practice_id=cast.tidewater.pk, by=Actor.system())
            raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        failing_view()
    assert not AuditEvent.objects.exists()


def raw(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.django_db
def test_the_database_refuses_an_update_of_an_audit_row_in_plain_sql(cast: Cast) -> None:
    event = write(cast.tidewater.pk)
    with pytest.raises(DatabaseRefusal, match="append-only"):
        raw("UPDATE audit_auditevent SET reason = 'edited' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.django_db
def test_the_database_refuses_a_delete_of_an_audit_row_in_plain_sql(cast: Cast) -> None:
    event = write(cast.tidewater.pk)
    with pytest.raises(DatabaseRefusal, match="append-only"):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_postgresql_refuses_to_truncate_the_trail(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    write(cast.tidewater.pk)
    with pytest.raises(DatabaseRefusal, match="append-only"):
        raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_guards_are_in_place_after_every_migration() -> None:
    # A later migration that rebuilds the table on SQLite would drop its triggers silently.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
            expected = {"audit_event_no_update_or_delete", "audit_event_no_truncate"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
            expected = {"audit_event_no_update", "audit_event_no_delete"}
        assert {name for (name,) in cursor.fetchall()} == expected


def past_the_trigger(sql: str, params: list[Any]) -> None:
    """Change the trail as a database owner could: set the trigger aside, write, put it back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql, params)
            for _, definition in triggers:
                cursor.execute(definition)


@pytest.fixture
def five_rows(cast: Cast) -> list[AuditEvent]:
    return [write(cast.tidewater.pk, cast.ana_user, object_id=n) for n in range(5)]


@pytest.mark.django_db
def test_verify_passes_an_untouched_trail(five_rows: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "audit trail OK: 5 rows in 1 chain(s)" in out
    assert f"head {five_rows[-1].hash}" in out


@pytest.mark.django_db
def test_verify_catches_a_row_edited_past_the_trigger(
    five_rows: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    past_the_trigger("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE id = %s", [five_rows[2].pk])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert f"BROKEN chain {five_rows[2].chain}, row 3 (id {five_rows[2].pk}): content does not match" in (
        capsys.readouterr().err
    )


@pytest.mark.django_db
def test_verify_catches_an_edit_whose_hash_was_recomputed(five_rows: list[AuditEvent]) -> None:
    edited = five_rows[1]
    forged_hash = dataclasses.replace(edited.link(), reason="nothing to see").digest()
    past_the_trigger(
        "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE id = %s", ["nothing to see", forged_hash, edited.pk]
    )
    result = verify_trail()
    assert [(b.seq, b.row_id) for b in result.breaks] == [(3, five_rows[2].pk)]
    assert "does not link" in result.breaks[0].problem


@pytest.mark.django_db
def test_verify_catches_a_row_deleted_past_the_trigger(
    five_rows: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    past_the_trigger("DELETE FROM audit_auditevent WHERE id = %s", [five_rows[1].pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"BROKEN chain {five_rows[0].chain}, row 2 (id {five_rows[2].pk}): row missing: found row 3 next" in err


@pytest.mark.django_db
def test_verify_reports_each_broken_chain_and_the_heads_that_hold(cast: Cast, five_rows: list[AuditEvent]) -> None:
    other = write(cast.harbour.pk)
    past_the_trigger("DELETE FROM audit_auditevent WHERE id = %s", [five_rows[0].pk])
    result = verify_trail()
    assert [b.chain for b in result.breaks] == [cast.tidewater.pk]
    assert [(h.chain, h.seq, h.hash) for h in result.heads] == [(cast.harbour.pk, 1, other.hash)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain(cast: Cast) -> None:
    practice_id = cast.tidewater.pk
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(8):
                write(practice_id, object_type="chart")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.filter(chain=practice_id).values_list("seq", flat=True)) == list(range(1, 49))
    assert verify_trail().ok
