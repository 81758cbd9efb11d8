"""Encryption of backup archives with a key the operator keeps: an authenticated stream in the
manner of age's payload (the STREAM construction), from `cryptography`'s ChaCha20-Poly1305.

Why not Fernet: a Fernet token is one message, so a backup of several gigabytes would be held in
memory whole and grow by a third (base64). Here the archive is cut into 64 KiB chunks, each sealed
with its number and a last-chunk flag in the nonce, so a chunk cannot be altered, dropped,
reordered or cut off the end without decryption failing, and memory stays flat.

File layout (all of it is read before a byte is trusted):

    MAGIC (32 bytes) | salt (32 random bytes) | key id (8 bytes) | sealed chunks …

The payload key is HKDF-SHA256(operator key, salt), so no two backups share one; the key id lets a
restore say "wrong key" rather than "damaged file". The operator key is 32 random bytes, written
as URL-safe base64 (`new_key()`), kept in a file or an environment variable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"LONGTIDE-BACKUP-ENCRYPTED-v1\n\x00\x00\x00"
assert len(MAGIC) == 32
CHUNK = 64 * 1024
TAG = 16
_SALT = 32
_KEY_ID = 8


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class BackupKeyError(ValueError):
    """The key is malformed, or is not the key this backup was encrypted with."""


class DamagedBackup(ValueError):
    """The encrypted file was altered, cut short or is not a Longtide encrypted backup."""


def new_key() -> str:
    """Return a fresh operator key: 32 random bytes in URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str) -> bytes:
    """Return the 32 key bytes from the key's text form (surrounding whitespace is ignored)."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise BackupKeyError(
            "The backup key is not valid base64 (make one with `longtide backup --new-key FILE`)."
        ) from exc
    if len(raw) != 32:
        raise BackupKeyError("The backup key must be 32 bytes (44 characters of base64).")
    return raw


def _derive(key: bytes, salt: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"longtide-backup " + purpose).derive(key)


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"longtide-backup key id" + key).digest()[:_KEY_ID]


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


class EncryptingWriter:
    """A write-only file object that seals what is written to `out`; `close()` seals the last chunk."""

    def __init__(self, out: Sink, key: bytes) -> None:
        salt = os.urandom(_SALT)
        self._header = MAGIC + salt + _key_id(key)
        self._aead = ChaCha20Poly1305(_derive(key, salt, b"payload v1"))
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        out.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Keep at least one full chunk back: only close() knows which chunk is the last.
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._counter, last), chunk, self._header))
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True


class DecryptingReader:
    """A read-only file object giving the plaintext of an encrypted backup read from `source`.

    Raises BackupKeyError for another key, DamagedBackup for any change to the file; the plaintext
    is released one verified chunk at a time, and a file cut short fails at its end.
    """

    def __init__(self, source: BinaryIO, key: bytes) -> None:
        header = source.read(len(MAGIC) + _SALT + _KEY_ID)
        if len(header) < len(MAGIC) + _SALT + _KEY_ID or not header.startswith(MAGIC):
            raise DamagedBackup("This is not an encrypted Longtide backup (or its start is damaged).")
        salt, key_id = header[len(MAGIC) : len(MAGIC) + _SALT], header[len(MAGIC) + _SALT :]
        if not hmac.compare_digest(key_id, _key_id(key)):
            raise BackupKeyError("This backup was encrypted with a different key.")
        self._header = header
        self._aead = ChaCha20Poly1305(_derive(key, salt, b"payload v1"))
        self._source = source
        self._counter = 0
        self._plain = bytearray()
        self._next = source.read(CHUNK + TAG)
        self._done = False

    def _open_next(self) -> None:
        sealed, self._next = self._next, self._source.read(CHUNK + TAG)
        last = not self._next
        try:
            self._plain += self._aead.decrypt(_nonce(self._counter, last), sealed, self._header)
        except InvalidTag as exc:
            raise DamagedBackup("The encrypted backup is damaged or cut short: it fails its check.") from exc
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._open_next()
        if size < 0:
            size = len(self._plain)
        out = bytes(self._plain[:size])
        del self._plain[:size]
        return out
