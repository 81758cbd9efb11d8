"""Where a backup cannot go, a key file that is not text, an age limit that is not a number of hours:
each a message (BackupError or CommandError, exit 2), never a traceback. Found by a review helper."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from longtide.backups.archive import destination, write_backup
from longtide.backups.database import BackupError
from longtide.backups.keys import load_key

NOW = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize("where", ["/etc/passwd/x/", "/etc/passwd/x.tar"])
def test_a_destination_through_a_file_is_a_message(where: str) -> None:
    with pytest.raises(BackupError, match=r"Cannot write a backup to|does not exist"):
        destination(where, NOW, False)


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["/sys/", "/proc/bk.tar"])
def test_a_folder_that_takes_no_files_is_a_message(where: str) -> None:
    """Even for root, to whom os.access says yes: the staging folder is made first, and refused."""
    with pytest.raises(BackupError, match="Cannot write a backup to"):
        write_backup(dest=where, key=None, now=NOW)


def test_a_key_file_that_is_not_text_is_a_message(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(BackupError, match="is not a key: it is not text"):
        load_key(str(key))


@pytest.mark.django_db
@pytest.mark.parametrize("hours", ["nan", "inf", "1e20", "-1", "0"])
def test_an_age_limit_that_is_not_a_number_of_hours_is_a_message(hours: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="The age limit must be more than 0") as refused:
        call_command("backup", "--check", "--max-age", hours)
    assert refused.value.returncode == 2
    monkeypatch.setenv("LONGTIDE_BACKUP_MAX_AGE_HOURS", hours)
    with pytest.raises(CommandError, match="The age limit must be more than 0"):
        call_command("backup", "--check")
