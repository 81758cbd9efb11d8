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
import string
from collections.abc import Iterable
from datetime import date

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from longtide.web.staff.calendar_grid import Block, Booked, Grid
from longtide.web.templatetags.practice_formats import when

_SPECIAL = re.compile("[&<>\"']")  # what html.escape replaces
# Read out as a pause, not shown. Plain text (HTML, like the pieces it joins): a SafeString in an
# f-string is written through its Python-level __str__ (four per block).
COMMA = '<span class="vh">, </span> '


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
    # Every piece of both sections, in order, joined once at the end: a section per column written
    # with str.format (its template parsed each time) and then joined was a third of this function.
    in_grid: list[str] = []
    in_list: list[str] = []
    g, li = _SECTION_PIECES, _LIST_PIECES
    escaped, says = words.escaped, words.says
    days: dict[date, str] = {}  # a week's 140 columns are 7 days
    for n, column in enumerate(grid.columns, start=1):
        source = column.source
        day = source.day
        href = days.get(day) or days.setdefault(day, book_href + day.isoformat())
        practitioner = source.practitioner
        if practitioner is not None:
            href += f"&amp;practitioner={practitioner.id}"
        heading = _escape(source.heading)
        # "Book Maya Okafor on Mon 7 Dec" on a practitioner's or room's week; the heading names them otherwise.
        whose = source.subject if view == "week" and by != "team" else ""
        label = _escape(_("%(whose)s on %(day)s") % {"whose": whose, "day": source.heading}) if whose else heading
        today_class, today_mark = (" is-today", today) if column.is_today and view == "week" else ("", "")
        hours = escaped[column.hours_text]
        shaded = column.shading
        if len(shaded) == 1:  # most columns: one stretch of working time
            shading = SHADING.format(*shaded[0])
        else:
            shading = "".join([SHADING.format(first, last) for first, last in shaded])
        number = str(n)
        # SECTION's and LIST_SECTION's fields, in order (_pieces), up to their items.
        in_grid += (
            g[0], today_class, g[1], number, g[2], number, g[3], heading, g[4], today_mark, g[5], hours,
            g[6], href, g[7], book, g[8], label, g[9], shading, g[10], str(column.lanes), g[11],
        )  # fmt: skip
        in_list += (
            li[0], today_class, li[1], number, li[2], number, li[3], heading, li[4], today_mark, li[5], href,
            li[6], book, li[7], label, li[8], hours, li[9],
        )  # fmt: skip
        if column.blocks:
            for block in column.blocks:
                text = says(block)
                status = "cal-off" if block.appointment is None else f"status-{block.appointment.status}"
                first, last = block.first_line, block.last_line
                short = " cal-short" if last - first <= 2 else ""  # Block.is_short
                # The item: in the grid with the classes that place it on its lines and lane.
                in_grid.append(
                    f'<li class="cal-block {status}{short} gs-{first} ge-{last} gc-{block.lane}">{text}</li>'
                )
                in_list.append(f'<li class="{status}">{text}</li>')
        else:
            in_grid.append(none_grid)
            in_list.append(none_list)
        in_grid.append(g[12])
        in_list.append(li[10])
    grid.columns_html = _html(in_grid)
    grid.list_html = _html(in_list)
    # The hour axis, as the template's loop wrote it ({{ line }} is a small integer: no separators).
    grid.axis_html = _html(HOUR.format(line, _escape(label)) for line, label in grid.hour_labels)
    said = _("%(at)s: %(client)s, %(service)s with %(practitioner)s")
    grid.cancelled_html = _html(
        CANCELLED.format(
            words.url_prefix,
            a.pk,
            # The appointment's times are already in the calendar's zone (calendar_grid._appointments).
            said
            % {
                "at": _escape(when(a.start, "D j M, g:i A")),
                "client": words.escaped[a.client.full_name],
                "service": words.escaped[a.service.name],
                "practitioner": words.escaped[a.practitioner.display_name],
            },
            words.status(a),
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


def _pieces(template: str, fields: tuple[str, ...]) -> list[str]:
    """Return the text of `template` between its fields, checking that they are `fields` in order."""
    parsed = list(string.Formatter().parse(template))
    if tuple(name for _, name, _, _ in parsed if name is not None) != fields:
        raise ValueError(f"the template's fields are not {fields}")
    return [literal for literal, *_ in parsed] + ([""] if parsed[-1][1] is not None else [])


_SECTION_PIECES = _pieces(
    SECTION,
    ("today_class", "n", "n", "heading", "today", "hours", "href", "book", "label", "shading", "lanes", "items"),
)
_LIST_PIECES = _pieces(
    LIST_SECTION, ("today_class", "n", "n", "heading", "today", "href", "book", "label", "hours", "items")
)


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
HOUR = '<span class="cal-hour gs-{}">{}</span>'
TIME_OFF = '<span class="cal-time">{}</span>' + COMMA + "<span>{}</span>"
# An item ('<li class="{}">{}</li>') and an appointment's link are written out as f-strings in
# describe_columns and _Words.says: a str.format template is parsed at each use (~200 blocks).
INTAKE = COMMA + '<span class="cal-intake intake-{}">{}</span>'
OVERDUE = COMMA + '<span class="cal-intake intake-todo note-overdue">{}</span>'


class _Words:
    """Writes the blocks' text, escaping each name once however many blocks show it."""

    def __init__(self, by: str, url_prefix: str) -> None:
        self.by = by
        self.url_prefix = url_prefix
        self.escaped = _Escaped()
        self.statuses: dict[str, str] = {}
        self.overdue = OVERDUE.format(_escape(_("Note overdue")))

    def status(self, a: Booked) -> str:
        """Return the appointment's status as shown, escaped: translated once per status."""
        found = self.statuses.get(a.status)
        if found is None:
            found = self.statuses[a.status] = _escape(a.get_status_display())
        return found

    def says(self, block: Block) -> str:
        a = block.appointment
        if a is None:
            return TIME_OFF.format(_escape(block.time_text), _escape(block.label))
        status = self.statuses.get(a.status) or self.status(a)
        badges = ""
        if a.intake_badge:
            badges += INTAKE.format(_escape(a.intake_badge[0]), _escape(a.intake_badge[1]))
        if a.note_overdue:
            badges += self.overdue
        escaped = self.escaped
        return (
            f'<a href="{self.url_prefix}{a.pk}/"><span class="cal-time">{escaped[block.time_text]}</span>{COMMA}'
            f'<span class="cal-client">{escaped[a.client.full_name]}</span>{COMMA}'
            f"<span>{escaped[a.service.name]}</span>{COMMA}"
            f"<span>{escaped[a.practitioner.display_name if self.by == 'room' else a.room.name]}</span>{COMMA}"
            f'<span class="cal-status">{status}</span>{badges}</a>'
        )


class _Escaped(dict[str, str]):
    """Each text escaped (`_escape`), worked out the first time it is asked for: a team week's ~200
    blocks name the same few services, rooms and times."""

    def __missing__(self, text: str) -> str:
        found = self[text] = _escape(text)
        return found
