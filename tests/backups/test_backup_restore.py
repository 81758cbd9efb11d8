"""`longtide backup` and `longtide restore`, run exactly as the README shows, in subprocesses.

The central test backs up the demo clinic while other threads keep booking appointments, restores
the backup into a fresh database, and checks that what came back is the database as of one instant:
every restored row is exactly a source row, every booking finished before the backup began is
there, bookings went on during the backup, and a quiet backup afterwards restores to a database
equal to the source in every row of every table."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from conftest import Cast

from .conftest import Db, run, source_url

pytestmark = pytest.mark.django_db(transaction=True)


class Bookings:
    """Threads booking appointments through the booking action, one practitioner each, until stopped."""

    def __init__(self, practice: Any) -> None:
        from longtide.scheduling.search import find_slots

        self.practice = practice
        self.service = practice.services.get(slug="cst-60")
        today = timezone.now().date()
        self.slots: dict[int, list[Any]] = {}
        for practitioner in practice.practitioners.filter(services=self.service):
            found = find_slots(
                practice=practice,
                service=self.service,
                practitioner_ids=[practitioner.pk],
                first_day=today + timedelta(days=10),
                last_day=today + timedelta(days=70),
                now=timezone.now(),
                for_staff=True,
            )
            self.slots[practitioner.pk] = found.slots
        self.done: list[tuple[float, float, int]] = []  # (began, committed, appointment id)
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.book, args=(pk,), daemon=True) for pk in self.slots]

    def book(self, practitioner_id: int) -> None:
        from longtide.scheduling.booking import ClientDetails, book_appointment
        from longtide.scheduling.booking_rules import BookingError
        from longtide.scheduling.models import Source

        try:
            for n, slot in enumerate(self.slots[practitioner_id]):
                if self.stop.is_set():
                    return
                began = time.monotonic()
                try:
                    booked = book_appointment(
                        practice=self.practice,
                        service=self.service,
                        practitioner=self.practice.practitioners.get(pk=practitioner_id),
                        start=slot.start,
                        client=ClientDetails("Busy", f"Writer{n}", f"busy-{practitioner_id}-{n}@example.test"),
                        source=Source.STAFF,
                    )
                except BookingError:
                    continue  # a room another thread took: not a failure of the backup
                with self.lock:
                    self.done.append((began, time.monotonic(), booked.appointment.pk))
        except Exception as exc:  # the test fails on any of these
            self.errors.append(repr(exc))
        finally:
            connection.close()

    def wait_for(self, count: int, *, or_all_booked: bool = False) -> None:
        """Until `count` bookings are made (or, with `or_all_booked`, every writer has booked all its
        slots: on a loaded machine a slow backup can outlast them)."""
        deadline = time.monotonic() + 120
        while len(self.done) < count and time.monotonic() < deadline and not self.errors:
            if or_all_booked and not any(thread.is_alive() for thread in self.threads):
                return
            time.sleep(0.02)
        assert len(self.done) >= count, f"only {len(self.done)} bookings were made; errors: {self.errors}"


@pytest.fixture
def busy_demo(tmp_path: Path) -> tuple[Any, Path]:
    """The demo clinic with an uploaded photo, in this run's database; the source data folder."""
    from longtide.sampledata.demo import seed_demo

    practice = seed_demo(sample_week=True)
    source_dir = tmp_path / "source"
    photo = source_dir / "media" / "practitioners" / "maya.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    practice.practitioners.filter(slug="maya-okafor").update(photo="practitioners/maya.jpg")
    return practice, source_dir


# Tables whose rows the booking writers change in place, and how many leading columns name a row.
CHANGED_IN_PLACE = {"scheduling_busyversion": 3}


