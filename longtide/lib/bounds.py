"""The one rule for dates and ids that come from a request (docs/security.md, "Bad input").

Dates are accepted from 1900-01-01 to 2999-12-31, so that any date a request can name stays far
from the ends of Python's calendar (year 1 and year 9999) whatever is added to it (a week, a
booking horizon, a time zone's offset). Ids are whole numbers from 1 to 2**63 - 1, the largest a
64-bit database column holds (SQLite raises OverflowError past it, PostgreSQL an error).

Pure: no Django, so forms, the API and the pages all ask the same functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from longtide.lib.i18n_marks import gettext_noop

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
MAX_ID = 2**63 - 1
# The same rule as a JSON Schema pattern (the API's OpenAPI document states it): years 1900–2999.
DATE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}T"
ID_PATTERN = r"^[1-9][0-9]{0,18}$"
# Written out (not formatted from the bounds above) so that makemessages extracts them; a test checks
# they name the bounds. Shown translated: the Django layer passes them through gettext.
DATE_MESSAGE = gettext_noop("Choose a date from 1900-01-01 to 2999-12-31.")
ID_MESSAGE = gettext_noop("Use a whole number from 1 to 9223372036854775807.")


def day_in_range(value: date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def moment_in_range(value: datetime) -> bool:
    """True when the moment's own date and its date in UTC are both inside the bounds."""
    if not day_in_range(value.date()):
        return False
    if value.tzinfo is None:
        return True
    return day_in_range(value.astimezone(UTC).date())


def parse_day(raw: str | None) -> date | None:
    """Return the ISO date (2026-03-14) inside the bounds, or None."""
    if not raw or len(raw) > 10:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if day_in_range(value) else None


def parse_moment(raw: str | None) -> datetime | None:
    """Return an aware datetime from ISO 8601 text with a UTC offset inside the bounds, or None.

    A space stands for "+" (an unencoded "+" in a query string arrives as a space)."""
    if not raw or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    try:
        return value if moment_in_range(value) else None
    except OverflowError:
        return None


def id_in_range(value: int) -> bool:
    return 1 <= value <= MAX_ID


def parse_id(raw: str | int | None) -> int | None:
    """Return a database id from text of ASCII digits (or an int) from 1 to 2**63 - 1, or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if id_in_range(raw) else None
    if not raw or len(raw) > 19 or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if id_in_range(value) else None


NUL = "\x00"


def may_hold_nul(body: bytes) -> bool:
    """Whether JSON parsed from `body` may hold a NUL in a string or property name; when not,
    nul_paths need not walk it (332 bytecodes of each API booking, whose body holds none).

    JSON cannot hold a raw NUL inside a string (json.loads refuses control characters there), so
    a NUL parsed from UTF-8 JSON was written as the escape \\u0000, and the escape's six bytes are in
    the body. A body in UTF-16 or UTF-32 (json.loads reads those too) has NUL bytes in every ASCII
    character: it may hold one. A literal backslash before u0000 also says "may": the walk decides."""
    return b"\\u0000" in body or b"\x00" in body


def nul_paths(value: object) -> list[str]:
    """Return the dotted paths of a parsed JSON value's strings and property names holding a NUL byte."""
    found: list[str] = []

    def walk(item: object, path: str) -> None:
        if isinstance(item, str):
            if NUL in item:
                found.append(path or "request")
        elif isinstance(item, dict):
            for key, sub in item.items():
                name = str(key).replace(NUL, "\\x00")
                here = f"{path}.{name}" if path else name
                if NUL in str(key):
                    found.append(here)
                walk(sub, here)
        elif isinstance(item, list):
            for index, sub in enumerate(item):
                walk(sub, f"{path}.{index}" if path else str(index))

    walk(value, "")
    return found
