"""Score a set of answers against one instrument version: ``score(instrument, answers)``.

    result = score(instruments.get("gad7", 1), {"q1": 2, "q2": 1, ...})
    match result:
        case Scored(total=total, band=band): ...
        case NotScorable(reason=reason, params=params): ...   # never a silent imputation

Answers that do not fit the instrument (an unknown item, a value that is not an option, a number
out of range, an answer to a question that was not asked) raise ``InvalidAnswers`` with one
message per item: that is bad input for the form to show, not a scoring outcome. ``validate``
returns the same messages without raising, and ``alerts`` finds crisis answers in partial answers
(call it on every save: a self-harm answer must route at once, scorable or not).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.instruments.definition import (
    AlertKind,
    Answers,
    Band,
    ChoiceItem,
    Condition,
    Instrument,
    NumberItem,
    Subscale,
    TextItem,
    band_for,
)
from longtide.outcomes.instruments.rules import Points, Unscorable, Value, missing_of


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message template and the values that fill it."""

    text: str
    params: Mapping[str, int | float | str] = field(default_factory=dict)

    def render(self) -> str:
        return self.text % dict(self.params) if self.params else self.text


class InvalidAnswers(ValueError):
    """The answers do not fit the instrument; ``problems`` maps item ids (or ``"*"``) to messages."""

    def __init__(self, problems: Mapping[str, Message]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{key}: {message.render()}" for key, message in self.problems.items()))


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    item: str


@dataclass(frozen=True, slots=True)
class SubscaleScore:
    key: str
    label: str
    value: float | None
    not_scorable: Unscorable | None
    band: Band | None = None
    positive_screen: bool | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    instrument: str
    version: int
    total: float
    band: Band | None
    subscales: tuple[SubscaleScore, ...]
    answered: int
    missing: tuple[str, ...]
    alerts: tuple[Alert, ...] = ()

    def subscale(self, key: str) -> SubscaleScore:
        return _find(self.subscales, key)


@dataclass(frozen=True, slots=True)
class NotScorable:
    instrument: str
    version: int
    reason: str
    params: Mapping[str, int | str]
    subscales: tuple[SubscaleScore, ...]
    answered: int
    missing: tuple[str, ...]
    alerts: tuple[Alert, ...] = ()

    @property
    def message(self) -> str:
        return self.reason % dict(self.params) if self.params else self.reason

    def subscale(self, key: str) -> SubscaleScore:
        return _find(self.subscales, key)


type ScoreResult = Scored | NotScorable


NOT_AN_ITEM = gettext_noop("This is not a question of this questionnaire.")
NOT_AN_OPTION = gettext_noop("Choose one of the answers offered.")
NOT_A_NUMBER = gettext_noop("Enter a number.")
NOT_A_WHOLE_NUMBER = gettext_noop("Enter a whole number.")
OUT_OF_RANGE = gettext_noop("Enter a number from %(minimum)s to %(maximum)s.")
NOT_TEXT = gettext_noop("Enter text.")
TEXT_TOO_LONG = gettext_noop("Keep this to %(max_length)d characters or fewer.")
TEXT_HAS_CONTROL = gettext_noop("Remove the control characters from this answer.")
NOT_ASKED = gettext_noop("This question only applies after a different earlier answer; leave it empty.")
TOO_MANY_MISSING_OVERALL = gettext_noop(
    "Not scorable: %(missing)d questions were not answered or do not apply, and at most %(allowed)d may be."
)


def validate(instrument: Instrument, answers: Answers) -> dict[str, Message]:
    """Return a message per answer that does not fit ``instrument`` (empty when all fit)."""
    problems: dict[str, Message] = {}
    for key, answer in answers.items():
        if not instrument.has_item(key):
            problems[key] = Message(NOT_AN_ITEM)
            continue
        if answer is None:
            continue
        item = instrument.item(key)
        if item.when is not None and answers.get(item.when.item) != item.when.equals:
            problems[key] = Message(NOT_ASKED)
            continue
        problem = _check_answer(item, answer)
        if problem is not None:
            problems[key] = problem
    if not problems:
        for check in instrument.checks:
            values = [answers.get(item) for item in check.items]
            if any(not isinstance(v, int | float) for v in values):
                continue
            limit = check.at_most if check.at_most_item is None else answers.get(check.at_most_item)
            if isinstance(limit, int | float) and sum(v for v in values if isinstance(v, int | float)) > limit:
                problems[check.items[-1]] = Message(check.message)
    return problems


def points(instrument: Instrument, answers: Answers) -> dict[str, float | None]:
    """Return each scored item's points (``None``: unanswered, not asked or not applicable)."""
    result: dict[str, float | None] = {}
    for item in instrument.scored_items:
        answer = answers.get(item.id)
        if answer is None or isinstance(item, TextItem) or isinstance(answer, str):
            result[item.id] = None
        elif isinstance(item, ChoiceItem):
            option = item.option(int(answer))
            result[item.id] = None if option is None else option.points
        else:
            result[item.id] = float(answer)
    return result


def alerts(instrument: Instrument, answers: Answers) -> tuple[Alert, ...]:
    """Return the alerts raised by ``answers`` (which may be partial). Never raises."""
    raised: list[Alert] = []
    for item in instrument.alert_items():
        answer = answers.get(item.id)
        rule = item.alert
        if rule is not None and type(answer) is int and answer >= rule.at_or_above:
            raised.append(Alert(rule.kind, item.id))
    return tuple(raised)


def score(instrument: Instrument, answers: Answers) -> ScoreResult:
    """Return the total, band and subscales of ``answers``, or why they are not scorable.

    Raises ``InvalidAnswers`` when an answer does not fit the instrument.
    """
    problems = validate(instrument, answers)
    if problems:
        raise InvalidAnswers(problems)
    item_points = points(instrument, answers)
    asked = tuple(item.id for item in instrument.scored_items if _asked(item.when, answers))
    missing = missing_of(item_points, asked)
    answered = len(asked) - len(missing)
    raised = alerts(instrument, answers)

    if instrument.max_missing_overall is not None and len(missing) > instrument.max_missing_overall:
        gate = Unscorable(
            TOO_MANY_MISSING_OVERALL, {"missing": len(missing), "allowed": instrument.max_missing_overall}
        )
        subscales = tuple(SubscaleScore(s.key, s.label, None, gate) for s in instrument.subscales)
        return NotScorable(
            instrument.id, instrument.version, gate.reason, gate.params, subscales, answered, missing, raised
        )

    subscales = tuple(_subscale(s, item_points) for s in instrument.subscales)
    computed = instrument.scoring.compute(item_points)
    if isinstance(computed, Unscorable):
        return NotScorable(
            instrument.id, instrument.version, computed.reason, computed.params, subscales, answered, missing, raised
        )
    total = _checked(instrument.id, computed, instrument.minimum, instrument.maximum)
    return Scored(
        instrument.id,
        instrument.version,
        total,
        band_for(instrument.bands, total),
        subscales,
        answered,
        missing,
        raised,
    )


def _subscale(subscale: Subscale, item_points: Points) -> SubscaleScore:
    computed = subscale.rule.compute(item_points)
    if isinstance(computed, Unscorable):
        return SubscaleScore(subscale.key, subscale.label, None, computed)
    value = _checked(subscale.key, computed, subscale.minimum, subscale.maximum)
    screen = None if subscale.positive_screen_at is None else value >= subscale.positive_screen_at
    return SubscaleScore(subscale.key, subscale.label, value, None, band_for(subscale.bands, value), screen)


def _checked(name: str, computed: Value, minimum: float, maximum: float) -> float:
    # A score outside the instrument's range means the rule and the declared range disagree: a
    # programming error, never something to show a client.
    value = computed.value
    if not (minimum - 1e-9 <= value <= maximum + 1e-9):
        raise AssertionError(f"{name}: score {value} outside {minimum}..{maximum}")
    return value


def _asked(condition: Condition | None, answers: Answers) -> bool:
    if condition is None:
        return True
    return answers.get(condition.item) == condition.equals


def _check_answer(item: ChoiceItem | NumberItem | TextItem, answer: int | float | str) -> Message | None:
    if isinstance(item, ChoiceItem):
        if type(answer) is not int or item.option(answer) is None:
            return Message(NOT_AN_OPTION)
        return None
    if isinstance(item, NumberItem):
        if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
            return Message(NOT_A_NUMBER)
        if item.integer and not float(answer).is_integer():
            return Message(NOT_A_WHOLE_NUMBER)
        if not item.minimum <= answer <= item.maximum:
            return Message(OUT_OF_RANGE, {"minimum": f"{item.minimum:g}", "maximum": f"{item.maximum:g}"})
        return None
    if not isinstance(answer, str):
        return Message(NOT_TEXT)
    if len(answer) > item.max_length:
        return Message(TEXT_TOO_LONG, {"max_length": item.max_length})
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in answer):
        return Message(TEXT_HAS_CONTROL)
    return None


def _find(subscales: tuple[SubscaleScore, ...], key: str) -> SubscaleScore:
    for subscale in subscales:
        if subscale.key == key:
            return subscale
    raise KeyError(key)
