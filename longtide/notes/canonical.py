"""The canonical form of a signed note and its SHA-256 (Django-free).

What is hashed is a JSON object with sorted keys, no insignificant white space and UTF-8 text: the
note's content fields, who it is about and by whom, and when it was signed. A reader with the
note's JSON (the API, an export) recomputes the hash with `content_hash` and compares.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

HASH_FORMAT = "longtide-note-v1"
# A note written with a practice's own fields: the same form, with `fields_template` (the SHA-256 of
# the fields spec) and `extra` (the extra fields' values) in the content. Every note signed before
# practice fields existed, and every note written with the shipped fields, stays v1 with its hash.
HASH_FORMAT_FIELDS = "longtide-note-v2"
# A note written with a practice's own lists (and perhaps its own fields), signed since this format
# exists: v1's or v2's content and `region_labels` and `hold_labels`, the ticked items' labels as the
# note's template version names them. The note records it (`SessionNote.signed_format`); notes
# signed before keep their format and hash.
HASH_FORMAT_LISTS = "longtide-note-v3"


def canonical_bytes(content: Mapping[str, object], fmt: str = HASH_FORMAT) -> bytes:
    """Return the canonical UTF-8 JSON of `content` (keys sorted, compact separators)."""
    return json.dumps({"format": fmt, **content}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(content: Mapping[str, object], fmt: str = HASH_FORMAT) -> str:
    """Return the hex SHA-256 of the canonical form of `content` (`fmt`: the note's `hash_format`)."""
    return hashlib.sha256(canonical_bytes(content, fmt)).hexdigest()


def cosignature_content(
    *,
    note_id: int | None,
    note_hash: str,
    cosigner_id: int | None,
    cosigner_name: str,
    cosigner_credential: str,
    cosigned_at: str | None,
) -> dict[str, object]:
    """What a co-signature's SHA-256 covers: the note's own hash (so the note's whole signed content),
    who co-signed with which credential, and when (ISO 8601, UTC). Hash it with `content_hash`."""
    return {
        "kind": "cosignature",
        "note_id": note_id,
        "note_hash": note_hash,
        "cosigner_id": cosigner_id,
        "cosigner_name": cosigner_name,
        "cosigner_credential": cosigner_credential,
        "cosigned_at": cosigned_at,
    }