def _identities(table: str, rows: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    width = CHANGED_IN_PLACE.get(table)
    return {row[:width] for row in rows} if width else set(rows)


def test_a_backup_taken_while_bookings_are_written_restores_as_one_instant(
    busy_demo: tuple[Any, Path], tmp_path: Path, fresh_database: Any
) -> None:
    practice, source_dir = busy_demo
    source = Db(source_url())
    bookings = Bookings(practice)
    before = source.rows()
    for thread in bookings.threads:
        thread.start()
    try:
        bookings.wait_for(5)
        backup_began = time.monotonic()
        result = run(["backup", str(tmp_path / "busy.tar")], database_url=source.url, data_dir=source_dir)
        backup_ended = time.monotonic()
        assert result.returncode == 0, result.stderr
        bookings.wait_for(len(bookings.done) + 5, or_all_booked=True)
    finally:
        bookings.stop.set()
        for thread in bookings.threads:
            thread.join(60)
    assert not bookings.errors
    assert "Backed up" in result.stdout and "NOT encrypted" in result.stdout

    during = [b for b in bookings.done if backup_began <= b[1] <= backup_ended]
    assert during, "bookings must go on while the backup runs"

    target_url = fresh_database()
    target_dir = tmp_path / "restored-data"
    restored_run = run(["restore", str(tmp_path / "busy.tar")], database_url=target_url, data_dir=target_dir)
    assert restored_run.returncode == 0, restored_run.stderr
    assert "every table's row count matches the backup" in restored_run.stdout

    source_rows, restored_rows = source.rows(), Db(target_url).rows()
    assert set(restored_rows) == set(source_rows) == set(before)
    for table, rows in restored_rows.items():
        # The writers only add rows (appointments, clients, outbox messages …): each table holds
        # what it held before the writers began, plus some of what they added — never a row the
        # source never had, never one half-written. The one exception is the availability cache's
        # busy versions, whose number every booking redraws in place (scheduling migration 0014):
        # there the row (id, kind, ref) must be one the source has, its number the backup's own.
        restored, now, earlier = (_identities(table, found) for found in (rows, source_rows[table], before[table]))
        unknown = restored - now
        assert not unknown, f"{table}: restored rows that the source never had: {sorted(unknown, key=repr)[:3]}"
        lost = earlier - restored
        assert not lost, f"{table}: rows from before the backup are missing: {sorted(lost, key=repr)[:3]}"
    grew = {t for t in before if len(source_rows[t]) > len(before[t])}
    assert {"scheduling_appointment", "clients_client"} <= grew
    restored_ids = {row[0] for row in restored_rows["scheduling_appointment"]}
    committed_before = {pk for _, committed, pk in bookings.done if committed < backup_began}
    assert committed_before <= restored_ids, "every booking committed before the backup began is in it"
    written_after = {pk for began, _, pk in bookings.done if began > backup_ended}
    assert not (written_after & restored_ids), "nothing booked after the backup ended is in it"
    assert (target_dir / "media" / "practitioners" / "maya.jpg").read_bytes() == (
        source_dir / "media" / "practitioners" / "maya.jpg"
    ).read_bytes()

    # Quiet now: an encrypted backup restores to a copy equal to the source in every row.
    key_file = tmp_path / "backup.key"
    assert run(["backup", "--new-key", str(key_file)], database_url=source.url, data_dir=source_dir).returncode == 0
    quiet = run(
        ["backup", str(tmp_path / "quiet.tar.enc")],
        database_url=source.url,
        data_dir=source_dir,
        LONGTIDE_BACKUP_KEY_FILE=str(key_file),
    )
    assert quiet.returncode == 0 and "encrypted" in quiet.stdout, quiet.stderr
    second_url = fresh_database()
    second = run(
        ["restore", str(tmp_path / "quiet.tar.enc"), "--key-file", str(key_file)],
        database_url=second_url,
        data_dir=tmp_path / "second-data",
    )
    assert second.returncode == 0, second.stderr
    source_rows, copy_rows = source.rows(), Db(second_url).rows()
    assert set(copy_rows) == set(source_rows)
    for table in source_rows:
        if table == "backups_backuprun":  # the quiet backup's own record is written after its snapshot
            assert copy_rows[table] == [r for r in source_rows[table] if r in copy_rows[table]]
            assert len(copy_rows[table]) == len(source_rows[table]) - 1
            continue
        assert copy_rows[table] == source_rows[table], f"{table} differs after a quiet backup and restore"
    assert sum(len(rows) for rows in copy_rows.values()) > 300


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(busy_demo: Any, tmp_path: Path) -> None:
    _, source_dir = busy_demo
    source = Db(source_url())
    assert run(["backup", str(tmp_path)], database_url=source.url, data_dir=source_dir).returncode == 0
    archive = next(tmp_path.glob("longtide-*.tar"))
    before = source.rows()
    refused = run(["restore", str(archive)], database_url=source.url, data_dir=tmp_path / "other")
    assert refused.returncode == 2
    assert "is not empty" in refused.stderr and "A restore only writes into an empty database" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert source.rows() == before


def test_restore_refuses_a_damaged_encrypted_or_foreign_file_before_touching_the_database(
    busy_demo: Any, tmp_path: Path, fresh_database: Any
) -> None:
    _, source_dir = busy_demo
    source = Db(source_url())
    key_file = tmp_path / "k"
    run(["backup", "--new-key", str(key_file)], database_url=source.url, data_dir=source_dir)
    made = run(
        ["backup", str(tmp_path / "b.enc"), "--key-file", str(key_file)], database_url=source.url, data_dir=source_dir
    )
    assert made.returncode == 0, made.stderr
    target = fresh_database()
    other_key = tmp_path / "other.key"
    run(["backup", "--new-key", str(other_key)], database_url=source.url, data_dir=source_dir)
    damaged = tmp_path / "damaged.enc"
    blob = bytearray((tmp_path / "b.enc").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    damaged.write_bytes(bytes(blob))
    cut = tmp_path / "cut.enc"
    cut.write_bytes((tmp_path / "b.enc").read_bytes()[:-100])
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a backup at all" * 100)
    cases = [
        ([str(tmp_path / "b.enc")], "This backup is encrypted: give its key"),
        ([str(tmp_path / "b.enc"), "--key-file", str(other_key)], "encrypted with a different key"),
        ([str(damaged), "--key-file", str(key_file)], "damaged or cut short"),
        ([str(cut), "--key-file", str(key_file)], "damaged or cut short"),
        ([str(junk)], "is not a readable Longtide backup"),
        ([str(tmp_path / "missing.tar")], "There is no backup file at"),
    ]
    for args, message in cases:
        result = run(["restore", *args], database_url=target, data_dir=tmp_path / "t")
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        assert not Db(target).rows(), "a refused restore leaves the database empty"


def test_backup_check_tells_when_the_newest_backup_is_too_old(busy_demo: Any, tmp_path: Path) -> None:
    from longtide.backups.models import BackupRun

    _, source_dir = busy_demo
    url = source_url()
    none_yet = run(["backup", "--check"], database_url=url, data_dir=source_dir)
    assert none_yet.returncode == 1 and "no backup has been recorded" in none_yet.stderr
    assert run(["backup", str(tmp_path)], database_url=url, data_dir=source_dir).returncode == 0
    fresh = run(["backup", "--check"], database_url=url, data_dir=source_dir)
    assert fresh.returncode == 0 and "Backup check OK" in fresh.stdout and "limit 24.0 h" in fresh.stdout

    BackupRun.objects.update(finished_at=timezone.now() - timedelta(hours=30))
    stale = run(["backup", "--check"], database_url=url, data_dir=source_dir)
    assert stale.returncode == 1 and "is 30.0 h old, over the limit of 24.0 h" in stale.stderr


def check(**env: str) -> tuple[int, str]:
    """`backup --check` in this process (the subprocess test above shows the command itself)."""
    import io
    import os
    from unittest import mock

    from django.core.management import call_command

    out = io.StringIO()
    args = env.pop("_args", "").split()
    with mock.patch.dict(os.environ, env):
        try:
            call_command("backup", "--check", *args, stdout=out, stderr=out)
        except SystemExit as exit:
            return int(exit.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_the_age_limit_is_the_strictest_practices_unless_the_operator_sets_one(cast: Cast) -> None:
    from longtide.backups.models import BackupRun

    BackupRun.objects.create(
        finished_at=timezone.now() - timedelta(hours=30),
        path="/b",
        size=1,
        sha256="0" * 64,
        engine="sqlite",
        encrypted=True,
    )
    assert check()[0] == 1
    type(cast.tidewater).objects.update(backup_max_age_hours=48)
    code, text = check()
    assert code == 0 and "limit 2.0 days" in text
    cast.harbour.backup_max_age_hours = 26
    cast.harbour.save(update_fields=["backup_max_age_hours"])
    code, text = check()
    assert code == 1 and "over the limit of 26.0 h" in text
    code, text = check(LONGTIDE_BACKUP_MAX_AGE_HOURS="72")
    assert code == 0 and "limit 3.0 days" in text
    code, text = check(_args="--max-age 12")
    assert code == 1 and "limit of 12.0 h" in text


def test_a_backup_never_overwrites_a_file_and_a_key_file_is_never_overwritten(busy_demo: Any, tmp_path: Path) -> None:
    _, source_dir = busy_demo
    url = source_url()
    existing = tmp_path / "keep.tar"
    existing.write_bytes(b"precious")
    result = run(["backup", str(existing)], database_url=url, data_dir=source_dir)
    assert result.returncode == 2 and "never overwrites" in result.stderr
    assert existing.read_bytes() == b"precious"
    key = tmp_path / "key"
    assert run(["backup", "--new-key", str(key)], database_url=url, data_dir=source_dir).returncode == 0
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = run(["backup", "--new-key", str(key)], database_url=url, data_dir=source_dir)
    assert again.returncode == 2 and "never overwritten" in again.stderr
    bad = run(["backup", str(tmp_path / "x.tar")], database_url=url, data_dir=source_dir, LONGTIDE_BACKUP_KEY="short")
    assert bad.returncode == 2 and "backup key" in bad.stderr
    assert not (tmp_path / "x.tar").exists()
    assert not list(tmp_path.glob(".*partial")) and not list(tmp_path.glob(".longtide-backup-*"))
