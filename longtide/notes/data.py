"""A session note as data (the record export and the staff API give the same): the signed content
(`SessionNote.content()`), its state, its hash rechecked now, and its addenda with their hashes."""

from __future__ import annotations

from typing import Any

from longtide.notes.models import SessionNote


def note_data(note: SessionNote) -> dict[str, Any]:
    """Pass notes with `prefetch_related("addenda")` to read many without a query each."""
    return {
        **note.content(),
        "status": note.status,
        "content_hash": note.content_hash,
        "hash_matches": note.hash_matches() if note.is_signed else None,
        "addenda": [
            {**a.content(), "content_hash": a.content_hash}
            for a in sorted(note.addenda.all(), key=lambda a: (a.written_at, a.pk))
        ],
    }
