"""Two backups into one folder in the same second keep both files (the second's name was the first's,
and os.replace put it over it; two at once shared a partial file, and the loser's clean-up deleted
the winner's). Found by a review helper."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import Cast
from longtide.backups.archive import _publish, write_backup
from longtide.backups.database import BackupError

pytestmark = pytest.mark.django_db(transaction=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_backups_in_one_second_into_one_folder_keep_both(cast: Cast, tmp_path: Path) -> None:
    now = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    first = write_backup(dest=f"{tmp_path}/", key=None, now=now)
    second = write_backup(dest=str(tmp_path), key=None, now=now)
    assert first.path.name == "longtide-20261205T110000Z.tar"
    assert second.path.name == "longtide-20261205T110000Z-2.tar"
    assert _sha256(first.path) == first.sha256 and _sha256(second.path) == second.sha256
    assert {p.name for p in tmp_path.iterdir()} == {first.path.name, second.path.name}  # no partial left


def test_publishing_never_replaces_a_file(tmp_path: Path) -> None:
    taken = tmp_path / "mine.tar"
    taken.write_bytes(b"precious")
    partial = tmp_path / ".mine.tar.1.partial"
    partial.write_bytes(b"new")
    with pytest.raises(BackupError, match="never overwrites"):
        _publish(partial, taken, numbered=False)
    assert taken.read_bytes() == b"precious" and partial.exists()
    named = _publish(partial, taken, numbered=True)
    assert named.name == "mine-2.tar" and named.read_bytes() == b"new" and not partial.exists()
