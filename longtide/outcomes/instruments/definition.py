"""What an instrument is: items, options, bands, MCID, licence, subscales — as frozen data.

An ``Instrument`` is one *version* of a questionnaire (or diary or record). Stored answers name the
id and version they were given against; a version never changes once it has been used (see
``content_hash`` and docs/outcomes.md, "Versioning"). Scoring rules live in ``rules.py``; each
instrument module builds its ``Instrument`` values from the types here.

Answers are plain values keyed by item id: an option's ``value`` for a choice item, a number for a
number item, a string for a text item, ``None`` (or absent) for unanswered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from longtide.outcomes.instruments.rules import ScoringRule

type Answer = int | float | str | None
type Answers = Mapping[str, Answer]

# The stored value of a "does not apply to me" option (SPADI). Scored as unanswered.
NOT_APPLICABLE = -1


class Direction(StrEnum):
    """Which end of the scale is worse for the client."""

    HIGHER_WORSE = "higher_worse"
    HIGHER_BETTER = "higher_better"


class Kind(StrEnum):
    """How an instrument is collected."""

    QUESTIONNAIRE = "questionnaire"  # at fixed timepoints
    DAILY_DIARY = "daily_diary"  # one entry per day (headache diary)
    PER_CYCLE = "per_cycle"  # one record per menstrual cycle
    FOLLOW_UP_ONLY = "follow_up_only"  # no baseline by design (PGIC)


class LicenceStatus(StrEnum):
    FREE = "free"
    LICENSED = "licensed"


@dataclass(frozen=True, slots=True)
class Licence:
    """Who may use the instrument in software.

    A ``LICENSED`` instrument ships with its structure and scoring only. A practice may use it once
    it records that it holds the licence and supplies the licensed wording (``LicensedText``); the
    Django layer checks both with ``availability()`` in ``licensing.py``.
    """

    status: LicenceStatus
    holder: str
    note: str = ""

    @property
    def requires_practice_licence(self) -> bool:
        return self.status is LicenceStatus.LICENSED


FREE = Licence(LicenceStatus.FREE, "public", "Free to reproduce and use; no permission needed.")


class AlertKind(StrEnum):
    SELF_HARM = "self_harm"  # show crisis resources at once and alert the practitioner


@dataclass(frozen=True, slots=True)
class AlertRule:
    """An answer that must trigger a route at once, whether or not the questionnaire is scorable."""

    kind: AlertKind
    at_or_above: int  # an option value; any answer >= this raises the alert


@dataclass(frozen=True, slots=True)
class Option:
    """One response option. ``value`` is what is stored; ``points`` what it scores (``None``: N/A)."""

    value: int
    label: str | None
    points: float | None


@dataclass(frozen=True, slots=True)
class Condition:
    """Ask an item only when another item was answered with ``equals``."""

    item: str
    equals: int


@dataclass(frozen=True, slots=True)
class ChoiceItem:
    id: str
    text: str | None  # None for licensed instruments: the practice supplies it
    options: tuple[Option, ...]
    alert: AlertRule | None = None
    when: Condition | None = None
    scored: bool = True

    def option(self, value: int) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    @property
    def max_points(self) -> float:
        return max(o.points for o in self.options if o.points is not None)

    @property
    def min_points(self) -> float:
        return min(o.points for o in self.options if o.points is not None)


@dataclass(frozen=True, slots=True)
class NumberItem:
    """A number typed by the client: days, minutes, hours, or a clock time in minutes after midnight."""

    id: str
    text: str | None
    minimum: float
    maximum: float
    unit: str
    integer: bool = True
    when: Condition | None = None
    scored: bool = True


@dataclass(frozen=True, slots=True)
class TextItem:
    """Free text (e.g. the activity a client chose for the PSFS). Never scored; may be clinical."""

    id: str
    text: str | None
    max_length: int = 200
    when: Condition | None = None
    scored: bool = False


type Item = ChoiceItem | NumberItem | TextItem


@dataclass(frozen=True, slots=True)
class Band:
    """A named range of scores. A score is in the band from ``lower`` (inclusive unless
    ``lower_inclusive`` is False) up to the next band's lower bound."""

    key: str
    label: str
    lower: float
    lower_inclusive: bool = True


@dataclass(frozen=True, slots=True)
class Mcid:
    """The minimal important change used to call a change meaningful.

    When both ``points`` and ``percent`` are given a change must reach both (the conservative
    reading of "2 points or 30 %"); ``percent`` is a share of the baseline's distance from the best
    possible score. Where the literature gives a range, ``points`` is its upper end and
    ``published`` keeps the range.
    """

    points: float | None
    percent: float | None
    source: str
    published: str = ""
    verify: str = ""

    def __post_init__(self) -> None:
        if self.points is None and self.percent is None:
            raise ValueError("an MCID needs points, percent or both")


