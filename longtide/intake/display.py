"""An intake's answers laid out for reading: (question, answer) rows per step, in the words of the
form version they were given against (the staff intake page and the staff API show the same)."""

from __future__ import annotations

from typing import Any

from longtide.intake import actions, form, screening
from longtide.intake.models import Intake


def answers_for_display(intake: Intake) -> list[dict[str, Any]]:
    """The intake's answers as (question, answer) rows per step, in the words of its own version."""
    definition = actions.definition_of(intake.form)
    sections = []
    labels = dict(form.REASONS)
    for step in form.STEPS[:-1]:
        saved = intake.answers.get(step.key, {})
        rows: list[tuple[str, str]] = []
        if step.key == "reasons" and saved:
            severity = saved.get("severity", {})
            for key in saved.get("reasons", []):
                main = " — main concern" if saved.get("main_reason") == key else ""
                rows.append((labels.get(key, key), f"{severity.get(key, '?')}/10{main}"))
        if step.key == "screen":
            for item in screening.questions(definition.screen):
                value = saved.get(item.key)
                rows.append((item.question, {True: "Yes", False: "No"}.get(value, "Not answered")))
        else:
            for f in definition.fields_of(step.key):
                value = str(saved.get(f.key, "") or "")
                if f.choices:
                    value = dict(f.choices).get(value, value)
                rows.append((f.label, value or "—"))
        sections.append({"title": step.title, "rows": rows})
    return sections
