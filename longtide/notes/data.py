"""A session note as data (the record export and the staff API give the same): the signed content
(`SessionNote.content()`), its state, its hash rechecked now, its addenda with their hashes, and a
student's note's co-signature with its own hash (or that it still awaits one)."""

from __future__ import annotations

from typing import Any

from longtide.notes import fields
from longtide.notes.models import SessionNote


def cosignature_data(note: SessionNote) -> dict[str, Any] | None:
    """The note's co-signature: its hashed content, `content_hash` and `hash_matches` (rechecked now)."""
    if not note.is_cosigned:
        return None
    found = note.cosignature
    return {**found.content(), "content_hash": found.content_hash, "hash_matches": found.hash_matches()}


def note_data(note: SessionNote) -> dict[str, Any]:
    """Pass notes with `prefetch_related("addenda")` and `select_related("cosignature", "checklist")` to
    read many without a query each. Verify `content_hash` as the SHA-256 of notes.canonical's form of
    the other keys (all but those added here after `content()`), with `format` = `hash_format`."""
    return {
        **note.content(),
        "status": note.status,
        "hash_format": note.hash_format,
        # The fields of the template version the note was written with (labels, help, required to
        # sign, extra fields with their units; `impression` marks palpation impressions).
        "template_fields": fields.to_data(note.field_spec),
        "content_hash": note.content_hash,
        "hash_matches": note.hash_matches() if note.is_signed else None,
        "addenda": [
            {**a.content(), "content_hash": a.content_hash}
            for a in sorted(note.addenda.all(), key=lambda a: (a.written_at, a.pk))
        ],
        "awaiting_cosignature": note.needs_cosignature,
        "cosignature": cosignature_data(note),
    }
