"""The shipped CST note template (domain.md §4): contact regions and named holds as checklists.

Django-free. A note records the template key and version it was written with; a changed list is a
new version, so an old note's ticks keep their meaning. Labels are the practitioners' own terms
for what they do: they describe the work, they claim nothing about what it does.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_KEY = "cst"
TEMPLATE_VERSION = 1


@dataclass(frozen=True)
class Item:
    key: str
    label: str


REGIONS: tuple[Item, ...] = (
    Item("feet", "Feet"),
    Item("legs", "Legs"),
    Item("hips_pelvis", "Hips / pelvis"),
    Item("sacrum", "Sacrum"),
    Item("spine", "Spine"),
    Item("ribs", "Ribs"),
    Item("shoulders", "Shoulders"),
    Item("neck", "Neck"),
    Item("head", "Head"),
    Item("face_jaw", "Face / jaw"),
)

# The Upledger 10-step sequence, then holds named outside it.
HOLDS: tuple[Item, ...] = (
    Item("listening_stations", "Rhythm evaluation at listening stations"),
    Item("still_point_cv4", "Still point / CV-4"),
    Item("pelvic_diaphragm", "Pelvic diaphragm release"),
    Item("respiratory_diaphragm", "Respiratory diaphragm release"),
    Item("thoracic_inlet", "Thoracic inlet release"),
    Item("hyoid", "Hyoid release"),
    Item("occipital_cranial_base", "Occipital cranial base release"),
    Item("frontal_lift", "Frontal lift"),
    Item("parietal_lift", "Parietal lift"),
    Item("sphenoid", "Sphenoid compression–decompression"),
    Item("temporal", "Temporal techniques"),
    Item("tmj", "TMJ compression–decompression"),
    Item("sacral_dural_tube", "Sacral decompression and dural tube"),
    Item("cranial_vault_hold", "Cranial vault hold"),
    Item("sacral_hold", "Sacral hold"),
    Item("v_spread", "V-spread"),
    Item("unwinding", "Unwinding"),
    Item("somatoemotional_release", "SomatoEmotional Release"),
)

# Holds that need their own consent tick in the consent check (domain.md §3, §4).
HOLDS_NEEDING_CONSENT = {"pelvic_diaphragm": "pelvic_diaphragm_consent"}

REGION_KEYS = frozenset(item.key for item in REGIONS)
HOLD_KEYS = frozenset(item.key for item in HOLDS)


def labels(items: tuple[Item, ...], keys: list[str]) -> list[str]:
    """The labels of the ticked keys, in the template's order (unknown keys are shown as stored)."""
    known = [item.label for item in items if item.key in keys]
    return known + [key for key in keys if key not in {item.key for item in items}]
