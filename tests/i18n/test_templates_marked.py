"""Every word a template shows is marked for translation (issue 7): text between tags, the
attributes people read or hear (title, alt, placeholder, aria-label, a submit input's value, the
texts a script shows from data-msg-*), and literal words handed to a filter or an include
(`|default:"no email"`, `with label="Weeks"`) — each inside {% translate %} or {% blocktranslate %}
(or `_("…")` in a tag's arguments).

The check reads each template with Django's own lexer: text inside translate/blocktranslate,
{% comment %}, {# … #}, <script>, <style>, <code>, <kbd> and <samp> is not looked at; variables and
tags count as neither words nor text. What is left must have no letters. `&nbsp;`, `·`, `—`, `→`,
numbers and punctuation are no words; the product's name, JSON, CSV, PDF and SHA-256 are not
translated.

NOT_YET_MARKED lists the templates that still fail. It only shrinks: whoever marks a template removes
it from the set, and the test fails while a listed template is already clean (or gone)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

import longtide

ROOT = Path(longtide.__file__).parent

# Paths relative to longtide/. Remove a template here once it is marked; never add one.
# web/staff/** is i18nstaff's; the rest (public, booking, client, outcomes, base, errors) i18npublic's.
NOT_YET_MARKED: set[str] = set()

# Names that stay as they are in every language: the product, file formats, the hash.
UNTRANSLATED = re.compile(r"\b(?:Longtide|JSON|CSV|PDF|SHA-256)\b")
# A letter in any script (not a digit, not an underscore).
LETTER = re.compile(r"[^\W\d_]")
# What a variable or tag stands for in the text: not a letter, not a space, not markup.
HOLE = "\ue000"

# Attributes whose value is read (or read aloud) by the person using the page.
READ_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
    "label",
    "hx-confirm",
    "hx-prompt",
}
SHOWN_INPUT_VALUES = {"submit", "button", "reset"}
# Elements whose text is code, not words.
NOT_WORDS = {"script", "style", "code", "kbd", "samp"}

# String literals in a tag or variable: "…" or '…', not the argument of _( … ).
LITERAL = re.compile(r"""(?<!_\()(?P<q>["'])(?P<text>(?:(?!(?P=q)).)*)(?P=q)""")
# Filters whose literal argument is shown in place of an empty value (or, for yesno, of the value).
SHOWN_FILTER_ARGUMENT = re.compile(
    r"""\|\s*(?:default|default_if_none|yesno)\s*:\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)).)*)(?P=q)"""
)
# `name="…"` arguments of include/with (each may be shown by the template that receives it).
KEYWORD_LITERAL = re.compile(r"""\b(?P<name>[\w.]+)\s*=\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)).)*)(?P=q)""")
# Keyword arguments that are markup, not words: CSS classes, element ids, htmx targets, addresses.
MARKUP_KEYWORD = re.compile(r"(?:^|_)(?:class|classes|id|target|url)$")


def _has_words(text: str) -> bool:
    return bool(LETTER.search(UNTRANSLATED.sub("", text)))


def _shown(text: str) -> str:
    """Text as the failure message quotes it: each run of tags and variables as one "…"."""
    return " ".join(re.sub(HOLE + "+", "…", text).split())


def _looks_like_words(literal: str) -> bool:
    """A literal argument that reads as words: a letter and a space, or a capitalised word.

    `kind="error"`, `"j M"` date formats and url names stay out; "no email" and "Weeks" are in."""
    if not _has_words(literal):
        return False
    return " " in literal.strip() or bool(re.match(r"[A-Z][a-z]", literal))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.code_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag in NOT_WORDS:
            self.code_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_WORDS and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.code_depth and _has_words(data):
            self.found.append(_shown(data))

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            shown = (
                name in READ_ATTRIBUTES
                or name.startswith("data-msg")
                or (name == "value" and tag == "input" and named.get("type", "").lower() in SHOWN_INPUT_VALUES)
                or (name == "content" and tag == "meta" and named.get("name", "").lower() == "description")
            )
            if shown and value and _has_words(value):
                self.found.append(f'<{tag} {name}="{_shown(value)}">')


def unmarked_text(source: str, *, html: bool = True) -> list[str]:
    """The words in a template's source that are shown and not marked for translation."""
    found: list[str] = []
    text: list[str] = []
    skip_until: str | None = None  # the closing tag of a translate block or a comment
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        if skip_until is not None:
            if token.token_type == TokenType.BLOCK and contents.split()[:1] == [skip_until]:
                skip_until = None
                text.append(HOLE)
            continue
        if token.token_type == TokenType.TEXT:
            text.append(token.contents)
            continue
        if token.token_type == TokenType.COMMENT:
            continue
        text.append(HOLE)
        name = contents.split()[0] if contents else ""
        if token.token_type == TokenType.BLOCK:
            if name in {"blocktranslate", "blocktrans"}:
                skip_until = "end" + name
            elif name == "comment":
                skip_until = "endcomment"
            elif name in {"include", "with"}:
                found += [
                    f"{{% {contents} %}}"
                    for m in KEYWORD_LITERAL.finditer(contents)
                    if _looks_like_words(m.group("text")) and not MARKUP_KEYWORD.search(m.group("name"))
                ]
            elif name == "firstof":
                found += [
                    f"{{% {contents} %}}" for m in LITERAL.finditer(contents) if _looks_like_words(m.group("text"))
                ]
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            found += [
                f"{{{{ {contents} }}}}" if token.token_type == TokenType.VAR else f"{{% {contents} %}}"
                for m in SHOWN_FILTER_ARGUMENT.finditer(contents)
                if _has_words(m.group("text"))
            ]
    joined = "".join(text)
    if not html:
        return found + ([_shown(joined)] if _has_words(joined) else [])
    reader = _Reader()
    reader.feed(joined)
    reader.close()
    return found + reader.found


def _templates() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*")
        if path.is_file()
        and "templates" in path.relative_to(ROOT).parts
        and path.suffix in {".html", ".txt"}
        and "static" not in path.relative_to(ROOT).parts
    )


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


TEMPLATES = _templates()


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_template_marks_every_word_for_translation(path: Path) -> None:
    found = unmarked_text(path.read_text(), html=path.suffix == ".html")
    if _name(path) in NOT_YET_MARKED:
        assert found, (
            f"{_name(path)} is marked now: remove it from NOT_YET_MARKED in tests/i18n/test_templates_marked.py"
        )
        return
    assert found == [], f"{_name(path)} shows words not marked for translation:\n" + "\n".join(found)


def test_the_list_of_unmarked_templates_names_only_templates() -> None:
    names = {_name(path) for path in TEMPLATES}
    assert sorted(NOT_YET_MARKED - names) == []


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ("{% load i18n %}<p>{% translate 'Hello' %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate with n=x %}Hello {{ n }}{% endblocktranslate %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate trimmed %}\n Hello\n{% endblocktranslate %} there</p>", ["… there"]),
        ("<p>{{ name }} &nbsp;·&nbsp; {{ when }} — 12:30 → (3)</p>", []),
        ("<p>{{ client.name }}, {{ n }}%</p>", []),
        ('<a href="{% url \'x\' %}" title="Open">{{ x }}</a>', ['<a title="Open">']),
        ("{% load i18n %}<a title=\"{% translate 'Open' %}\">{{ x }}</a>", []),
        ('<input type="submit" value="Save"><input type="hidden" name="a" value="keep">', ['<input value="Save">']),
        ('<button name="confirm" value="yes">{{ label }}</button>', []),
        ("<script>const a = 'words';</script><style>p::after{content:'x'}</style>", []),
        ("{# a comment #}{% comment %}Words here{% endcomment %}<!-- and here -->", []),
        ("<p>Made with Longtide</p>", ["Made with Longtide"]),
        ("<title>{{ x }} · Longtide</title>", []),
        ('{{ client.email|default:"no email" }}', ['{{ client.email|default:"no email" }}']),
        ('{{ client.email|default:"—" }}', []),
        ('{{ note.clothed|yesno:"Yes,No" }}', ['{{ note.clothed|yesno:"Yes,No" }}']),
        (
            '{% include "web/_week_nav.html" with label="Weeks" target="#w" %}',
            ['{% include "web/_week_nav.html" with label="Weeks" target="#w" %}'],
        ),
        ('{% include "web/_week_nav.html" with label=_("Weeks") kind="error" %}', []),
        ('{% include "web/_week_nav.html" with nav_class="cal-nav" link_class="button secondary" %}', []),
        ("<p><code>BEGIN:VCALENDAR</code></p>", []),
        ("<p>SHA-256 {{ hash }} · JSON</p>", []),
        ('<p data-msg-sent="Sent">{{ x }}</p>', ['<p data-msg-sent="Sent">']),
        ('<img alt="" src="{% static \'a.png\' %}">', []),
        ("<p>{% if a %}Yes{% endif %}</p>", ["…Yes…"]),
    ],
)
def test_the_check_finds_unmarked_words_and_nothing_else(source: str, words: list[str]) -> None:
    assert unmarked_text(source) == words
