"""Link placeholders: private links are filled in at send time, never stored in the outbox.

A message's stored text holds `[[manage_url]]` where the client's private link goes; the worker
asks the message's subject hooks for the real URLs just before sending (a manage token can be
derived again from its nonce, so nothing secret needs storing). A copy of the outbox table, or a
front-desk view of it, therefore holds no working link. Pure Python: no Django.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\[\[([a-z][a-z0-9_]*)\]\]")


def placeholder(name: str) -> str:
    """Return the placeholder for the link called `name`."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"not a link name: {name!r}")
    return f"[[{name}]]"


def names_in(text: str) -> set[str]:
    """Return the names of the link placeholders in the text."""
    return set(PLACEHOLDER.findall(text))


def fill(text: str, links: Mapping[str, str], *, escape: bool = False) -> str:
    """Return the text with each placeholder replaced by its link (HTML-escaped when `escape`).

    A placeholder with no link is left as it is; callers check `names_in` against their links first.
    """

    def replace(match: re.Match[str]) -> str:
        url = links.get(match.group(1))
        if url is None:
            return match.group(0)
        return html.escape(url, quote=True) if escape else url

    return PLACEHOLDER.sub(replace, text)


def mask(text: str, labels: Mapping[str, str], default: str = "[private link]") -> str:
    """Return the text with each placeholder shown as a label, e.g. for staff reading the outbox."""
    return PLACEHOLDER.sub(lambda match: labels.get(match.group(1), default), text)
