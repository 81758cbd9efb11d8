"""A translation marker for the pure modules, which cannot import Django (issue 7).

``gettext_noop`` returns its text unchanged; ``makemessages`` extracts every call of that name
(``--keyword=gettext_noop`` is among its defaults), and the Django layer translates the text when
it shows it (``gettext(text)``, ``{% translate text %}``). Text that is stored, hashed or signed is
never translated, only marked text that is shown.
"""

from __future__ import annotations


def gettext_noop(text: str) -> str:
    """Return ``text`` unchanged; marks it for translation (extracted by ``makemessages``)."""
    return text
