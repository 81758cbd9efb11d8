"""Small text rules shared by forms that keep a line of free text (pure: no Django)."""

from __future__ import annotations

import re

from longtide.lib.i18n_marks import gettext_noop

# The one rule for the free text staff and clients type (reasons kept in a history or the audit
# trail): no control character but tab, line feed and carriage return. NUL (which PostgreSQL cannot
# store), the other C0 controls (escape sequences, bells, form feeds) and DEL are refused, never
# quietly kept or dropped; forms (web/bad_input.no_control_characters), the API's schemas
# (CONTROL_FREE as their pattern) and the actions that keep a reason all ask here.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_FREE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CONTROL_MESSAGE = gettext_noop(
    "Remove the control characters from this text (only tabs and new lines may be typed)."
)  # shown translated (gettext) by the Django layer


def has_control(raw: str) -> bool:
    """Whether the text holds a control character other than tab, line feed and carriage return."""
    return CONTROL.search(raw) is not None


def one_line(raw: str) -> str:
    """The text on one line: control characters (NUL, tabs, newlines included) become spaces and
    runs of spaces one; no spaces at either end."""
    return " ".join("".join(ch if ch >= " " else " " for ch in raw).split())
