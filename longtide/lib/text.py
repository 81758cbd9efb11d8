"""Small text rules shared by forms that keep a line of free text (pure: no Django)."""

from __future__ import annotations


def one_line(raw: str) -> str:
    """The text on one line: control characters (NUL, tabs, newlines included) become spaces and
    runs of spaces one; no spaces at either end."""
    return " ".join("".join(ch if ch >= " " else " " for ch in raw).split())
