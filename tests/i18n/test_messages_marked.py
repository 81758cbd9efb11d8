"""Every message shown after an action (django.contrib.messages) is translatable (issue 7): no
`messages.success(request, "…")` or f-string — the text goes through gettext (`_("…") % {…}`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import longtide

ROOT = Path(longtide.__file__).parent
LEVELS = {"debug", "info", "success", "warning", "error"}


def plain_messages(source: str) -> list[int]:
    """The lines of messages.<level>(request, text) calls whose text is a literal or an f-string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
        ):
            continue
        index = 1 if node.func.attr in LEVELS else 2 if node.func.attr == "add_message" else None
        if index is None or len(node.args) <= index:
            continue
        text = node.args[index]
        while isinstance(text, ast.BinOp):  # "…" + x, "…" % {…}
            text = text.left
        if isinstance(text, ast.JoinedStr) or (isinstance(text, ast.Constant) and isinstance(text.value, str)):
            found.append(node.lineno)
    return found


def test_no_message_is_a_plain_string() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
        for line in plain_messages(path.read_text())
    ]
    assert found == [], "wrap the message in gettext (_(…) % {…}):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ('messages.success(request, "Saved.")', [1]),
        ('messages.error(request, f"Added {name}.")', [1]),
        ('messages.info(request, "Hello " + name)', [1]),
        ('messages.add_message(request, messages.INFO, "Saved.")', [1]),
        ('messages.success(request, _("Saved."))', []),
        ('messages.success(request, _("Added %(name)s.") % {"name": name})', []),
        ("messages.error(request, error.message)", []),
    ],
)
def test_the_check_tells_plain_text_from_translated(source: str, lines: list[int]) -> None:
    assert plain_messages(source) == lines


def test_the_pure_modules_share_one_translation_marker() -> None:
    """lib/i18n_marks.gettext_noop is the one marker: a second copy drifts (and makemessages
    cannot tell them apart)."""
    defined = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name == "gettext_noop"
    ]
    assert defined == ["lib/i18n_marks.py"]