@dataclass(frozen=True, slots=True)
class Subscale:
    """A named part score (PHQ-2 within PHQ-4, SPADI pain, a PSFS activity, a PSQI component)."""

    key: str
    label: str
    rule: ScoringRule
    minimum: float
    maximum: float
    direction: Direction = Direction.HIGHER_WORSE
    bands: tuple[Band, ...] = ()
    mcid: Mcid | None = None
    positive_screen_at: float | None = None  # e.g. PHQ-2 >= 3


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A rule between answers: the sum of ``items`` may not exceed ``at_most`` or the value of ``at_most_item``."""

    items: tuple[str, ...]
    message: str
    at_most: float | None = None
    at_most_item: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    version: int
    title: str
    short_title: str
    construct: str
    kind: Kind
    recall: str
    instructions: str | None
    items: tuple[Item, ...]
    scoring: ScoringRule
    minimum: float
    maximum: float
    direction: Direction
    licence: Licence
    sources: tuple[str, ...]
    bands: tuple[Band, ...] = ()
    mcid: Mcid | None = None
    subscales: tuple[Subscale, ...] = ()
    checks: tuple[CrossCheck, ...] = ()
    # Not scorable when more than this many scored items are unanswered or N/A (SPADI: 2), whatever
    # the total and subscale rules say.
    max_missing_overall: int | None = None
    requires_crisis_protocol: bool = False
    language: str = "en"
    decimals: int = 0
    verify: tuple[str, ...] = ()
    notes: str = ""
    _by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Item] = {}
        for item in self.items:
            if item.id in by_id:
                raise ValueError(f"{self.id} v{self.version}: item id {item.id!r} used twice")
            by_id[item.id] = item
        object.__setattr__(self, "_by_id", by_id)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def item(self, item_id: str) -> Item:
        return self._by_id[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._by_id

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    def subscale(self, key: str) -> Subscale:
        for subscale in self.subscales:
            if subscale.key == key:
                return subscale
        raise KeyError(f"{self.id} has no subscale {key!r}")

    def alert_items(self) -> tuple[ChoiceItem, ...]:
        return tuple(item for item in self.items if isinstance(item, ChoiceItem) and item.alert is not None)

    def content(self) -> dict[str, Any]:
        """Return what a client sees and what each answer scores, as plain JSON-able data."""
        return {
            "id": self.id,
            "version": self.version,
            "language": self.language,
            "title": self.title,
            "recall": self.recall,
            "instructions": self.instructions,
            "items": [_item_content(item) for item in self.items],
        }

    def content_hash(self) -> str:
        """Return the SHA-256 of ``content()``: pinned per version by a test, stored with answers."""
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def band_for(bands: tuple[Band, ...], score: float) -> Band | None:
    """Return the band ``score`` falls in (bands ordered by ``lower``), or None below the first."""
    found: Band | None = None
    for band in bands:
        if score > band.lower or (band.lower_inclusive and score == band.lower):
            found = band
        else:
            break
    return found


def _item_content(item: Item) -> dict[str, Any]:
    base: dict[str, Any] = {"id": item.id, "type": type(item).__name__, "text": item.text, "scored": item.scored}
    if item.when is not None:
        base["when"] = [item.when.item, item.when.equals]
    if isinstance(item, ChoiceItem):
        base["options"] = [[o.value, o.label, o.points] for o in item.options]
        if item.alert is not None:
            base["alert"] = [item.alert.kind.value, item.alert.at_or_above]
    elif isinstance(item, NumberItem):
        base.update(minimum=item.minimum, maximum=item.maximum, unit=item.unit, integer=item.integer)
    else:
        base["max_length"] = item.max_length
    return base


def scale(
    low: int,
    high: int,
    *,
    low_label: str | None,
    high_label: str | None,
) -> tuple[Option, ...]:
    """Return the options of a numeric rating scale scored as its value, labelled at the ends."""
    return tuple(
        Option(value, low_label if value == low else high_label if value == high else None, float(value))
        for value in range(low, high + 1)
    )


def choices(*labels: str | None, start: int = 0) -> tuple[Option, ...]:
    """Return options valued and scored ``start``, ``start + 1``, … in order."""
    return tuple(Option(start + i, label, float(start + i)) for i, label in enumerate(labels))


def ids(prefix: str, count: int) -> tuple[str, ...]:
    """Return ``prefix1`` … ``prefix<count>``."""
    return tuple(f"{prefix}{n}" for n in range(1, count + 1))
