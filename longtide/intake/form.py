"""The intake form as data: its steps, questions and the rules that check answers. No Django.

A form version is the shipped questions plus a practice's own (`Field.from_dict`), stored as JSON
on the version row; every answer is stored against the version it answered. Checking is
server-side and total: `check_step` returns the cleaned answers and, per field, one specific
message; what the client typed is kept by the caller whatever the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from longtide.intake import screening
from longtide.lib.i18n_marks import MarkedError, gettext_noop
from longtide.outcomes.concerns import Concern

FORM_VERSION = "2026.1"
TEXT_MAX = 200
LONG_TEXT_MAX = 4000
OLDEST_YEAR = 1900
FUTURE_YEARS = 10  # a practice's own date question: at most this many years ahead
PHONE = re.compile(r"^[0-9+() .\-]{6,25}$")

REASONS: tuple[tuple[str, str], ...] = (
    (Concern.STRESS_ANXIETY, gettext_noop("Stress, tension or anxiety")),
    (Concern.HEADACHE, gettext_noop("Headaches or migraines")),
    (Concern.NECK_BACK_PAIN, gettext_noop("Neck or back pain")),
    (Concern.TMJ, gettext_noop("Jaw pain or TMJ")),
    (Concern.SHOULDER, gettext_noop("Shoulder pain")),
    (Concern.PMS_CRAMPS, gettext_noop("PMS and period cramps")),
    (Concern.FIBROMYALGIA, gettext_noop("Fibromyalgia")),
    (Concern.FATIGUE, gettext_noop("Fatigue")),
    (Concern.SLEEP, gettext_noop("Sleep problems")),
    (
        Concern.NERVOUS_SYSTEM_REGULATION,
        gettext_noop("Feeling on edge or hard to settle (“nervous system regulation”)"),
    ),
    (Concern.INJURY_RECOVERY, gettext_noop("Recovery from an injury")),
    (Concern.TRAUMA_RECOVERY, gettext_noop("Recovery from trauma")),
    (Concern.OTHER, gettext_noop("Something else")),
)
REASON_KEYS = frozenset(str(key) for key, _label in REASONS)
BODYWORK = (
    ("none", gettext_noop("No")),
    ("cst", gettext_noop("Yes, craniosacral therapy")),
    ("other", gettext_noop("Yes, other bodywork or massage")),
)
KINDS = frozenset({"text", "longtext", "date", "phone", "yesno", "choice"})


class QuestionError(MarkedError):
    """A practice's own question that cannot be asked (its message is marked for translation)."""


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    kind: str = "text"
    required: bool = True
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    shipped: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Field:
        """A practice's own question (asked on the health step)."""
        key, label, kind = str(data.get("key", "")), str(data.get("label", "")).strip(), str(data.get("kind", "text"))
        if not screening.KEY_PATTERN.match(key):
            raise QuestionError(gettext_noop("Question key “%(key)s”: use lowercase letters, digits and _."), key=key)
        if not label or kind not in KINDS:
            raise QuestionError(
                gettext_noop("Question %(key)s needs a label and a kind among %(kinds)s."),
                key=key,
                kinds=", ".join(sorted(KINDS)),
            )
        raw_choices = data.get("choices") or []
        choices = tuple((str(c), str(c)) for c in raw_choices) if isinstance(raw_choices, list) else ()
        if kind == "choice" and not choices:
            raise QuestionError(gettext_noop("Question %(key)s is a choice: give it its choices."), key=key)
        return cls(
            f"x_{key}", label, kind, bool(data.get("required", False)), str(data.get("help", "")), choices, False
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
            "choices": [c for c, _ in self.choices],
        }


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    intro: str
    fields: tuple[Field, ...] = ()


