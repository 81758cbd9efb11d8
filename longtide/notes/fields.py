"""The fields of a note's template (Django-free): which S/O/A/P and CST fields appear, their labels and
help, whether each is required to sign, and a practice's own extra fields (free text, or a measured
number with its unit).

The shipped template is `SHIPPED_FIELDS`. A practice's version is stored as data with its checklists
(`NoteChecklist.fields`, one version for both; notes/checklists.py) and a note keeps the version it
was written with. What a practice cannot change, because it carries safety or honesty:

- the header and the whole consent check (ongoing consent, areas, clothed, position, guardian, the
  separate pelvic-diaphragm and intra-oral ticks and the rules that tie them to the consent on file),
  the contact regions and holds (their lists have their own settings page), intra-oral work and
  whether the session stopped (and why): these are not in the spec at all;
- the "practitioner impression" labelling of the palpation fields: a practice may rename or hide
  them, but wherever one is shown it is labelled an impression, with the fixed help text, and never
  feeds an outcome (nothing reads a note's fields into outcomes; extra fields neither);
- the Subjective, Assessment and Plan text: always shown (whether they are required to sign is the
  practice's choice).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes.wording import banned_wording

SECTIONS: tuple[tuple[str, str], ...] = (
    ("subjective", gettext_noop("S — Subjective")),
    ("objective", gettext_noop("O — Objective")),
    ("treatment", gettext_noop("Treatment")),
    ("assessment", gettext_noop("A — Assessment")),
    ("plan", gettext_noop("P — Plan")),
)
SECTION_KEYS = tuple(key for key, _ in SECTIONS)
BUILTIN = "builtin"
TEXT = "text"
NUMBER = "number"
EXTRA_KINDS = ((TEXT, gettext_noop("Free text")), (NUMBER, gettext_noop("Measured number with a unit")))
EXTRA_PREFIX = "x_"
EXTRAS_MAX = 20
LABEL_MAX = 80
HELP_MAX = 200
UNIT_MAX = 20
NUMBER_MAX = Decimal("99999")
IMPRESSION_HELP = "Practitioner impression, not a measurement: shown as such everywhere, never used as an outcome."
# "(measured)" closes the reading label of a measured field (models.READING_LABELS, extra_rows): a
# label a practice gives any other field may not end with it, least of all an impression's.
MEASURED_MARK = gettext_noop("(measured)")
MEASURED_BUILTINS = frozenset({"mouth_opening_mm"})


@dataclass(frozen=True)
class Field:
    key: str
    section: str
    label: str
    help: str = ""
    shown: bool = True
    required: bool = False
    kind: str = BUILTIN
    unit: str = ""
    impression: bool = False  # a palpation finding: fixed for the built-in fields, never set by a practice

    @property
    def is_extra(self) -> bool:
        return self.kind != BUILTIN

    @property
    def is_measured(self) -> bool:
        """A measured number (a practice's number field, or the mouth opening in mm)."""
        return self.kind == NUMBER or self.key in MEASURED_BUILTINS


SHIPPED_FIELDS: tuple[Field, ...] = (
    Field(
        "subjective",
        "subjective",
        gettext_noop("In the client's words"),
        "Reason for coming in the client's words, symptoms, goals.",
        required=True,
    ),
    Field("pain_nrs", "subjective", gettext_noop("Pain today (0–10, client's rating)")),
    Field(
        "since_last",
        "subjective",
        gettext_noop("Since the last visit"),
        "Changes since the last visit: after-effects, new health events or medication.",
    ),
    Field("objective", "objective", gettext_noop("Observations")),
    Field("impression_rhythm", "objective", gettext_noop("Rhythm: rate, amplitude, symmetry"), impression=True),
    Field("impression_restrictions", "objective", gettext_noop("Restrictions"), impression=True),
    Field("impression_still_points", "objective", gettext_noop("Still points"), impression=True),
    Field(
        "mouth_opening_mm",
        "objective",
        gettext_noop("Mouth opening (mm)"),
        "Measured, in millimetres (0–100). Leave empty if not measured.",
    ),
    Field("bio_orientation", "treatment", gettext_noop("Orientation (e.g. mid-tide)")),
    Field("bio_stillness", "treatment", gettext_noop("Stillness or holistic shift")),
    Field("bio_felt_sense", "treatment", gettext_noop("Client's felt sense")),
    Field("bio_resourcing", "treatment", gettext_noop("Resourcing")),
    Field("bio_closing_state", "treatment", gettext_noop("Closing state")),
    Field("client_response", "treatment", gettext_noop("Client's response")),
    Field(
        "assessment",
        "assessment",
        gettext_noop("Assessment"),
        "Response to the session and progress against goals; flags and referrals. No diagnosis.",
        required=True,
    ),
    Field(
        "plan",
        "plan",
        gettext_noop("Plan"),
        "Next session, sessions until reassessment, self-care, referrals, discharge criteria.",
        required=True,
    ),
)
BUILTIN_BY_KEY = {f.key: f for f in SHIPPED_FIELDS}
ALWAYS_SHOWN = frozenset({"subjective", "assessment", "plan"})


def to_data(fields: Sequence[Field]) -> list[dict[str, Any]]:
    """The spec as stored and as the API gives it (JSON-ready, in order)."""
    return [asdict(f) for f in fields]


def from_data(data: Sequence[Mapping[str, Any]]) -> tuple[Field, ...]:
    """A stored spec back as fields. The fixed parts of a built-in field (its section, kind, whether it
    is an impression) come from the code, never from the data; a built-in missing from the data is
    shown as shipped; `ALWAYS_SHOWN` fields are always shown."""
    out: list[Field] = []
    seen: set[str] = set()
    for row in data:
        key = str(row.get("key", ""))
        if key in seen:
            continue
        shipped = BUILTIN_BY_KEY.get(key)
        label = str(row.get("label") or (shipped.label if shipped else key))
        help_text = str(row.get("help") or "")
        shown = bool(row.get("shown", True)) or key in ALWAYS_SHOWN
        required = bool(row.get("required", False))
        kind = row.get("kind")
        if shipped is not None:
            out.append(replace(shipped, label=label, help=help_text, shown=shown, required=required))
        elif key.startswith(EXTRA_PREFIX) and kind in (TEXT, NUMBER):
            section = str(row.get("section"))
            out.append(
                Field(
                    key,
                    section if section in SECTION_KEYS else "objective",
                    label,
                    help_text,
                    shown,
                    required,
                    kind=str(kind),
                    unit=str(row.get("unit") or "") if kind == NUMBER else "",
                )
            )
        else:
            continue
        seen.add(key)
    out += [f for f in SHIPPED_FIELDS if f.key not in seen]
    return tuple(out)


def spec_hash(fields: Sequence[Field]) -> str:
    """The SHA-256 of a spec's canonical JSON: a signed note's content names the exact template (labels,
    requirements, extra fields) it was written and signed with."""
    text = json.dumps(to_data(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def in_section(fields: Sequence[Field], section: str) -> list[Field]:
    return [f for f in fields if f.section == section and f.shown]


def slug_key(label: str, taken: set[str]) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in label.lower())
    base = EXTRA_PREFIX + ("_".join(part for part in out.split("_") if part)[:30] or "field")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _clean(text: str) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())


Gettext = Callable[[str], str]


def _same(message: str) -> str:
    return message


def _wording(text: str, gettext: Gettext = _same) -> str | None:
    found = banned_wording(text)
    if not found:
        return None
    phrase, words = found[0]
    return gettext("“%(words)s” is not wording a note may use (%(why)s): describe what was done or observed.") % {
        "words": words,
        "why": gettext(phrase.why),
    }


def check(fields: Sequence[Field], gettext: Gettext = _same) -> dict[str, list[str]]:
    """Problems of a spec typed on the settings page, keyed by the field's key (each names what to fix),
    in the language of `gettext` (the caller's; English when not given)."""
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    labels: dict[str, str] = {}
    extras = [f for f in fields if f.is_extra]
    if len(extras) > EXTRAS_MAX:
        add(extras[-1].key, gettext("Keep to %(n)s extra fields or fewer.") % {"n": EXTRAS_MAX})
    for f in fields:
        if not f.label:
            add(f.key, gettext("Give the field a label."))
        elif len(f.label) > LABEL_MAX:
            add(f.key, gettext("Keep the label to %(n)s characters.") % {"n": LABEL_MAX})
        elif (other := labels.get(f.label.casefold())) is not None:
            add(
                f.key,
                gettext("“%(label)s” is already the label of another field (%(other)s); give each its own.")
                % {"label": f.label, "other": other},
            )
        else:
            labels[f.label.casefold()] = f.label
        if len(f.help) > HELP_MAX:
            add(f.key, gettext("Keep the help text to %(n)s characters.") % {"n": HELP_MAX})
        for text in (f.label, f.help, f.unit):
            if message := _wording(text, gettext):
                add(f.key, message)
        if not f.is_measured and _claims_measured(f.label, gettext):
            why = (
                gettext("“%(mark)s” ends a measured field's label only: an impression is not a measurement.")
                if f.impression
                else gettext("“%(mark)s” ends the label of a measured number only; choose another label.")
            )
            add(f.key, why % {"mark": gettext(MEASURED_MARK)})
        if f.kind == NUMBER and not f.unit:
            add(f.key, gettext("Say the unit of the number (e.g. mm, degrees, cm)."))
        if len(f.unit) > UNIT_MAX:
            add(f.key, gettext("Keep the unit to %(n)s characters.") % {"n": UNIT_MAX})
        if f.required and not f.shown:
            add(f.key, gettext("A hidden field cannot be required to sign: show it, or untick “required”."))
    return problems


def _claims_measured(label: str, gettext: Gettext) -> bool:
    """Whether a label ends with the measured fields' mark, in English or the caller's language,
    whatever its spacing, case or final full stop ("Rhythm ( Measured )." too)."""
    squeezed = "".join(label.casefold().split()).rstrip(".")
    marks = {MEASURED_MARK, gettext(MEASURED_MARK)}
    return any(squeezed.endswith("".join(mark.casefold().split())) for mark in marks)


def clean_text(text: str) -> str:
    """A label, help text or unit as stored: printable characters, single spaces."""
    return _clean(text)


def parse_number(value: str, gettext: Gettext = _same) -> tuple[str | None, str | None]:
    """A measured number as typed → (stored text, problem). Up to two decimals, within ±99999."""
    text = value.strip().replace(",", ".")
    if not text:
        return None, None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, gettext("Enter a number, e.g. 32 or 32.5.")
    if not number.is_finite() or abs(number) > NUMBER_MAX:
        return None, gettext("Enter a number between -%(n)s and %(n)s.") % {"n": NUMBER_MAX}
    if number != number.quantize(Decimal("0.01")):
        return None, gettext("Use at most two decimals.")
    return format(number.normalize(), "f") if number == number.to_integral() else format(number, "f"), None
