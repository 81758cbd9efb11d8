"""The shipped CST note template (domain.md §4): contact regions and named holds as checklists.

Django-free. A note records the template key and version it was written with; a changed list is a
new version, so an old note's ticks keep their meaning. Labels are the practitioners' own terms
for what they do: they describe the work, they claim nothing about what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from longtide.lib.i18n_marks import gettext_noop

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


# -- a practice's own checklists ---------------------------------------------------------------
#
# A practice may keep its own lists of contact regions and holds (notes/checklists.py stores each
# version; a note points to the one it was written with). Items keep their key from version to
# version while their label is unchanged, so old ticks keep their meaning; a new label is a new
# item. Holds with a consent rule (HOLDS_NEEDING_CONSENT) are fixed: always on the list with their
# shipped label, so no edit can take the consent check away from them.

ITEMS_MAX = 60
LABEL_MAX = 80


@dataclass(frozen=True)
class Checklist:
    key: str
    version: int
    regions: tuple[Item, ...]
    holds: tuple[Item, ...]


SHIPPED = Checklist(TEMPLATE_KEY, TEMPLATE_VERSION, REGIONS, HOLDS)
PRACTICE_KEY = "practice"
FIXED_HOLDS: tuple[Item, ...] = tuple(item for item in HOLDS if item.key in HOLDS_NEEDING_CONSENT)


def _slug(label: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in label.lower())
    return "_".join(part for part in out.split("_") if part)[:40] or "item"


def _same(message: str) -> str:
    return message


# What a list holds: the messages name it ("Keep at least one region on the list.").
TOO_MANY = {
    "region": gettext_noop("Keep the list to %(n)s regions or fewer."),
    "hold": gettext_noop("Keep the list to %(n)s holds or fewer."),
    "item": gettext_noop("Keep the list to %(n)s items or fewer."),
}
NONE_LEFT = {
    "region": gettext_noop("Keep at least one region on the list."),
    "hold": gettext_noop("Keep at least one hold on the list."),
    "item": gettext_noop("Keep at least one item on the list."),
}


def parse_items(
    text: str,
    previous: tuple[Item, ...],
    *,
    fixed: tuple[Item, ...] = (),
    what: str = "item",
    gettext: Callable[[str], str] = _same,
) -> tuple[tuple[Item, ...], list[str]]:
    """A list typed one label per line, as items: a label already on `previous` keeps its key, a
    new one gets a new key; `fixed` items are kept whatever was typed. Returns (items, problems),
    the problems in the language of `gettext` (the caller's; English when not given)."""
    problems: list[str] = []
    labels: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        label = " ".join("".join(ch for ch in raw if ch.isprintable()).split())
        if not label:
            continue
        if len(label) > LABEL_MAX:
            problems.append(
                gettext("“%(start)s…” is longer than %(n)s characters.") % {"start": label[:30], "n": LABEL_MAX}
            )
            continue
        if label.casefold() in (seen.casefold() for seen in labels):
            problems.append(gettext("“%(label)s” is on the list twice.") % {"label": label})
            continue
        labels.append(label)
    fixed_labels = {item.label.casefold() for item in fixed}
    labels = [label for label in labels if label.casefold() not in fixed_labels]
    if len(labels) + len(fixed) > ITEMS_MAX:
        problems.append(gettext(TOO_MANY[what]) % {"n": ITEMS_MAX})
    if not labels and not fixed and not problems:
        problems.append(gettext(NONE_LEFT[what]))
    by_label = {item.label.casefold(): item.key for item in previous}
    taken = {item.key for item in previous} | {item.key for item in fixed}
    items: list[Item] = []
    for label in labels:
        key = by_label.get(label.casefold())
        if key is None or key in {item.key for item in items}:
            base = _slug(label)
            key, n = base, 2
            while key in taken:
                key, n = f"{base}_{n}", n + 1
        taken.add(key)
        items.append(Item(key, label))
    return tuple(items) + fixed, problems


def as_text(items: tuple[Item, ...], *, fixed: tuple[Item, ...] = ()) -> str:
    """A list as the page shows it for editing: one label per line, fixed items left out."""
    skip = {item.key for item in fixed}
    return "\n".join(item.label for item in items if item.key not in skip)
