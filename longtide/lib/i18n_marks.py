"""A translation marker for the pure modules, which cannot import Django (issue 7).

``gettext_noop`` returns its text unchanged; ``makemessages`` extracts every call of that name
(``--keyword=gettext_noop`` is among its defaults), and the Django layer translates the text when
it shows it (``gettext(text)``, ``{% translate text %}``). Text that is stored, hashed or signed is
never translated, only marked text that is shown.
"""

from __future__ import annotations

from collections.abc import Callable


def gettext_noop(text: str) -> str:
    """Return ``text`` unchanged; marks it for translation (extracted by ``makemessages``)."""
    return text


class MarkedError(ValueError):
    """A ValueError from a pure module whose message is marked text (``gettext_noop``) with its
    parameters: ``str(error)`` is the English, and the Django layer shows ``error.translated(gettext)``
    to the user in their language."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def translated(self, gettext: Callable[[str], str]) -> str:
        """Return the message in the language of ``gettext``, with its parameters."""
        return gettext(self.message) % self.params if self.params else gettext(self.message)
