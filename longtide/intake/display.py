"""An intake's answers laid out for reading: (question, answer) rows per step, in the words of the
form version they were given against (the staff intake page and the staff API show the same).

The shipped questions are written in the pure modules (form.py, screening.py) and marked there with
``gettext_noop``; they are translated here, when shown. A practice's own questions are what the
practice typed and are shown as typed. Stored flag labels (``Flag.staff_label``) are not translated.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from longtide.intake import actions, form, screening
from longtide.intake.models import Intake


def shown_field(f: form.Field) -> form.Field:
    """The field as shown, in the active language when it is a shipped one."""
    if not f.shipped:
        return f
    return replace(
        f,
        label=_(f.label),
        help=_(f.help) if f.help else "",
        choices=tuple((value, _(label)) for value, label in f.choices),
    )


def shown_question(item: screening.Item) -> str:
    """A screen question's wording as shown, in the active language when it is a shipped one."""
    return _(item.question) if item.shipped and item.question else item.question


def reason_labels() -> dict[str, str]:
    """The reasons for coming (key → label), in the active language."""
    return {key: _(label) for key, label in form.REASONS}


def answers_for_display(intake: Intake) -> list[dict[str, Any]]:
    """The intake's answers as (question, answer) rows per step, in the words of its own version."""
    definition = actions.definition_of(intake.form)
    sections = []
    labels = reason_labels()
    for step in form.STEPS[:-1]:
        saved = intake.answers.get(step.key, {})
        rows: list[tuple[str, str]] = []
        if step.key == "reasons" and saved:
            severity = saved.get("severity", {})
            for key in saved.get("reasons", []):
                main = " — " + _("main concern") if saved.get("main_reason") == key else ""
                rows.append((labels.get(key, key), f"{severity.get(key, '?')}/10{main}"))
        if step.key == "screen":
            for item in screening.questions(definition.screen):
                value = saved.get(item.key)
                rows.append((shown_question(item), {True: _("Yes"), False: _("No")}.get(value, _("Not answered"))))
        else:
            for f in map(shown_field, definition.fields_of(step.key)):
                value = str(saved.get(f.key, "") or "")
                if f.choices:
                    value = dict(f.choices).get(value, value)
                rows.append((f.label, value or "—"))
        sections.append({"title": _(step.title), "rows": rows})
    return sections
