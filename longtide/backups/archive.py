"""The backup archive: one tar file (optionally encrypted, see longtide/lib/backup_crypto.py)
holding the database snapshot, every uploaded file (MEDIA_ROOT) and, last, `manifest.json` with the
SHA-256 of each of them and the snapshot's row count per table. A restore unpacks and checks all of
it before it touches the database.

The archive is written beside its destination under a temporary name, flushed to disk, then
renamed into place, so a crash or a full disk never leaves a file that looks like a backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from longtide.backups.database import BackupError, Target, existing_tables, restore, snapshot
from longtide.lib.backup_crypto import (
    CHUNK,
    BackupKeyError,
    DamagedBackup,
    DecryptingReader,
    EncryptingWriter,
    is_encrypted,
)

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
MEDIA_DIR = "media"


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    sha256: str
    engine: str
    encrypted: bool
    tables: int
    rows: int
    media_files: int


@dataclass(frozen=True)
class Restored:
    engine: str
    created_at: str
    tables: int
    rows: int
    media_files: int


class _Hashing:
    """Pass writes through to `out`, counting bytes and hashing them."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.size, self.digest = out, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.size += len(data)
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def destination(given: str, now: datetime, encrypted: bool) -> Path:
    """The archive's path: inside `given` when it is a folder (or ends with /), else `given` itself."""
    dest = Path(given)
    try:
        if dest.is_dir() or given.endswith(os.sep):
            dest.mkdir(parents=True, exist_ok=True)
            folder, final = dest, dest / f"longtide-{now:%Y%m%dT%H%M%SZ}.tar{'.enc' if encrypted else ''}"
        else:
            if dest.exists():
                raise BackupError(
                    f"{dest} already exists; a backup never overwrites a file. Give a folder or a new name."
                )
            if not dest.parent.is_dir():
                raise BackupError(f"The folder {dest.parent} does not exist.")
            folder, final = dest.parent, dest
    except OSError as exc:  # /sys/, a path through a file, a folder one may not make
        raise BackupError(f"Cannot write a backup to {given}: {exc.strerror or exc}.") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(f"Cannot write a backup to {given}: the folder {folder} is not writable.")
    return final


def _numbered(name: str, n: int) -> str:
    """longtide-20261205T111600Z.tar.enc -> longtide-20261205T111600Z-2.tar.enc"""
    stem, dot, rest = name.partition(".")
    return f"{stem}-{n}{dot}{rest}"


def _publish(partial: Path, final: Path, *, numbered: bool) -> Path:
    """Give the finished archive its name without ever replacing a file: a hard link fails when the
    name is taken (os.replace overwrote a backup made in the same second). In a folder the next free
    name is taken (-2, -3, …); a file's path given by the operator is refused when taken."""
    names = [final, *(final.with_name(_numbered(final.name, n)) for n in range(2, 100))] if numbered else [final]
    for name in names:
        try:
            os.link(partial, name)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if name.exists():
                continue
            os.replace(partial, name)
            return name
        partial.unlink()
        return name
    raise BackupError(f"{final} already exists; a backup never overwrites a file. Give a folder or a new name.")


