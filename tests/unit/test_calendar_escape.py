"""web/staff/calendar_blocks._escape writes what django.utils.html.conditional_escape writes."""

from typing import Any

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from longtide.web.staff.calendar_blocks import _escape


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Maya Okafor",
        "O'Brien",
        'say "hi"',
        "Tom & Jerry",
        "<script>alert(1)</script>",
        "&amp;",
        "Mon 7 Dec · Ana Silva",
        "Working 9:00\u202fAM–5:00\u202fPM",
        mark_safe("<b>safe</b> & kept"),
        gettext_lazy("Tom & Jerry's <b>"),
        42,
    ],
)
def test_escape_is_conditional_escape(value: Any) -> None:
    assert _escape(value) == str(conditional_escape(value))
