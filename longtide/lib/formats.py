"""A practice's formats: prices in its currency and locale, dates in its locale, times on its 12- or
24-hour clock.

Django-free. Used by the pages (the template filters of web/templatetags/practice_formats.py and
web/times.py) and by the messages (scheduling/booking_messages.py), so that a page and an email
say the same date and time the same way. Currency and date formatting come from Babel (CLDR data:
the symbol, its place and the separators; the day and month names and their order in each
locale). English locales keep the house style "Thu 3 Dec 2026" (unambiguous in every English
region); the others read "jeu. 3 déc. 2026", "Do., 3. Dez. 2026" …
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, match_skeleton
from babel.numbers import format_currency, list_currencies

CLOCK_12 = 12
CLOCK_24 = 24
CLOCKS = (CLOCK_12, CLOCK_24)

# The locales a practice can choose: English-speaking regions and the main European ones (their
# prices read "150 €", "CHF 150" ...). Page text is English in every one.
LOCALES: list[tuple[str, str]] = [
    ("en-US", "English (United States)"),
    ("en-CA", "English (Canada)"),
    ("en-GB", "English (United Kingdom)"),
    ("en-IE", "English (Ireland)"),
    ("en-AU", "English (Australia)"),
    ("en-NZ", "English (New Zealand)"),
    ("fr-CA", "French (Canada)"),
    ("fr-FR", "French (France)"),
    ("fr-CH", "French (Switzerland)"),
    ("de-DE", "German (Germany)"),
    ("de-AT", "German (Austria)"),
    ("de-CH", "German (Switzerland)"),
    ("nl-NL", "Dutch (Netherlands)"),
    ("es-ES", "Spanish (Spain)"),
    ("es-MX", "Spanish (Mexico)"),
    ("it-IT", "Italian (Italy)"),
    ("pt-PT", "Portuguese (Portugal)"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("sv-SE", "Swedish (Sweden)"),
    ("da-DK", "Danish (Denmark)"),
    ("nb-NO", "Norwegian (Norway)"),
]
LOCALE_CODES = frozenset(code for code, _ in LOCALES)

# Django date-format characters for a time of day, per clock: "2:00 PM" or "14:00".
_TIME_IN_FORMAT = re.compile(r"(?:g:i(?P<s12>:s)? A)|(?:[GH]:i(?P<s24>:s)?)")


@dataclass(frozen=True, slots=True)
class Formats:
    """How one practice writes prices and times. The default is the demo's: en-US, USD, 12-hour."""

    locale: str = "en-US"
    currency: str = "USD"
    clock_hours: int = CLOCK_12

    def price(self, amount: Decimal | int | str) -> str:
        return price(amount, self.currency, self.locale)

    def clock(self, moment: datetime | time) -> str:
        return clock(moment, self.clock_hours)

    def hour(self, hour: int) -> str:
        return hour_text(hour, self.clock_hours)

    def date_format(self, django_format: str) -> str:
        return date_format(django_format, self.clock_hours)

    def date(self, day: date, django_format: str = "D j M") -> str:
        return date_text(day, django_format, self.locale)

    def weekday(self, weekday: int, width: str = "wide") -> str:
        return weekday_name(weekday, self.locale, width)


# ISO 4217 codes that are not money a clinic charges in: precious metals, bond-market units, the IMF's
# drawing rights, the testing code and "no currency". (XAF, XOF, XCD, XPF are real money and stay.)
NOT_MONEY = frozenset({"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX"})


def is_currency(code: str) -> bool:
    """An ISO 4217 code of money that CLDR knows, in capitals: USD, EUR, CAD, GBP, XOF …"""
    return code in _currencies() and code not in NOT_MONEY


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without decimals, for whole amounts: "¤#,##0", "#,##0 ¤"."""
    pattern = _locale(locale).currency_formats["standard"].pattern
    return re.sub(r"\.0+", "", pattern)


@cache
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def price(amount: Decimal | int | str, currency: str, locale: str) -> str:
    """Return "$150", "150 €", "$95.50", "CHF 150" — whole amounts without decimals.

    An unknown locale is en-US; an unknown currency code is written as its code ("150 XYZ" style is
    Babel's), never an error.
    """
    value = Decimal(str(amount))
    code = currency.upper()
    loc = _locale(locale)
    if value == value.to_integral_value():
        return format_currency(value, code, locale=loc, format=_whole_pattern(locale), currency_digits=False)
    return format_currency(value, code, locale=loc)


def clock(moment: datetime | time, clock_hours: int) -> str:
    """Return "2:00 PM" (12-hour) or "14:00" (24-hour) for the wall-clock time of `moment` as given."""
    if clock_hours == CLOCK_24:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def hour_text(hour: int, clock_hours: int) -> str:
    """Return "9 AM" / "12 PM" (12-hour) or "09:00" (24-hour) for an hour of the day (0–24)."""
    hour %= 24
    if clock_hours == CLOCK_24:
        return f"{hour:02d}:00"
    return f"{hour % 12 or 12} {'AM' if hour < 12 else 'PM'}"


def date_format(django_format: str, clock_hours: int) -> str:
    """Rewrite a Django date format's time of day ("g:i A", "G:i" or "H:i", each optionally with
    seconds: "g:i:s A", "H:i:s") for the practice's clock."""

    def rewrite(found: re.Match[str]) -> str:
        seconds = ":s" if found["s12"] or found["s24"] else ""
        return f"H:i{seconds}" if clock_hours == CLOCK_24 else f"g:i{seconds} A"

    return _TIME_IN_FORMAT.sub(rewrite, django_format)


