"""The check-in form's questions and the rules for its answers (pure: no Django).

The after-effects are the common ones the treatment consent names (domain.md §5: transient
headache, tiredness, emotional release) plus dizziness, soreness and "something else". For each
the client says whether they had it and, if so, how strongly. Two more questions: whether they
needed medical care because of how they felt (a *serious* event in the practice report, domain.md
§2.6), and whether they would like the clinic to contact them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from longtide.lib.text import one_line

EFFECTS: tuple[tuple[str, str], ...] = (
    ("headache", "Headache"),
    ("tiredness", "Tiredness"),
    ("dizziness", "Dizziness or light-headedness"),
    ("emotional", "Feeling emotional or upset"),
    ("soreness", "Soreness or discomfort"),
    ("other", "Something else"),
)
SEVERITIES: tuple[tuple[str, str], ...] = (
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
)
OTHER_MAX = 500

_EFFECT_KEYS = {key for key, _label in EFFECTS}
_SEVERITY_KEYS = {key for key, _label in SEVERITIES}


@dataclass(frozen=True)
class Answer:
    effects: dict[str, str]  # effect → severity, only the ones the client had
    other: str  # what "something else" was, in their words
    sought_care: bool
    contact_me: bool

    @property
    def after_effect(self) -> bool:
        return bool(self.effects)

    @property
    def serious(self) -> bool:
        return self.sought_care


@dataclass(frozen=True)
class Checked:
    answer: Answer | None
    errors: dict[str, str] = field(default_factory=dict)


def _text(raw: object) -> str:
    return one_line(raw) if isinstance(raw, str) else ""


def _yes_no(data: Mapping[str, object], key: str, errors: dict[str, str], message: str) -> bool:
    value = data.get(key)
    if value not in ("yes", "no"):
        errors[key] = message
    return value == "yes"


def check(data: Mapping[str, object]) -> Checked:
    """Check the posted form (`effects`: the ticked keys; `severity_<key>`; `other`; `sought_care`
    and `contact_me` as "yes"/"no") and return the answer or one message per field in error."""
    errors: dict[str, str] = {}
    ticked = data.get("effects", [])
    ticked = [ticked] if isinstance(ticked, str) else list(ticked) if isinstance(ticked, list | tuple) else []
    none = data.get("none") == "1"
    effects: dict[str, str] = {}
    for key in ticked:
        if key not in _EFFECT_KEYS:
            errors["effects"] = "Please choose from the list."
            continue
        severity = data.get(f"severity_{key}")
        if severity not in _SEVERITY_KEYS:
            errors[f"severity_{key}"] = "Please say how strong it was."
            continue
        effects[key] = str(severity)
    if none and ticked:
        errors["effects"] = "You ticked “none of these” and an after-effect: please choose one or the other."
    elif not none and not ticked and "effects" not in errors:
        errors["effects"] = "Tick each after-effect you had, or “none of these”."
    other = _text(data.get("other", ""))
    if len(other) > OTHER_MAX:
        errors["other"] = f"Please keep this under {OTHER_MAX} characters."
    elif "other" in effects and not other:
        errors["other"] = "Please say what else you noticed."
    sought_care = _yes_no(data, "sought_care", errors, "Please answer yes or no.")
    contact_me = _yes_no(data, "contact_me", errors, "Please answer yes or no.")
    if errors:
        return Checked(None, errors)
    return Checked(Answer(effects, other if "other" in effects else "", sought_care, contact_me))
