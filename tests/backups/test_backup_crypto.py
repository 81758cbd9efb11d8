"""The backup encryption stream: round trips at chunk edges, and every kind of tampering fails."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from longtide.backups.archive import FORMAT, MANIFEST, _unpack
from longtide.backups.database import BackupError
from longtide.lib.backup_crypto import (
    CHUNK,
    MAGIC,
    TAG,
    BackupKeyError,
    DamagedBackup,
    DecryptingReader,
    EncryptingWriter,
    new_key,
    parse_key,
)

HEADER = len(MAGIC) + 32 + 8


def seal(data: bytes, key: bytes, pieces: int = 7) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key)
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        writer.write(data[i : i + step])
    writer.close()
    return out.getvalue()


def unseal(blob: bytes, key: bytes, read_size: int = 10_000) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), key)
    parts = []
    while chunk := reader.read(read_size):
        parts.append(chunk)
    return b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_what_is_sealed_opens_unchanged(size: int) -> None:
    key = parse_key(new_key())
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    blob = seal(data, key)
    assert size < 16 or data[:16] not in blob, "the plaintext must not show through"
    assert unseal(blob, key) == data
    assert DecryptingReader(io.BytesIO(blob), key).read() == data


def test_two_backups_of_the_same_data_differ() -> None:
    key = parse_key(new_key())
    assert seal(b"same", key) != seal(b"same", key)


def test_another_key_is_told_apart_from_damage() -> None:
    blob = seal(b"clinic records", parse_key(new_key()))
    with pytest.raises(BackupKeyError, match="different key"):
        unseal(blob, parse_key(new_key()))


@pytest.mark.parametrize("where", [0, 5, HEADER - 1, HEADER, HEADER + 10, -1])
def test_a_flipped_byte_anywhere_fails(where: int) -> None:
    key = parse_key(new_key())
    blob = bytearray(seal(b"a" * (2 * CHUNK + 100), key))
    blob[where] ^= 0x01
    with pytest.raises((DamagedBackup, BackupKeyError)):
        unseal(bytes(blob), key)


def test_a_file_cut_at_a_chunk_boundary_fails() -> None:
    key = parse_key(new_key())
    blob = seal(b"b" * (3 * CHUNK), key)
    cut = blob[: HEADER + 2 * (CHUNK + TAG)]
    with pytest.raises(DamagedBackup, match="cut short"):
        unseal(cut, key)


def test_swapped_chunks_fail() -> None:
    key = parse_key(new_key())
    blob = seal(b"c" * CHUNK + b"d" * CHUNK + b"e", key)
    one = blob[HEADER : HEADER + CHUNK + TAG]
    two = blob[HEADER + CHUNK + TAG : HEADER + 2 * (CHUNK + TAG)]
    swapped = blob[:HEADER] + two + one + blob[HEADER + 2 * (CHUNK + TAG) :]
    with pytest.raises(DamagedBackup):
        unseal(swapped, key)


@pytest.mark.parametrize("text", ["", "short", "!" * 44, new_key()[:-4], "é" * 44])
def test_malformed_keys_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(BackupKeyError):
        parse_key(text)


def test_a_key_round_trips_through_its_text_form_with_a_newline() -> None:
    text = new_key()
    assert len(parse_key(text + "\n")) == 32


def test_an_archive_whose_encrypted_tail_is_cut_off_is_refused_even_after_the_tar_ends(tmp_path: Path) -> None:
    """The tar ends (end-of-archive marker) chunks before the file does; cutting those last chunks
    must still fail the restore, not pass because tarfile never read that far."""
    plain = io.BytesIO()
    body = b"rows"
    manifest = json.dumps({"format": FORMAT, "files": {"db.json": hashlib.sha256(body).hexdigest()}}).encode()
    with tarfile.open(fileobj=plain, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("db.json", body), (MANIFEST, manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    key = parse_key(new_key())
    whole = seal(plain.getvalue() + bytes(3 * CHUNK), key)  # trailing zeros after the tar's end
    good, cut = tmp_path / "good.tar.enc", tmp_path / "cut.tar.enc"
    good.write_bytes(whole)
    cut.write_bytes(whole[: HEADER + 2 * (CHUNK + TAG)])
    assert _unpack(good, key, tmp_path / "a")["format"] == FORMAT
    with pytest.raises(BackupError, match="cut short"):
        _unpack(cut, key, tmp_path / "b")
