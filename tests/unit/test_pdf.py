"""longtide/lib/pdf.py without Django: names in any Latin, Greek or Cyrillic script print as typed,
a character the fonts lack prints as "□" (not dropped), free text keeps its line breaks, and each
part starts a page headed by its banner."""

from __future__ import annotations

import io

from pypdf import PdfReader

from longtide.lib.pdf import MISSING, Part, compact_definitions, html_to_pdf, keep_line_breaks


def _pages(document: bytes) -> list[str]:
    assert document.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def test_names_print_as_typed_and_a_missing_character_shows() -> None:
    html = "<h1>Zoë Ångström – Łukasz Żółć, Αλέξανδρος, Наталья, Nguyễn</h1><p>王 Wang</p>"
    (page,) = _pages(html_to_pdf([Part(html)], title="t", footer="Zoë · notes"))
    page = " ".join(page.split())
    assert "Zoë Ångström – Łukasz Żółć, Αλέξανδρος, Наталья, Nguyễn" in page
    assert f"{MISSING} Wang" in page and "Zoë · notes" in page and "page 1 of 1" in page


def test_each_part_starts_a_page_under_its_banner() -> None:
    parts = [Part("<p>signed one</p>"), Part("<p>draft one</p>" + "<p>more words</p>" * 80, banner="DRAFT")]
    pages = _pages(html_to_pdf(parts, title="t", footer="f"))
    assert len(pages) >= 3 and "signed one" in pages[0] and "DRAFT" not in pages[0]
    assert all("DRAFT" in page for page in pages[1:]) and "draft one" in pages[1]


def test_free_text_keeps_its_line_breaks_and_lists_read_term_value() -> None:
    html = '<dl><dt>Rhythm</dt><dd class="pre">slow\nfuller left</dd></dl><p class="small pre">a\nb</p><p>c\nd</p>'
    assert keep_line_breaks(compact_definitions(html)) == (
        '<dl><p class="pre"><b>Rhythm:</b> slow<br>fuller left</p></dl><p class="small pre">a<br>b</p><p>c\nd</p>'
    )


def test_italics_print_upright_rather_than_fail() -> None:
    (page,) = _pages(html_to_pdf([Part("<p><em>Zoë</em> <i>said</i> <b><em>so</em></b></p>")], title="t", footer="f"))
    assert "Zoë said so" in page
