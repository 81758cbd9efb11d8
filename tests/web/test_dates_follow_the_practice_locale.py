"""Every date a client or staff member reads is written in the practice's locale (lib/formats.py
`date_text`, through Babel's CLDR data): "Thu 3 Dec" for an English-speaking practice, "jeu. 3 déc."
for fr-FR, "Do., 3. Dez." for de-DE, on pages and in emails. Machine dates (form values, links,
the API, .ics times) stay ISO.

The guard tests below read the source: templates write dates with |when (never |date with a day
or month name), Python writes them with Formats.date (never strftime, dateformat or an f-string
"%a %b")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client as HttpClient

import longtide
from conftest import Cast
from longtide.lib.formats import Formats, date_text, is_date_format
from longtide.practice.models import Practice
from longtide.web import formats
from longtide.web.templatetags.practice_formats import split_when

PACKAGE = Path(longtide.__file__).parent
TEMPLATES = PACKAGE / "web" / "templates"
THURSDAY = date(2026, 12, 3)

# Characters a |date may still use: ISO dates for form values and links ("Y-m-d", "Y-m"), and times of
# day (their clock is the other guard's, test_templates_use_the_practice_clock.py).
MACHINE_OR_TIME = set("Ymd-") | set("gGhHisuAaTeOP:. ")
DATE_FILTER = re.compile(r"""\|date:(["'])(.*?)\1""")
WHEN_FILTER = re.compile(r"""\|when:(["'])(.*?)\1""")
TIME_CHARACTERS = set("gGhHisuAaTeOP:. ")
# Python that writes day or month names, or a day-month order, outside lib/formats.py.
ENGLISH_ONLY = [
    re.compile(r"\bstrftime\("),
    re.compile(r"\bdateformat\."),
    re.compile(r"\{[^{}\n]*:[^{}\n]*%[aAbBej][^{}\n]*\}"),  # f"{day:%a %d %b}"
    re.compile(r"\bdate_filter\("),
]
ALLOWED_PYTHON = {PACKAGE / "web" / "templatetags" / "practice_formats.py"}


@pytest.mark.parametrize(
    ("locale", "django_format", "expected"),
    [
        ("en-US", "D j M", "Thu 3 Dec"),
        ("en-GB", "D j M", "Thu 3 Dec"),
        ("fr-FR", "D j M", "jeu. 3 déc."),
        ("de-DE", "D j M", "Do., 3. Dez."),
        ("en-US", "l j F Y", "Thursday 3 December 2026"),
        ("fr-FR", "l j F Y", "jeudi 3 décembre 2026"),
        ("de-DE", "l j F Y", "Donnerstag, 3. Dezember 2026"),
        ("es-ES", "l j F", "jueves, 3 de diciembre"),
        ("es-ES", "j F Y", "3 de diciembre de 2026"),
        ("de-DE", "j M Y", "3. Dez. 2026"),
        ("fr-FR", "F Y", "décembre 2026"),
        ("en-US", "d M y", "03 Dec 26"),
        ("nl-NL", "D j", "do 3"),
        ("klingon", "D j M", "Thu 3 Dec"),  # an unknown locale is en-US, as for prices
    ],
)
def test_a_date_is_written_in_the_locale(locale: str, django_format: str, expected: str) -> None:
    assert date_text(THURSDAY, django_format, locale) == expected


def test_a_datetime_is_written_as_its_own_wall_clock_date() -> None:
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert Formats(locale="fr-FR").date(late, "D j M") == "jeu. 3 déc."


@pytest.mark.parametrize("django_format", ["", "g:i A", "D j M, g:i A", "N j", "jS F", "Y-m-d H:i"])
def test_a_format_with_anything_but_date_parts_is_refused(django_format: str) -> None:
    assert not is_date_format(django_format)
    with pytest.raises(ValueError, match="not a date format"):
        date_text(THURSDAY, django_format, "en-US")


@pytest.mark.parametrize(
    ("locale", "clock", "expected"),
    [
        ("fr-FR", 24, "jeu. 3 déc. 2026, 14:05 EST"),
        ("de-DE", 24, "Do., 3. Dez. 2026, 14:05 EST"),
        ("en-US", 12, "Thu 3 Dec 2026, 2:05 PM EST"),
    ],
)
def test_the_when_filter_writes_the_date_in_the_locale_and_the_time_on_the_clock(
    locale: str, clock: int, expected: str
) -> None:
    moment = datetime(2026, 12, 3, 19, 5, tzinfo=UTC)
    template = Template(
        '{% load tz %}{% timezone "America/New_York" %}{{ m|when:"D j M Y, g:i A T" }}{% endtimezone %}'
    )
    with formats.using(Formats(locale=locale, clock_hours=clock)):
        assert template.render(Context({"m": moment})) == expected


def test_the_when_filter_writes_a_date_alone_and_a_time_alone() -> None:
    template = Template('{{ d|when:"j F Y" }} · {% load tz %}{% timezone "UTC" %}{{ m|when:"g:i A" }}{% endtimezone %}')
    with formats.using(Formats(locale="de-DE", clock_hours=24)):
        text = template.render(Context({"d": THURSDAY, "m": datetime(2026, 12, 3, 9, 0, tzinfo=UTC)}))
    assert text == "3. Dezember 2026 · 09:00"
    assert Template("{{ x|when:'j M Y' }}").render(Context({"x": None})) == ""


@pytest.mark.django_db
def test_a_french_practice_reads_french_dates_on_the_booking_and_staff_pages(client: HttpClient, cast: Cast) -> None:
    Practice.objects.filter(pk=cast.tidewater.pk).update(locale="fr-FR", clock_hours=24)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        times = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02").text
        client.force_login(cast.olga_user)
        day = client.get("/staff/tidewater/calendar/?date=2026-12-02").text
        week = client.get(f"/staff/tidewater/calendar/?view=week&date=2026-12-02&practitioner={cast.ana.pk}").text
    assert "mercredi 2 décembre" in times and "Wednesday" not in times
    assert "mercredi 2 décembre 2026" in day and "Wednesday" not in day
    assert "lun. 30 nov." in week and "mer. 2 déc." in week and "Wed 2 Dec" not in week


@pytest.mark.django_db
def test_an_english_practice_reads_the_dates_it_always_has(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False):
        client.force_login(cast.olga_user)
        week = client.get(f"/staff/tidewater/calendar/?view=week&date=2026-12-02&practitioner={cast.ana.pk}").text
    assert "Week of Monday 30 November 2026" in week and "Wed 2 Dec" in week


def test_no_template_writes_a_date_with_names_or_an_order_in_english() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt", ".ics"}
        for match in DATE_FILTER.finditer(path.read_text())
        if not set(match.group(2)) <= MACHINE_OR_TIME
    ]
    assert found == [], 'write dates with |when:"D j M" (practice_formats), not |date:\n' + "\n".join(found)


def test_every_when_format_has_a_date_the_locale_can_write_and_a_time_of_day() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in WHEN_FILTER.finditer(path.read_text()):
            date_part, time_part = split_when(match.group(2))
            if (date_part and not is_date_format(date_part)) or not set(time_part) <= TIME_CHARACTERS:
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert found == [], "a |when format is a date (D l j d M F Y y), then ', ' and a time of day:\n" + "\n".join(found)


def test_no_python_writes_a_date_in_english_only() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and path not in ALLOWED_PYTHON
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(pattern.search(line) for pattern in ENGLISH_ONLY)
    ]
    assert found == [], "write dates with Formats.date (lib/formats.py) or web/times.py:\n" + "\n".join(found)
