"""Every time of day on a page follows the practice's 12/24-hour clock (lib/formats.py): templates
write times with |when or |clock, never with Django's |date and a fixed "g:i A" or "H:i"."""

import re
from pathlib import Path

import longtide

TEMPLATES = Path(longtide.__file__).parent / "web" / "templates"
FIXED_CLOCK = re.compile(r'\|date:"[^"]*(?:g:i(?::s)? A|G:i|H:i)[^"]*"')


def test_no_template_writes_a_time_on_a_fixed_clock() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in FIXED_CLOCK.finditer(path.read_text())
    ]
    assert found == [], 'use |when:"…" (practice_formats) instead of |date for times of day:\n' + "\n".join(found)
