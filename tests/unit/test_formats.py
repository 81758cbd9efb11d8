"""lib/formats.py: prices in the practice's currency and locale, times on its 12- or 24-hour clock."""

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from longtide.lib import formats
from longtide.lib.formats import Formats

NBSP = "\xa0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("150.00", "USD", "en-US", "$150"),
        ("95.50", "USD", "en-US", "$95.50"),
        ("1500", "USD", "en-US", "$1,500"),
        ("150", "EUR", "fr-FR", f"150{NBSP}€"),
        ("150", "EUR", "de-DE", f"150{NBSP}€"),
        ("1500.5", "EUR", "de-DE", f"1.500,50{NBSP}€"),
        ("150", "CAD", "en-CA", "$150"),
        ("150", "USD", "en-CA", "US$150"),
        ("150", "GBP", "en-GB", "£150"),
        ("150", "CHF", "de-CH", f"CHF{NBSP}150"),
        ("0", "USD", "en-US", "$0"),
    ],
)
def test_prices(amount: str, currency: str, locale: str, expected: str) -> None:
    assert formats.price(Decimal(amount), currency, locale) == expected


def test_an_unknown_locale_is_written_as_en_us() -> None:
    assert formats.price(Decimal("150"), "USD", "xx-YY") == "$150"


@pytest.mark.parametrize(
    ("moment", "twelve", "twenty_four"),
    [
        (time(0, 5), "12:05 AM", "00:05"),
        (time(9, 0), "9:00 AM", "09:00"),
        (time(12, 0), "12:00 PM", "12:00"),
        (time(14, 0), "2:00 PM", "14:00"),
        (datetime(2026, 12, 1, 23, 45, tzinfo=UTC), "11:45 PM", "23:45"),
    ],
)
def test_clocks(moment: time | datetime, twelve: str, twenty_four: str) -> None:
    assert formats.clock(moment, 12) == twelve
    assert formats.clock(moment, 24) == twenty_four


def test_hours_of_the_calendar_grid() -> None:
    assert [formats.hour_text(h, 12) for h in (0, 9, 12, 13, 24)] == ["12 AM", "9 AM", "12 PM", "1 PM", "12 AM"]
    assert [formats.hour_text(h, 24) for h in (0, 9, 13)] == ["00:00", "09:00", "13:00"]


def test_django_date_formats_follow_the_clock() -> None:
    assert formats.date_format("D j M, g:i A", 24) == "D j M, H:i"
    assert formats.date_format("j F Y, H:i", 12) == "j F Y, g:i A"
    assert formats.date_format("D j M Y", 24) == "D j M Y"
    # With seconds (the note's "Draft saved at"), kept on either clock.
    assert formats.date_format("g:i:s A", 24) == "H:i:s"
    assert formats.date_format("H:i:s", 12) == "g:i:s A"
    assert formats.date_format("G:i", 24) == "H:i"


def test_currencies_are_iso_codes_cldr_knows() -> None:
    assert formats.is_currency("EUR") and formats.is_currency("CAD")
    assert not formats.is_currency("XYZ") and not formats.is_currency("eur") and not formats.is_currency("")
    # Codes that are not money (gold, the testing code, "no currency") are refused; CFA francs are money.
    assert not any(formats.is_currency(code) for code in ("XAU", "XTS", "XXX", "XDR"))
    assert formats.is_currency("XOF") and formats.is_currency("XAF") and formats.is_currency("XCD")


def test_every_offered_locale_is_one_babel_knows() -> None:
    for code, _label in formats.LOCALES:
        # A locale Babel did not know would silently fall back to en-US.
        assert formats._locale(code).language == code.split("-")[0]


def test_the_default_is_the_demos() -> None:
    default = Formats()
    assert (default.price(Decimal("150.00")), default.clock(time(14))) == ("$150", "2:00 PM")
    assert NNBSP not in default.clock(time(14))


@pytest.mark.parametrize(
    ("locale", "wide", "abbreviated"),
    [
        ("en-US", "Monday", "Mon"),
        ("en-GB", "Monday", "Mon"),
        ("fr-FR", "lundi", "lun."),
        ("de-DE", "Montag", "Mo."),
    ],
)
def test_weekday_names_come_from_the_locale(locale: str, wide: str, abbreviated: str) -> None:
    written = Formats(locale=locale)
    assert (written.weekday(0), written.weekday(0, "abbreviated")) == (wide, abbreviated)
    assert written.weekday(6) != written.weekday(0)  # 6 is Sunday, never Monday again
    assert Formats().weekday(6) == "Sunday"
