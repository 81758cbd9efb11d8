"""The HTML part of an email, made from its plain-text part.

Practices edit one text per message (template_language.py); the HTML part is that text laid out
in a fixed, safe page: every character of the text is escaped, blank lines make paragraphs, web
addresses and link placeholders become links, and a paragraph that is nothing but a named link
placeholder becomes a button. So the two parts always say the same thing, and no HTML written by anyone reaches a
client's inbox or the staff preview. Pure Python: no Django.
"""

from __future__ import annotations

import html
import re

from longtide.notifications.links import PLACEHOLDER

_URL = re.compile(r"https?://[^\s<>\"']+|" + PLACEHOLDER.pattern)
_TRAILING = ".,;:!?)"

_BODY = (
    "margin:0;padding:24px;background:#f5f3ef;color:#1f2a2e;"
    "font-family:Georgia,'Times New Roman',serif;font-size:16px;line-height:1.5;"
)
_CARD = "max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px;"
_P = "margin:0 0 16px;"
_LINK = "color:#1d5c63;"
_BUTTON = (
    "display:inline-block;background:#1d5c63;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;"
)


def _split_url(match: str) -> tuple[str, str]:
    """Split trailing punctuation off a matched address ("see https://x.org." → "https://x.org", ".")."""
    url = match
    while url and url[-1] in _TRAILING and not PLACEHOLDER.fullmatch(url):
        url = url[:-1]
    return url, match[len(url) :]


def _line(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url, rest = _split_url(match.group(0))
        out.append(html.escape(text[position : match.start()]))
        href = html.escape(url, quote=True)
        out.append(f'<a href="{href}" style="{_LINK}">{href}</a>{html.escape(rest)}')
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def _paragraph(block: str, labels: dict[str, str]) -> str:
    named = PLACEHOLDER.fullmatch(block.strip())
    if named and named.group(1) in labels:
        href = html.escape(named.group(0), quote=True)
        label = html.escape(labels[named.group(1)])
        return f'<p style="{_P}"><a href="{href}" style="{_BUTTON}">{label}</a></p>'
    return f'<p style="{_P}">' + "<br>\n".join(_line(line) for line in block.split("\n")) + "</p>"


def email_html(text: str, *, title: str, lang: str = "en", button_labels: dict[str, str] | None = None) -> str:
    """Return the HTML part for a plain-text email body.

    A paragraph that is only a link placeholder named in `button_labels` becomes a button with
    that label, e.g. {"manage_url": "Cancel or reschedule"}; every other address is a plain link.
    """
    labels = button_labels or {}
    blocks = [block for block in re.split(r"\n[ \t]*\n", text.strip("\n")) if block.strip()]
    paragraphs = [_paragraph(block, labels) for block in blocks]
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n"
        f'<body style="{_BODY}">\n<div style="{_CARD}">\n' + "\n".join(paragraphs) + "\n</div>\n</body>\n</html>\n"
    )
