"""A signed v2 note's `fields_template` is the SHA-256 of its template version's fields as read back
(fields.from_data), and from_data takes parts from the code: each built-in field's section and
impression flag, and a shipped field the stored data lacks. So a change to SHIPPED_FIELDS or to
from_data (a new built-in field, a field moved to another part of the note, lazily translated labels)
would change the hash of every v2 note signed before it, and they would stop verifying. These pins
fail first: such a change needs a new hash format (or from_data kept exactly as it was for stored
versions), never an edit of these numbers."""

from __future__ import annotations

from typing import Any

from longtide.notes import fields

# A version as Settings → Note fields stores it today: every built-in field, the plan relabelled,
# one measured extra field.
STORED: list[dict[str, Any]] = [
    {
        "key": "subjective",
        "section": "subjective",
        "label": "In the client's words",
        "help": "Reason for coming in the client's words, symptoms, goals.",
        "shown": True,
        "required": True,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "pain_nrs",
        "section": "subjective",
        "label": "Pain today (0–10, client's rating)",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "since_last",
        "section": "subjective",
        "label": "Since the last visit",
        "help": "Changes since the last visit: after-effects, new health events or medication.",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "objective",
        "section": "objective",
        "label": "Observations",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "impression_rhythm",
        "section": "objective",
        "label": "Rhythm: rate, amplitude, symmetry",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": True,
    },
    {
        "key": "impression_restrictions",
        "section": "objective",
        "label": "Restrictions",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": True,
    },
    {
        "key": "impression_still_points",
        "section": "objective",
        "label": "Still points",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": True,
    },
    {
        "key": "mouth_opening_mm",
        "section": "objective",
        "label": "Mouth opening (mm)",
        "help": "Measured, in millimetres (0–100). Leave empty if not measured.",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "bio_orientation",
        "section": "treatment",
        "label": "Orientation (e.g. mid-tide)",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "bio_stillness",
        "section": "treatment",
        "label": "Stillness or holistic shift",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "bio_felt_sense",
        "section": "treatment",
        "label": "Client's felt sense",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "bio_resourcing",
        "section": "treatment",
        "label": "Resourcing",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "bio_closing_state",
        "section": "treatment",
        "label": "Closing state",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "client_response",
        "section": "treatment",
        "label": "Client's response",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "assessment",
        "section": "assessment",
        "label": "Assessment",
        "help": "Response to the session and progress against goals; flags and referrals. No diagnosis.",
        "shown": True,
        "required": True,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "plan",
        "section": "plan",
        "label": "Plan (ours)",
        "help": "Next session, sessions until reassessment, self-care, referrals, discharge criteria.",
        "shown": True,
        "required": True,
        "kind": "builtin",
        "unit": "",
        "impression": False,
    },
    {
        "key": "x_jaw",
        "section": "objective",
        "label": "Jaw width",
        "help": "",
        "shown": True,
        "required": False,
        "kind": "number",
        "unit": "mm",
        "impression": False,
    },
]


def test_a_stored_versions_fields_hash_the_same_forever() -> None:
    assert (
        fields.spec_hash(fields.from_data(STORED)) == "3d1d9770448e51853abb26d87f30493a58016c7b4809933dfd6fc6072e9035b6"
    )


def test_a_built_in_field_missing_from_a_stored_version_hashes_as_shipped_today() -> None:
    assert fields.spec_hash(fields.from_data([row for row in STORED if row["key"] != "since_last"])) == (
        "45d352e126d66afd3dab61429be4eb1e3ee93741ac89fc34bef441030a05d109"
    )