# Dates. Callers name the date they want with the characters of a Django date format that say which
# parts it shows ("D j M": short weekday, day, short month); Babel writes it in the locale.
# D short weekday · l full weekday · j day · d day, two digits · M short month · F full month ·
# Y year · y two-digit year. Spaces, commas and dots between them only shape the English house
# style; other locales use CLDR's order and punctuation for the same parts.
_ENGLISH = {"D": "EEE", "l": "EEEE", "j": "d", "d": "dd", "M": "MMM", "F": "MMMM", "Y": "y", "y": "yy"}
_LITERAL = frozenset(" ,.-/")
_QUOTED = re.compile(r"('[^']*')")
_YEAR_AT_END = re.compile(r"[\s,]*(?:'[^']*'\s*)?y+\.?$")


def is_date_format(django_format: str) -> bool:
    """Whether `date_text` can write this format: only the characters above, at least one of them."""
    return any(c in _ENGLISH for c in django_format) and all(c in _ENGLISH or c in _LITERAL for c in django_format)


def weekday_name(weekday: int, locale: str, width: str = "wide") -> str:
    """Return the name of `weekday` (0 Monday … 6 Sunday) in `locale`, from CLDR: "Monday", "lundi",
    "Montag"; width "abbreviated": "Mon", "lun.", "Mo."."""
    return str(_locale(locale).days["format"][width][weekday])


def date_text(day: date, django_format: str, locale: str) -> str:
    """Return the date `day` (a datetime's own wall-clock date) with the parts `django_format` names,
    in `locale`: "Thu 3 Dec" (en-*), "jeu. 3 déc." (fr-FR), "Do., 3. Dez." (de-DE) for "D j M".

    Raises ValueError for a format with other characters (a time of day goes through `clock`).
    """
    if not is_date_format(django_format):
        raise ValueError(f"not a date format: {django_format!r}")
    if isinstance(day, datetime):
        day = day.date()
    return _date_text(day, django_format, locale)


@lru_cache(maxsize=4096)
def _date_text(day: date, django_format: str, locale: str) -> str:
    """`date_text`'s answer, remembered: a pure function of its arguments, and a booking's email
    writes the same few dates (babel's `format_date` was 4 % of a booking's server CPU)."""
    loc = _locale(locale)
    return format_date(day, _pattern(django_format, loc.language, str(loc)), locale=loc)


@cache
def _pattern(django_format: str, language: str, locale: str) -> str:
    if language == "en":
        return "".join(_ENGLISH.get(c, c) for c in django_format)
    wide_month, wide_day, short_year = "F" in django_format, "l" in django_format, "y" in django_format
    year = "y" if "Y" in django_format or short_year else ""
    month = "MMM" if "M" in django_format or wide_month else ""
    weekday = "E" if "D" in django_format or wide_day else ""
    day = "d" if "j" in django_format or "d" in django_format else ""
    loc = _locale(locale)
    skeletons = loc.datetime_skeletons
    # CLDR's own wide form first ("d 'de' MMMM" in Spanish, where the short one has no "de").
    if wide_day and wide_month and day:
        # "Thursday 3 December 2026": the locale's full date, without its year if none is wanted.
        full = str(loc.date_formats["full"].pattern)
        without_year = _YEAR_AT_END.sub("", full)
        if year or without_year != full:
            return _shorten_year(full, short_year) if year else without_year
    wide = year + ("MMMM" if wide_month else month) + ("EEEE" if wide_day else weekday) + day
    if wide in skeletons:
        return _shorten_year(str(skeletons[wide].pattern), short_year)
    short = year + month + weekday + day
    found = skeletons.get(short) or skeletons[match_skeleton(short, skeletons) or "yMMMd"]
    pattern = str(found.pattern)
    # Widen or shorten the fields outside quoted literals ("d 'de' MMM" keeps its "de").
    parts = _QUOTED.split(pattern)
    for i in range(0, len(parts), 2):
        part = parts[i]
        if wide_month:
            part = re.sub(r"(?<![ML])([ML])\1\1(?![ML])", r"\1\1\1\1", part)
        if wide_day:
            part = re.sub(r"(?<![Ec])([Ec])\1{0,2}(?![Ec])", r"\1\1\1\1", part)
        parts[i] = part
    return _shorten_year("".join(parts), short_year)


def _shorten_year(pattern: str, short: bool) -> str:
    if not short:
        return pattern
    parts = _QUOTED.split(pattern)
    return "".join(re.sub(r"(?<!y)y+(?!y)", "yy", p) if i % 2 == 0 else p for i, p in enumerate(parts))
