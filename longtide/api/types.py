"""The API's input types: the rules of lib/bounds.py as pydantic types, stated in the OpenAPI document.

Each type refuses what the server cannot use with a specific error code (the `code` of the 422
answer when it is the only problem): `date_out_of_range`, `id_out_of_range`. Dates, times and ids
are read strictly, as the document states them: text in ISO 8601 for dates and times (never a
Unix timestamp), JSON numbers for ids in a body, ASCII digits for ids in a query string.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from longtide.lib import bounds

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SPECIFIC_CODES = frozenset({"date_out_of_range", "id_out_of_range"})


# The shape of a date and of the start of a moment: four ASCII digits of year (whose range _day
# and _moment check, with their own code), month, day.
_DAY_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T")


def _day_text(value: object) -> object:
    """A date is text, YYYY-MM-DD: pydantic's lax parsing would also read a Unix timestamp (a number
    or digits) and a datetime at midnight ("2026-12-02T00:00:00Z") as a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DAY_SHAPE.fullmatch(value):
        raise PydanticCustomError("invalid", _("Use a date written YYYY-MM-DD, e.g. 2026-12-01."))
    return value


def _moment_text(value: object) -> object:
    """A moment is ISO 8601 text: pydantic's lax parsing would also read a Unix timestamp (a number
    or digits) and a bare date as a time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _MOMENT_SHAPE.match(value):
        raise PydanticCustomError("invalid", _("Use ISO 8601 with a UTC offset, e.g. 2026-12-01T10:00:00-05:00."))
    return value


def _day(value: date) -> date:
    if not bounds.day_in_range(value):
        raise PydanticCustomError("date_out_of_range", _(bounds.DATE_MESSAGE))
    return value


def _moment(value: datetime) -> datetime:
    try:
        inside = bounds.moment_in_range(value)
    except OverflowError:
        inside = False
    if not inside:
        raise PydanticCustomError(
            "date_out_of_range",
            _("Choose a time from %(first)s to %(last)s (also in UTC).")
            % {"first": bounds.FIRST_DAY.isoformat(), "last": bounds.LAST_DAY.isoformat()},
        )
    return value


Day = Annotated[
    date,
    BeforeValidator(_day_text),
    AfterValidator(_day),
    Field(
        description=f"A date (YYYY-MM-DD) from {bounds.FIRST_DAY.isoformat()} to {bounds.LAST_DAY.isoformat()}.",
        json_schema_extra={"pattern": bounds.DATE_PATTERN},
    ),
]
Moment = Annotated[
    datetime,
    BeforeValidator(_moment_text),
    AfterValidator(_moment),
    Field(
        description="ISO 8601 with a UTC offset, e.g. 2026-12-01T10:00:00-05:00, from "
        f"{bounds.FIRST_DAY.isoformat()} to {bounds.LAST_DAY.isoformat()}.",
        json_schema_extra={"pattern": bounds.DATETIME_PATTERN},
    ),
]


def _id(value: int) -> int:
    if not bounds.id_in_range(value):
        raise PydanticCustomError("id_out_of_range", _(bounds.ID_MESSAGE))
    return value


def _json_id(value: object) -> object:
    """An id in a JSON body is a JSON number: 7 (or 7.0, the same number in JSON). Not text ("7",
    " 7", "1_0"), and not true, which pydantic would read as 1 (booking service 1)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("invalid", _(bounds.ID_MESSAGE))
    return value


def _query_id(value: object) -> object:
    """An id in a query string is ASCII digits only: pydantic's int parsing would also read " 7",
    "1_0" (10), "7.0" and "+7"."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("invalid", _(bounds.ID_MESSAGE))
    return value


_ID_FIELD = Field(
    description=f"An id: 1 to {bounds.MAX_ID}.", json_schema_extra={"minimum": 1, "maximum": bounds.MAX_ID}
)
Id = Annotated[int, BeforeValidator(_json_id), AfterValidator(_id), _ID_FIELD]
QueryId = Annotated[int, BeforeValidator(_query_id), AfterValidator(_id), _ID_FIELD]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=SLUG_PATTERN)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# An id in the path: one outside the bounds names nothing, so it is a 404 like any unknown id.
PathId = Annotated[
    int,
    Field(
        description=f"An id: 1 to {bounds.MAX_ID}; others are not found (404).",
        json_schema_extra={"minimum": 1, "maximum": bounds.MAX_ID},
    ),
]
