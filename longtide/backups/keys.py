"""Where the operator's backup key comes from: a file (--key-file or LONGTIDE_BACKUP_KEY_FILE) or
the LONGTIDE_BACKUP_KEY variable — never the command line, where other users of the machine and
the shell's history would see it."""

from __future__ import annotations

import os
from pathlib import Path

from longtide.backups.database import BackupError
from longtide.lib.backup_crypto import BackupKeyError, new_key, parse_key


def load_key(key_file: str | None) -> bytes | None:
    """Return the backup key from the first place that gives one, or None for no encryption."""
    path = key_file or os.environ.get("LONGTIDE_BACKUP_KEY_FILE")
    try:
        if path:
            try:
                return parse_key(Path(path).read_text())
            except OSError as exc:
                raise BackupError(f"Cannot read the backup key file {path}: {exc.strerror}.") from exc
            except UnicodeDecodeError as exc:
                raise BackupError(f"The backup key file {path} is not a key: it is not text.") from exc
        if text := os.environ.get("LONGTIDE_BACKUP_KEY"):
            return parse_key(text)
    except BackupKeyError as exc:
        raise BackupError(str(exc)) from exc
    return None


def write_new_key(path: Path) -> None:
    """Write a fresh key to a new file that only its owner can read."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path} already exists; a key file is never overwritten.") from exc
    except OSError as exc:
        raise BackupError(f"Cannot create {path}: {exc.strerror}.") from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key() + "\n")
