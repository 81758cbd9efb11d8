"""A printable page as a PDF file, without a browser: fpdf2 lays out the same HTML the print page
shows (headings, paragraphs, definition lists, ordered lists, bold, code), in DejaVu Sans so any
Latin, Greek or Cyrillic name and typographic punctuation ("Zoë Ångström", "–") comes out as typed.

The fonts in pdf_fonts/ are subsets of DejaVu Sans and DejaVu Sans Bold (see pdf_fonts/README.md for
the exact command and the licence): a character outside them is printed as "□" (fpdf2 itself
would drop it silently, and a name would lose a letter unseen).

Whitespace: HTML collapses runs of spaces and line breaks, and so does fpdf2; an element with the
`pre` class (the print page's free text, where the practitioner's line breaks matter) keeps its line
breaks here as it does in the print CSS (`white-space: pre-wrap`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, TextStyle

FONTS = Path(__file__).with_name("pdf_fonts")
FAMILY = "DejaVuSans"
_INK = "#1f2933"
_MUTED = "#52606d"

# Elements the print templates mark `class="... pre ..."`: their text keeps the writer's line breaks.
_PRE_ELEMENT = re.compile(
    r"<(?P<tag>p|dd|div|span)(?P<attrs>\s[^>]*\bclass=\"(?:[^\"]*\s)?pre(?:\s[^\"]*)?\"[^>]*)>(?P<body>.*?)</(?P=tag)>",
    re.DOTALL,
)

TAG_STYLES: dict[str, TextStyle | FontFace] = {
    "h1": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=16, color=_INK, t_margin=2, b_margin=2),
    "h2": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=12.5, color=_INK, t_margin=5, b_margin=1),
    "h3": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=11, color=_INK, t_margin=4, b_margin=1),
    "p": TextStyle(font_family=FAMILY, font_size_pt=10, color=_INK, t_margin=1, b_margin=1),
    "dt": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=9, color=_MUTED, t_margin=1.8),
    "dd": TextStyle(font_family=FAMILY, font_size_pt=10, color=_INK, l_margin=8),
    "li": TextStyle(font_family=FAMILY, font_size_pt=10, color=_INK, l_margin=6, t_margin=2),
    "code": FontFace(family=FAMILY, size_pt=8.5),
}

_DEFINITION = re.compile(r"<dt>(?P<term>.*?)</dt>\s*<dd(?P<attrs>[^>]*)>(?P<body>.*?)</dd>", re.DOTALL)


def compact_definitions(html: str) -> str:
    """A definition list's pairs as "Term: value" lines (fpdf2 would give each term and each value a
    line of its own, and a note twice the pages)."""
    return _DEFINITION.sub(lambda m: f"<p{m.group('attrs')}><b>{m.group('term')}:</b> {m.group('body')}</p>", html)


MISSING = "\u25a1"  # □


@cache
def _covered() -> frozenset[int]:
    """The characters both fonts draw."""
    regular, bold = (TTFont(FONTS / name) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    return frozenset(regular.getBestCmap()) & frozenset(bold.getBestCmap())


def mark_missing(html: str) -> str:
    """Each character the fonts cannot draw as "□"; line breaks and tabs stay (HTML whitespace)."""
    covered = _covered()
    return "".join(c if ord(c) in covered or c in "\n\r\t" else MISSING for c in html)


_ITALIC = re.compile(r"</?(?:em|i|cite|var|dfn)\b[^>]*>")


def upright(html: str) -> str:
    """Italics print upright: only the regular and bold faces are loaded (each face read costs a
    tenth of the document's time), and an italic tag must not make fpdf2 ask for a face it lacks."""
    return _ITALIC.sub("", html)


def keep_line_breaks(html: str) -> str:
    """`<br>` for each line break inside a `pre`-classed element (its text is already escaped, so it
    holds no tags of its own)."""

    def broken(match: re.Match[str]) -> str:
        body = match.group("body").strip("\n").replace("\r\n", "\n").replace("\n", "<br>")
        return f"<{match.group('tag')}{match.group('attrs')}>{body}</{match.group('tag')}>"

    return _PRE_ELEMENT.sub(broken, html)


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.banner = ""

    def header(self) -> None:
        if not self.banner:
            return
        with self.local_context():
            self.set_font(FAMILY, "B", 12)
            self.set_text_color("#b00020")
            self.set_draw_color("#b00020")
            self.set_line_width(0.5)
            self.cell(0, 8, self.banner, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7.5)
        self.set_text_color(_MUTED)
        page = f"  ·  page {self.page_no()} of {{nb}}"
        text, room = self.footer_text, self.epw - self.get_string_width(page + "000…")
        while text and self.get_string_width(text) > room:  # a long title is cut, not run off the sheet
            text = text[:-1]
        if text != self.footer_text:
            text = text.rstrip() + "…"
        self.cell(0, 5, text + page, align="C")


@dataclass(frozen=True)
class Part:
    """A stretch of the document that begins on a new page; `banner`, if any, heads each of its pages
    in bold red (an unsigned draft says so on every sheet it covers, not only where it begins)."""

    html: str
    banner: str = ""


def html_to_pdf(parts: Sequence[Part], *, title: str, footer: str) -> bytes:
    """A4 pages of `parts` (the print templates' subset of HTML), each part from a new page; `footer`
    at the foot of every page with the page number."""
    pdf = _Document(mark_missing(footer))
    pdf.set_title(title)
    pdf.set_creator("Longtide")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    regular, bold = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"
    pdf.add_font(FAMILY, "", regular)
    pdf.add_font(FAMILY, "B", bold)
    for part in parts:
        pdf.banner = mark_missing(part.banner)
        pdf.add_page()
        pdf.set_font(FAMILY, size=10)
        pdf.write_html(
            keep_line_breaks(compact_definitions(upright(mark_missing(part.html)))),
            font_family=FAMILY,
            tag_styles=TAG_STYLES,
            warn_on_tags_not_matching=False,
        )
    return bytes(pdf.output())
