"""Tracebacks without exception messages, for logs that must not carry personal data.

An exception's message can hold whatever the failing code held: an address refused by a mail
server, a row's values in a database error. Its type and the frames where it happened are enough
to find the bug, and carry none of that.
"""

from __future__ import annotations

import traceback


def bare_traceback(error: BaseException) -> str:
    """Return the exception's type and stack (innermost frame last), without its message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__module__}.{type(error).__qualname__} (message withheld)\n{frames}".rstrip()
