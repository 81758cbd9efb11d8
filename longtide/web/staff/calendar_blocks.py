"""The items of each staff calendar column, written once per block in Python: the grid's `<li>`s
and the phone list's `<li>`s of the same day or week, and the shaded working time.

A busy week has ~200 appointments in 140 columns: through the template language each block cost
some 30 variable look-ups, twice (grid and list), which was most of the page's time
(bench/team_week.py). Every value goes through `format_html`, so it is escaped exactly as the
template escaped it; the template keeps the columns, headings and everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from longtide.scheduling.models import Appointment
from longtide.web.staff.calendar_grid import Block, Grid

COMMA = mark_safe('<span class="vh">, </span> ')  # read out as a pause, not shown


def describe_columns(grid: Grid, *, view: str, by: str, book_url: str, appointment_url_prefix: str) -> None:
    """Give each column of `grid` its `book_href` and `book_label` (the link to book that day, for
    that practitioner), `shading_html`, `items_html` (the grid's blocks placed on
    their lines and lanes) and `list_items_html` (the same blocks for the phone's list).

    An appointment's item links to its page with the time, client, service, room (or practitioner
    when the calendar is by room), status and the badges the view put on it (`intake_badge`,
    `note_overdue`); time off shows its time and label."""
    for column in grid.columns:
        practitioner = column.source.practitioner
        query = {"date": column.day.isoformat(), **({"practitioner": practitioner.pk} if practitioner else {})}
        column.book_href = f"{book_url}?{urlencode(query)}"
        # "Book Maya Okafor on Mon 7 Dec" on a practitioner's or room's week; the heading names them otherwise.
        whose = column.source.subject if view == "week" and by != "team" else ""
        column.book_label = (
            _("%(whose)s on %(day)s") % {"whose": whose, "day": column.heading} if whose else column.heading
        )
        says = [_says(block, by, appointment_url_prefix) for block in column.blocks]
        column.shading_html = format_html_join("", '<div class="cal-work gs-{} ge-{}"></div>', column.shading)
        column.items_html = _join(
            format_html('<li class="{}">{}</li>', _grid_classes(block), text)
            for block, text in zip(column.blocks, says, strict=True)
        )
        column.list_items_html = _join(
            format_html('<li class="{}">{}</li>', _status_class(block), text)
            for block, text in zip(column.blocks, says, strict=True)
        )


def _join(items: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((item,) for item in items))


def _status_class(block: Block) -> str:
    return f"status-{block.appointment.status}" if block.appointment is not None else "cal-off"


def _grid_classes(block: Block) -> str:
    short = " cal-short" if block.is_short else ""
    return f"cal-block {_status_class(block)}{short} gs-{block.first_line} ge-{block.last_line} gc-{block.lane}"


def _says(block: Block, by: str, url_prefix: str) -> SafeString:
    a = block.appointment
    if a is None:
        return format_html('<span class="cal-time">{}</span>{}<span>{}</span>', block.time_text, COMMA, block.label)
    return _appointment(block, a, by, url_prefix)


def _appointment(block: Block, a: Appointment, by: str, url_prefix: str) -> SafeString:
    other = a.practitioner.display_name if by == "room" else a.room.name
    badges = SafeString()  # SafeString + SafeString stays safe
    badge: tuple[str, str] | None = getattr(a, "intake_badge", None)
    if badge:
        badges += format_html('{}<span class="cal-intake intake-{}">{}</span>', COMMA, badge[0], badge[1])
    if getattr(a, "note_overdue", False):
        badges += format_html('{}<span class="cal-intake intake-todo note-overdue">{}</span>', COMMA, _("Note overdue"))
    return format_html(
        '<a href="{}{}/"><span class="cal-time">{}</span>{}<span class="cal-client">{}</span>{}<span>{}</span>{}'
        '<span>{}</span>{}<span class="cal-status">{}</span>{}</a>',
        url_prefix,
        a.pk,
        block.time_text,
        COMMA,
        a.client.full_name,
        COMMA,
        a.service.name,
        COMMA,
        other,
        COMMA,
        a.get_status_display(),
        badges,
    )