ABOUT = Step(
    "about",
    gettext_noop("About you"),
    gettext_noop("So we know who is coming and whom to call if you feel unwell during a visit."),
    (
        Field("date_of_birth", gettext_noop("Date of birth"), "date", help=gettext_noop("For example 1985-04-23.")),
        Field("phone", gettext_noop("Your phone number"), "phone", required=False),
        Field("emergency_name", gettext_noop("Emergency contact: name")),
        Field("emergency_relationship", gettext_noop("Emergency contact: how you know them"), required=False),
        Field("emergency_phone", gettext_noop("Emergency contact: phone"), "phone"),
        Field(
            "guardian_name",
            gettext_noop("Parent or guardian: full name"),
            required=False,
            help=gettext_noop("Needed if the client is under 18: a parent or guardian fills in and signs this form."),
        ),
        Field("guardian_relationship", gettext_noop("Parent or guardian: relationship to the client"), required=False),
        Field("guardian_phone", gettext_noop("Parent or guardian: phone"), "phone", required=False),
    ),
)
REASONS_STEP = Step(
    "reasons",
    gettext_noop("Why you are coming"),
    gettext_noop(
        "Tick everything that applies, say how much each one bothers you (0 = not at all, 10 = as bad as it "
        "could be) and choose the one that matters most to you."
    ),
    (
        Field("other_reason", gettext_noop("If something else: what is it?"), required=False),
        Field(
            "goals",
            gettext_noop("What would you like to be different after your sessions? (in your own words)"),
            "longtext",
        ),
    ),
)
HEALTH = Step(
    "health",
    gettext_noop("Your health"),
    gettext_noop("Your practitioner reads this before your first session. Leave blank anything that does not apply."),
    (
        Field(
            "health_history",
            gettext_noop("Health conditions, operations or injuries we should know about"),
            "longtext",
            False,
        ),
        Field("medications", gettext_noop("Medicines and supplements you take"), "longtext", False),
        Field(
            "previous_bodywork",
            gettext_noop("Have you had craniosacral therapy or other bodywork before?"),
            "choice",
            choices=BODYWORK,
        ),
        Field("previous_bodywork_notes", gettext_noop("If yes: how did it go?"), "longtext", False),
    ),
)
SCREEN = Step(
    "screen",
    gettext_noop("Safety questions"),
    gettext_noop(
        "These questions check whether it is safe to go ahead, or whether you should see a doctor first. "
        "They do not diagnose anything. Please answer each one."
    ),
)
CONSENT = Step(
    "consent",
    gettext_noop("Consent"),
    gettext_noop("Please read each document. Tick the ones you agree to and type your full name to sign."),
)
STEPS: tuple[Step, ...] = (ABOUT, REASONS_STEP, HEALTH, SCREEN, CONSENT)
STEP_KEYS = tuple(step.key for step in STEPS)


@dataclass(frozen=True, slots=True)
class Definition:
    """One version of a practice's form: the shipped steps, its own questions and its screen."""

    version: str
    extra_fields: tuple[Field, ...] = ()
    screen: tuple[screening.Item, ...] = screening.SHIPPED

    def fields_of(self, step: str) -> tuple[Field, ...]:
        base = next(s for s in STEPS if s.key == step).fields
        return base + self.extra_fields if step == "health" else base

    @classmethod
    def build(cls, version: str, data: Mapping[str, object]) -> Definition:
        extra_q = data.get("questions") or []
        extra_s = data.get("screen") or []
        fields = tuple(Field.from_dict(q) for q in extra_q) if isinstance(extra_q, list) else ()
        screen = screening.extend(extra_s) if isinstance(extra_s, list) else screening.SHIPPED
        return cls(version, fields, screen)


SHIPPED_DEFINITION = Definition(FORM_VERSION)


Gettext = Callable[[str], str]


def _same(message: str) -> str:
    return message


@dataclass
class Checked:
    """A step's cleaned answers and its problems (field key → message; "" is the whole step)."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: object) -> str:
    value = raw[-1] if isinstance(raw, list) and raw else raw
    text = "" if value is None or isinstance(value, list) else str(value)
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n").strip()


def _date(text: str, today: date, *, birth: bool = True, gettext: Gettext = _same) -> tuple[date | None, str]:
    """A date typed year-month-day. The date of birth may not be in the future; a practice's own
    date question (a due date, say) may be, within FUTURE_YEARS."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None, gettext("Please give the date as year-month-day, for example 1985-04-23.")
    if birth and value > today:
        return None, gettext("The date of birth cannot be in the future.")
    if value.year < OLDEST_YEAR or value.year > today.year + FUTURE_YEARS:
        return None, gettext("Please check the year.")
    return value, ""


def shown_label(f: Field, gettext: Gettext = _same) -> str:
    """The field's label in the language of `gettext` when it is a shipped one (a practice's own is
    shown as typed)."""
    return gettext(f.label) if f.shipped else f.label