def write_backup(*, dest: str, key: bytes | None, now: datetime) -> Written:
    """Back up the database and the uploaded files to `dest` (a folder or a new file's path)."""
    target = Target.current()
    final = destination(dest, now, key is not None)
    media_root = Path(settings.MEDIA_ROOT)
    try:
        staging_dir = tempfile.TemporaryDirectory(dir=final.parent, prefix=".longtide-backup-")
    except OSError as exc:  # a folder that takes no files (/proc), however it looked
        raise BackupError(f"Cannot write a backup to {dest}: {exc.strerror or exc}.") from exc
    with staging_dir as staging:
        db_file, counts = snapshot(target, Path(staging))
        # A name of this run's own: two backups started in the same second each write their own
        # (they shared one, and the loser's clean-up deleted the winner's file).
        partial = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        files: dict[str, str] = {}
        media_count = 0
        made = False
        try:
            with partial.open("xb") as raw:
                made = True
                hashing = _Hashing(raw)
                sink: Any = EncryptingWriter(hashing, key) if key is not None else hashing
                with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    name = f"{DATABASE_DIR}/{db_file.name}"
                    files[name] = _sha256(db_file)
                    tar.add(db_file, arcname=name)
                    for path in _media_files(media_root):
                        name = f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"
                        files[name] = _sha256(path)
                        tar.add(path, arcname=name)
                        media_count += 1
                    manifest = {
                        "format": FORMAT,
                        "created_at": now.isoformat(),
                        "engine": target.engine,
                        "database": f"{DATABASE_DIR}/{db_file.name}",
                        "row_counts": counts,
                        "files": files,
                    }
                    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                if key is not None:
                    sink.close()
                raw.flush()
                os.fsync(raw.fileno())
            partial.chmod(0o600)
            final = _publish(partial, final, numbered=Path(dest).is_dir())  # a folder: the next free name
        except BaseException:
            if made:
                partial.unlink(missing_ok=True)
            raise
    _fsync_folder(final.parent)
    return Written(
        path=final,
        size=hashing.size,
        sha256=hashing.digest.hexdigest(),
        engine=target.engine,
        encrypted=key is not None,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=media_count,
    )


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unpack(source: Path, key: bytes | None, into: Path) -> dict[str, Any]:
    with source.open("rb") as raw:
        encrypted = is_encrypted(raw.read(64))
        raw.seek(0)
        if encrypted and key is None:
            raise BackupError(
                "This backup is encrypted: give its key with --key-file FILE, LONGTIDE_BACKUP_KEY_FILE or "
                "LONGTIDE_BACKUP_KEY."
            )
        try:
            stream: Any = DecryptingReader(raw, key) if encrypted and key is not None else raw
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                tar.extractall(into, filter="data")
            # tarfile stops at the archive's end marker; read the rest so the last encrypted chunk's
            # check (a file cut short fails there) runs even when the archive ends before it.
            while stream is not raw and stream.read(CHUNK):
                pass
        except (BackupKeyError, DamagedBackup) as exc:
            raise BackupError(str(exc)) from exc
        except (tarfile.TarError, EOFError) as exc:
            raise BackupError(f"{source} is not a readable Longtide backup ({exc}).") from exc
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} has no manifest: it is not a complete Longtide backup.")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not one this Longtide reads.")
    listed: dict[str, str] = manifest["files"]
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(listed):
        raise BackupError("The backup's files do not match its manifest: it is incomplete or was changed.")
    for name, digest in listed.items():
        if _sha256(into / name) != digest:
            raise BackupError(f"{name} in the backup fails its checksum: the backup is damaged.")
    return manifest


def restore_backup(*, source: Path, key: bytes | None) -> Restored:
    """Bring a backup back into an empty database and an empty MEDIA_ROOT; check every row count."""
    target = Target.current()
    media_root = Path(settings.MEDIA_ROOT)
    if tables := existing_tables(target):
        raise BackupError(
            f"The {target.describe()} is not empty (it has {len(tables)} tables, e.g. {tables[0]}). A restore "
            "only writes into an empty database, so that nothing in use is overwritten: create a new one "
            "(PostgreSQL: createdb NAME; SQLite: a new file or LONGTIDE_DATA_DIR) and point DATABASE_URL at it."
        )
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"The uploads folder {media_root} is not empty; restore into a new LONGTIDE_DATA_DIR.")
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".longtide-restore-") as staging:
        unpacked = Path(staging)
        manifest = _unpack(source, key, unpacked)
        counts = restore(target, manifest["engine"], unpacked / manifest["database"])
        if counts != manifest["row_counts"]:
            differing = sorted(
                t for t in set(counts) | set(manifest["row_counts"]) if counts.get(t) != manifest["row_counts"].get(t)
            )
            raise BackupError(f"The restored database's row counts differ from the backup's in: {', '.join(differing)}")
        media_files = 0
        if (unpacked / MEDIA_DIR).is_dir():
            media_root.mkdir(parents=True, exist_ok=True)
            for path in sorted((unpacked / MEDIA_DIR).rglob("*")):
                if path.is_file():
                    destination_path = media_root / path.relative_to(unpacked / MEDIA_DIR)
                    destination_path.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, destination_path)
                    media_files += 1
    return Restored(
        engine=manifest["engine"],
        created_at=manifest["created_at"],
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=media_files,
    )
