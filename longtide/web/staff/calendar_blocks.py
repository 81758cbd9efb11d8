"""The staff calendar's columns written in Python: each column's section of the grid (heading,
working hours, "Book" link, shaded working time, blocks) and of the phone's list, and the cancelled
list.

A busy week has ~200 appointments in 140 columns: through the template language each block cost
some 30 variable look-ups, twice (grid and list), which was most of the page's time
(bench/team_week.py). Every value goes through `_escape` (as `conditional_escape`), so it is escaped as the
template escaped it; the pieces are joined with plain `str.format` (format_html per piece was most of
what remained). The template keeps the page around them (toolbar, navigation, hour axis)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from longtide.web.staff.calendar_grid import Block, Grid
from longtide.web.templatetags.practice_formats import when

_SPECIAL = re.compile("[&<>\"']")  # what html.escape replaces
COMMA = mark_safe('<span class="vh">, </span> ')  # read out as a pause, not shown


def describe_columns(grid: Grid, *, view: str, by: str, book_url: str, appointment_url_prefix: str) -> None:
    """Write `grid.columns_html` and `grid.list_html`: each column's section of the grid and of the
    phone's list, as the template's loops wrote them (140 columns through the template language
    were most of a team week's page, bench/team_week.py), and `grid.cancelled_html`.

    A column's section has its heading, working hours, the link to book that day (for that
    practitioner), its shaded working time and its items: the grid's blocks placed on their lines
    and lanes, and the same blocks for the phone's list. An appointment's item links to its page
    with the time, client, service, room (or practitioner when the calendar is by room), status and
    the badges the view put on it (`intake_badge`, `note_overdue`); time off shows its time and label."""
    words = _Words(by, _escape(appointment_url_prefix))
    today = TODAY.format(_escape(_("Today")))
    book = _escape(_("Book"))
    none_grid = NONE_GRID.format(_escape(_("No appointments.")))
    none_list = NONE_LIST.format(_escape(_("No appointments.")))
    # As urlencode would write the link, escaped: an ISO date and an id need no quoting.
    book_href = _escape(book_url) + "?date="
    in_grid, in_list = [], []
    for n, column in enumerate(grid.columns, start=1):
        source = column.source
        practitioner = source.practitioner
        href = book_href + column.day.isoformat()
        if practitioner is not None:
            href += f"&amp;practitioner={practitioner.pk}"
        heading = _escape(column.heading)
        # "Book Maya Okafor on Mon 7 Dec" on a practitioner's or room's week; the heading names them otherwise.
        whose = source.subject if view == "week" and by != "team" else ""
        label = _escape(_("%(whose)s on %(day)s") % {"whose": whose, "day": column.heading}) if whose else heading
        if column.blocks:
            grid_items, list_items = [], []
            for block in column.blocks:
                says = words.says(block)
                status = _status_class(block)
                short = " cal-short" if block.is_short else ""
                classes = f"cal-block {status}{short} gs-{block.first_line} ge-{block.last_line} gc-{block.lane}"
                grid_items.append(ITEM.format(classes, says))
                list_items.append(ITEM.format(status, says))
            items, listed = "".join(grid_items), "".join(list_items)
        else:
            items, listed = none_grid, none_list
        shows_today = column.is_today and view == "week"
        today_class, today_mark = (" is-today", today) if shows_today else ("", "")
        hours = words.text(column.hours_text)
        shading = "".join([SHADING.format(first, last) for first, last in column.shading])
        # _FIELDS' order.
        in_grid.append(
            _SECTION.format(today_class, n, heading, today_mark, hours, href, book, label, shading, column.lanes, items)
        )
        in_list.append(
            _LIST_SECTION.format(today_class, n, heading, today_mark, hours, href, book, label, "", 0, listed)
        )
    grid.columns_html = _html(in_grid)
    grid.list_html = _html(in_list)
    said = _("%(at)s: %(client)s, %(service)s with %(practitioner)s")
    grid.cancelled_html = _html(
        CANCELLED.format(
            words.url_prefix,
            a.pk,
            # The appointment's times are already in the calendar's zone (calendar_grid._appointments).
            said
            % {
                "at": _escape(when(a.start, "D j M, g:i A")),
                "client": words.text(a.client.full_name),
                "service": words.text(a.service.name),
                "practitioner": words.text(a.practitioner.display_name),
            },
            _escape(a.get_status_display()),
        )
        for a in grid.cancelled
    )


# The cancelled list's items, as the template's loop wrote them.
CANCELLED = '\n      <li><a href="{}{}/">{}</a> — {}</li>\n    '
# The template's former loop bodies (templates/web/staff/calendar.html), whitespace and all.
TODAY = ' <span class="cal-today">{}</span>'
NONE_GRID = '<li class="vh">{}</li>'
NONE_LIST = '<li class="cal-none">{}</li>'
SECTION = (
    '\n      <section class="cal-col{today_class}" aria-labelledby="cal-col-{n}">\n        <div class="cal-head">\n'
    '          <h3 id="cal-col-{n}">{heading}{today}</h3>\n          <p class="cal-hours-text">{hours}</p>\n'
    '          <a class="cal-book" href="{href}">{book}<span class="vh"> {label}</span></a>\n        </div>\n'
    '        <div class="cal-body">\n          {shading}\n          <ol class="cal-items lanes-{lanes}" role="list">\n'
    "            {items}\n          </ol>\n        </div>\n      </section>\n      "
)
LIST_SECTION = (
    '\n    <section class="cal-list-col{today_class}" aria-labelledby="cal-list-{n}">\n'
    '      <div class="cal-list-head">\n        <h3 id="cal-list-{n}">{heading}{today}</h3>\n'
    '        <a class="button secondary" href="{href}">{book}<span class="vh"> {label}</span></a>\n      </div>\n'
    '      <p class="cal-hours-text">{hours}</p>\n      <ol class="cal-list-items" role="list">\n'
    "        {items}\n      </ol>\n    </section>\n    "
)
# The same with numbered fields, filled positionally (a dict of named values per column cost more).
_FIELDS = ("today_class", "n", "heading", "today", "hours", "href", "book", "label", "shading", "lanes", "items")


def _positional(template: str) -> str:
    for index, name in enumerate(_FIELDS):
        template = template.replace(f"{{{name}}}", f"{{{index}}}")
    return template


_SECTION, _LIST_SECTION = _positional(SECTION), _positional(LIST_SECTION)


def _escape(value: object) -> str:
    """Return `value` escaped as django.utils.html.conditional_escape does (safe HTML kept as it
    is), without its lazy-string wrapper: a team week escapes some 900 values."""
    if type(value) is str:  # plain text (not SafeString, not lazy): most have nothing to escape
        return html.escape(value) if _SPECIAL.search(value) else value
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _html(pieces: Iterable[str]) -> SafeString:
    # SafeString itself, as mark_safe returns it, without mark_safe's lazy-string wrapper (4,000 calls a team week).
    return SafeString("".join(pieces))  # written from this module's templates, every value escaped


# Every value put into these goes through _escape (conditional_escape, as format_html did); class names
# and grid lines are written here from numbers and status codes.
SHADING = '<div class="cal-work gs-{} ge-{}"></div>'
ITEM = '<li class="{}">{}</li>'
TIME_OFF = '<span class="cal-time">{}</span>' + COMMA + "<span>{}</span>"
APPOINTMENT = (
    '<a href="{}{}/"><span class="cal-time">{}</span>'
    + COMMA
    + '<span class="cal-client">{}</span>'
    + COMMA
    + "<span>{}</span>"
    + COMMA
    + "<span>{}</span>"
    + COMMA
    + '<span class="cal-status">{}</span>{}</a>'
)
INTAKE = COMMA + '<span class="cal-intake intake-{}">{}</span>'
OVERDUE = COMMA + '<span class="cal-intake intake-todo note-overdue">{}</span>'


class _Words:
    """Writes the blocks' text, escaping each name once however many blocks show it."""

    def __init__(self, by: str, url_prefix: str) -> None:
        self.by = by
        self.url_prefix = url_prefix
        self.escaped: dict[str, str] = {}
        self.statuses: dict[str, str] = {}
        self.overdue = OVERDUE.format(_escape(_("Note overdue")))

    def text(self, value: str) -> str:
        found = self.escaped.get(value)
        if found is None:
            found = self.escaped[value] = _escape(value)
        return found

    def says(self, block: Block) -> str:
        a = block.appointment
        if a is None:
            return TIME_OFF.format(_escape(block.time_text), _escape(block.label))
        status = self.statuses.get(a.status)
        if status is None:
            status = self.statuses[a.status] = _escape(a.get_status_display())
        badges = ""
        if a.intake_badge:
            badges += INTAKE.format(_escape(a.intake_badge[0]), _escape(a.intake_badge[1]))
        if a.note_overdue:
            badges += self.overdue
        return APPOINTMENT.format(
            self.url_prefix,
            a.pk,
            self.text(block.time_text),
            self.text(a.client.full_name),
            self.text(a.service.name),
            self.text(a.practitioner.display_name if self.by == "room" else a.room.name),
            status,
            badges,
        )


def _status_class(block: Block) -> str:
    return f"status-{block.appointment.status}" if block.appointment is not None else "cal-off"
