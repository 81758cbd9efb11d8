"""May a practice offer an instrument? Licences, licensed wording and the crisis-protocol switch.

Licensed instruments ship with structure and scoring only. A practice can offer one once it records
that it holds the licence *and* supplies the licensed wording for every item and option
(``LicensedText``); ``with_text`` then returns the instrument with that wording filled in, whose
``content_hash()`` the Django layer stores with each set of answers. PHQ-9 additionally needs the
practice's crisis protocol switched on (its item 9 asks about self-harm).

    ok = availability(instrument, holds_licence=..., licensed_text=..., crisis_protocol=...)
    if not ok.usable: show ok.reasons
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments.definition import ChoiceItem, Instrument, Item, NumberItem, Option, TextItem

NEEDS_LICENCE = gettext_noop("This questionnaire is licensed: record that the practice holds a licence for it.")
NEEDS_TEXT = gettext_noop("This questionnaire is licensed: add its licensed wording for every question and answer.")
NEEDS_CRISIS_PROTOCOL = gettext_noop(
    "This questionnaire asks about self-harm: switch on the practice's crisis protocol before offering it."
)


@dataclass(frozen=True, slots=True)
class LicensedText:
    """The wording a licence holder supplies for a licensed instrument version."""

    instrument: str
    version: int
    item_texts: Mapping[str, str]
    option_labels: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    instructions: str | None = None

    def sha256(self) -> str:
        data = {
            "instrument": self.instrument,
            "version": self.version,
            "instructions": self.instructions,
            "items": {key: self.item_texts[key] for key in sorted(self.item_texts)},
            "options": {
                key: {str(value): labels[value] for value in sorted(labels)}
                for key, labels in sorted(self.option_labels.items())
            },
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Availability:
    usable: bool
    reasons: tuple[str, ...]


def text_problems(instrument: Instrument, text: LicensedText) -> list[str]:
    """Return what is missing from or does not belong in ``text`` (empty when it fits)."""
    problems: list[str] = []
    if (text.instrument, text.version) != instrument.key:
        problems.append(f"wording is for {text.instrument} v{text.version}, not {instrument.id} v{instrument.version}")
    for key in text.item_texts:
        if not instrument.has_item(key):
            problems.append(f"no item {key!r}")
    for key in text.option_labels:
        if not instrument.has_item(key) or not isinstance(instrument.item(key), ChoiceItem):
            problems.append(f"no choice item {key!r}")
    for item in instrument.items:
        if not (text.item_texts.get(item.id) or "").strip():
            problems.append(f"item {item.id!r} has no text")
        if isinstance(item, ChoiceItem):
            labels = text.option_labels.get(item.id, {})
            values = {option.value for option in item.options}
            for value in values - set(labels):
                problems.append(f"item {item.id!r} option {value} has no label")
            for value in set(labels) - values:
                problems.append(f"item {item.id!r} has no option {value}")
    return problems


def with_text(instrument: Instrument, text: LicensedText) -> Instrument:
    """Return ``instrument`` with the licensed wording filled in. Raises ValueError if it does not fit."""
    problems = text_problems(instrument, text)
    if problems:
        raise ValueError("; ".join(problems))
    return dataclasses.replace(
        instrument,
        instructions=text.instructions,
        items=tuple(_filled(item, text) for item in instrument.items),
    )


def availability(
    instrument: Instrument,
    *,
    holds_licence: bool,
    licensed_text: LicensedText | None,
    crisis_protocol: bool,
) -> Availability:
    """Return whether a practice may offer ``instrument``, and if not, why (translatable reasons)."""
    reasons: list[str] = []
    if instrument.licence.requires_practice_licence:
        if not holds_licence:
            reasons.append(NEEDS_LICENCE)
        if licensed_text is None or text_problems(instrument, licensed_text):
            reasons.append(NEEDS_TEXT)
    if instrument.requires_crisis_protocol and not crisis_protocol:
        reasons.append(NEEDS_CRISIS_PROTOCOL)
    return Availability(not reasons, tuple(reasons))


def _filled(item: Item, text: LicensedText) -> Item:
    wording = text.item_texts[item.id]
    if isinstance(item, ChoiceItem):
        labels = text.option_labels[item.id]
        options = tuple(Option(o.value, labels[o.value], o.points) for o in item.options)
        return dataclasses.replace(item, text=wording, options=options)
    if isinstance(item, NumberItem | TextItem):
        return dataclasses.replace(item, text=wording)
    raise TypeError(item)