def check_fields(fields: Sequence[Field], data: Mapping[str, object], today: date, gettext: Gettext = _same) -> Checked:
    """Check answers; messages in the language of `gettext` (the caller's; English when not given)."""
    out = Checked()
    for f in fields:
        text = _text(data.get(f.key))
        limit = LONG_TEXT_MAX if f.kind == "longtext" else TEXT_MAX
        if not text:
            if f.required:
                label = {"label": shown_label(f, gettext)}
                out.errors[f.key] = (
                    gettext("Please choose an answer for “%(label)s”.") % label
                    if f.kind in ("choice", "yesno")
                    else gettext("Please fill in “%(label)s”.") % label
                )
            out.answers[f.key] = ""
            continue
        if len(text) > limit:
            out.errors[f.key] = gettext("Please keep this under %(limit)s characters (it has %(length)s).") % {
                "limit": limit,
                "length": len(text),
            }
        elif f.kind == "date":
            value, problem = _date(text, today, birth=f.key == "date_of_birth", gettext=gettext)
            if problem:
                out.errors[f.key] = problem
            text = value.isoformat() if value else text
        elif f.kind == "phone" and not PHONE.match(text):
            out.errors[f.key] = gettext("Please give a phone number using digits (spaces, +, ( ) and - are fine).")
        elif f.kind == "yesno" and text not in ("yes", "no"):
            out.errors[f.key] = gettext("Please answer yes or no.")
        elif f.kind == "choice" and text not in {c for c, _ in f.choices}:
            out.errors[f.key] = gettext("Please choose one of the answers offered.")
        out.answers[f.key] = text
    return out


def is_minor(date_of_birth: str, today: date) -> bool:
    try:
        born = date.fromisoformat(date_of_birth)
    except ValueError:
        return False
    return screening.age_on((born.year, born.month, born.day), (today.year, today.month, today.day)) < (
        screening.ADULT_AGE
    )


def check_about(definition: Definition, data: Mapping[str, object], today: date, gettext: Gettext = _same) -> Checked:
    out = check_fields(definition.fields_of("about"), data, today, gettext)
    if "date_of_birth" not in out.errors and is_minor(str(out.answers.get("date_of_birth", "")), today):
        for key, message in (
            ("guardian_name", gettext("The client is under 18: please give the parent's or guardian's name.")),
            (
                "guardian_relationship",
                gettext("The client is under 18: please give the parent's or guardian's relationship."),
            ),
            ("guardian_phone", gettext("The client is under 18: please give the parent's or guardian's phone.")),
        ):
            if not out.answers.get(key) and key not in out.errors:
                out.errors[key] = message
    return out


def check_reasons(definition: Definition, data: Mapping[str, object], today: date, gettext: Gettext = _same) -> Checked:
    out = check_fields(definition.fields_of("reasons"), data, today, gettext)
    raw = data.get("reasons")
    chosen = [str(v) for v in raw] if isinstance(raw, list) else ([str(raw)] if raw else [])
    chosen = [key for key, _label in REASONS if key in set(chosen)]
    out.answers["reasons"] = chosen
    if not chosen:
        out.errors["reasons"] = gettext("Please tick at least one reason for coming (or “Something else”).")
    severity: dict[str, int | None] = {}
    for key, label in REASONS:
        text = _text(data.get(f"severity_{key}"))
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 and int(text) <= 10 else None
        severity[key] = value
        if key in chosen and value is None:
            out.errors[f"severity_{key}"] = gettext("Please say how much “%(reason)s” bothers you, from 0 to 10.") % {
                "reason": gettext(label)
            }
        elif text and value is None:
            out.errors[f"severity_{key}"] = gettext("Please choose a number from 0 to 10.")
    out.answers["severity"] = {key: value for key, value in severity.items() if key in chosen}
    out.answers["severity_typed"] = {key: value for key, value in severity.items() if value is not None}
    main = _text(data.get("main_reason"))
    if len(chosen) == 1:
        main = chosen[0]
    out.answers["main_reason"] = main
    if chosen and main not in chosen:
        out.errors["main_reason"] = gettext("Please choose which of the reasons you ticked matters most to you.")
    if Concern.OTHER in chosen and not out.answers.get("other_reason"):
        out.errors["other_reason"] = gettext("You ticked “Something else”: please say what it is.")
    return out


