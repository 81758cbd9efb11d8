"""The template language for message texts a practice edits: `{{ field }}` and nothing else.

A template is plain text with placeholders such as `{{ practice_name }}`; rendering replaces each
with a string from a fixed dictionary that the code sending the message builds from non-clinical
facts. There are no expressions, no attribute lookups, no filters, no tags, no loops and no
includes, so a template can show the message's own fields and cannot reach anything else.

Why not Django's template language with a restricted context: its variables resolve attribute
and item lookups on whatever sits in the context (`{{ appointment.client.appointments... }}`),
its tags and filters reach the template loaders and (with `{% load %}`) any installed library, and
one careless object in the context would expose its related rows. Keeping it safe would mean
auditing every value forever. A substitution over a dict of strings has nothing to audit.

Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_STRAY = re.compile(r"\{\{|\}\}|\{%|%\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fields_in(source: str) -> list[str]:
    """Return the field names the template uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in FIELD.finditer(source):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _same(message: str) -> str:
    return message


def problems(
    source: str, allowed: Iterable[str], *, max_length: int = 5000, gettext: Callable[[str], str] = _same
) -> list[str]:
    """Return what is wrong with a template (empty when it is fine), in words for its author, in the
    language of `gettext` (the caller's; English when not given)."""
    allowed = set(allowed)
    found: list[str] = []
    if len(source) > max_length:
        found.append(
            gettext("Keep it under %(limit)s characters (it has %(count)s).")
            % {"limit": max_length, "count": len(source)}
        )
    if _CONTROL.search(source):
        found.append(gettext("Remove the control characters (such as NUL) from the text."))
    unknown = [name for name in fields_in(source) if name not in allowed]
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        choices = ", ".join("{{ " + name + " }}" for name in sorted(allowed))
        found.append(
            gettext("Unknown placeholder %(names)s. You can use: %(choices)s.") % {"names": names, "choices": choices}
        )
    if _STRAY.search(FIELD.sub("", source)):
        found.append(
            gettext(
                "Only placeholders of the form {{ field_name }} are supported; "
                "remove other {{, }}, {% or %} (there are no conditions or loops)."
            )
        )
    return found


def render(source: str, fields: Mapping[str, str]) -> str:
    """Return the template with each `{{ field }}` replaced by its value (an unknown one by nothing)."""
    return FIELD.sub(lambda match: fields.get(match.group(1), ""), source)