def check_screen(definition: Definition, data: Mapping[str, object], gettext: Gettext = _same) -> Checked:
    out = Checked()
    for item in screening.questions(definition.screen):
        text = _text(data.get(f"q_{item.key}"))
        out.answers[item.key] = {"yes": True, "no": False}.get(text)
    for key in screening.missing_answers(definition.screen, out.answers):  # type: ignore[arg-type]
        out.errors[f"q_{key}"] = gettext("Please answer yes or no.")
    return out


def check_step(
    definition: Definition, step: str, data: Mapping[str, object], today: date, gettext: Gettext = _same
) -> Checked:
    """Check one step's answers (POST data as a mapping of lists or strings). The messages are
    written with `gettext` (the caller passes Django's, so they come out in the active language and
    makemessages extracts them: the parameter is named for it); English when not given."""
    if step == "about":
        return check_about(definition, data, today, gettext)
    if step == "reasons":
        return check_reasons(definition, data, today, gettext)
    if step == "health":
        return check_fields(definition.fields_of("health"), data, today, gettext)
    if step == "screen":
        return check_screen(definition, data, gettext)
    raise ValueError(f"not a form step: {step}")


# -- a practice's own questions: building the next version's definition (the owner's settings page) --

OWN_LABEL_MAX = 200
OWN_CHOICES_MAX = 12


def key_for(label: str, taken: set[str]) -> str:
    """A stable key for a new question or screen item, from its wording, unlike any in `taken`."""
    words = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    base = ("q_" + words if not words[:1].isalpha() else words)[:40].rstrip("_") or "question"
    if len(base) < 2:
        base = f"q_{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _taken(definition: Mapping[str, object]) -> set[str]:
    keys = {item.key for item in screening.SHIPPED}
    for section in ("questions", "screen"):
        entries = definition.get(section) or []
        if isinstance(entries, list):
            keys |= {str(entry.get("key", "")) for entry in entries if isinstance(entry, Mapping)}
    return keys


def _entries(definition: Mapping[str, object], section: str) -> list[dict[str, object]]:
    entries = definition.get(section) or []
    return [dict(entry) for entry in entries if isinstance(entry, Mapping)] if isinstance(entries, list) else []


def _asked(definition: Mapping[str, object], section: str, name: str) -> set[str]:
    return {str(entry.get(name, "")).casefold() for entry in _entries(definition, section)}


def with_question(
    definition: Mapping[str, object], *, label: str, kind: str, required: bool, choices: Sequence[str], help: str = ""
) -> dict[str, object]:
    """The next version's definition: the practice's questions plus this one (asked on the health step).
    Refused (MarkedError) when the practice already asks it: the same form sent twice (a double
    click) would otherwise publish a version with the question twice."""
    if label.casefold() in _asked(definition, "questions", "label"):
        raise MarkedError(gettext_noop("The form already asks “%(label)s”."), label=label)
    question: dict[str, object] = {
        "key": key_for(label, _taken(definition)),
        "label": label,
        "kind": kind,
        "required": required,
        "help": help,
    }
    if kind == "choice":
        question["choices"] = list(choices)
    return {
        "questions": [*_entries(definition, "questions"), question],
        "screen": _entries(definition, "screen"),
    }


def with_screen_item(
    definition: Mapping[str, object], *, question: str, level: str, staff_label: str
) -> dict[str, object]:
    """The next version's definition: the practice's screen items plus this one (after the shipped ones).
    Refused (MarkedError) when the practice already asks it (see with_question)."""
    if question.casefold() in _asked(definition, "screen", "question"):
        raise MarkedError(gettext_noop("The form already asks “%(label)s”."), label=question)
    item = {
        "key": key_for(staff_label or question, _taken(definition)),
        "question": question,
        "level": level,
        "staff_label": staff_label or question,
    }
    return {"questions": _entries(definition, "questions"), "screen": [*_entries(definition, "screen"), item]}


def without(definition: Mapping[str, object], key: str) -> dict[str, object]:
    """The next version's definition without the practice's own question or item `key` (a shipped one
    is never in a definition, so it cannot be removed here)."""
    return {
        section: [entry for entry in _entries(definition, section) if entry.get("key") != key]
        for section in ("questions", "screen")
    }
