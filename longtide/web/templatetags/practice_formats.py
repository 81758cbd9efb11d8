"""Prices and times in the practice's formats (web/formats.py), on every page. Built in (settings.py).

- ``{{ service.price|price }}``: "$150", "150 €", "$95.50".
- ``{{ moment|clock }}``: "2:00 PM" or "14:00", in the current time zone.
- ``{{ moment|when:"D j M, g:i A" }}``: the date in the practice's locale ("Thu 3 Dec",
  "jeu. 3 déc.", "Do., 3. Dez."; lib/formats.py `date_text`: the format's characters name the parts
  shown), then after ", " the time of day on the practice's clock ("g:i A", "G:i" or "H:i", with
  Django's ``date`` characters, e.g. "T" for the zone). ``|when:"j M Y"`` is a date alone,
  ``|when:"g:i A T"`` a time alone. Templates never write a date with ``|date`` (the guard test
  tests/web/test_templates_use_the_practice_clock.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter

from longtide.lib.formats import is_date_format
from longtide.web.formats import current

register = template.Library()


@register.filter
def price(amount: Any) -> str:
    try:
        return current().price(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        return ""


@register.filter(expects_localtime=True)
def clock(moment: Any) -> str:
    if isinstance(moment, datetime):
        return current().clock(moment)
    if isinstance(moment, time):
        return current().clock(moment)
    return ""


def split_when(django_format: str) -> tuple[str, str]:
    """Return the date part and the time part of a |when format ("D j M, g:i A" → "D j M", "g:i A")."""
    date_part, _, time_part = django_format.partition(", ")
    if is_date_format(date_part):
        return date_part, time_part
    return "", django_format


@register.filter(expects_localtime=True)
def when(moment: Any, django_format: str) -> str:
    if not isinstance(moment, date):
        return ""
    formats = current()
    date_part, time_part = split_when(django_format)
    parts = []
    if date_part:
        parts.append(formats.date(moment, date_part))
    if time_part:
        parts.append(str(date_filter(moment, formats.date_format(time_part))))
    return ", ".join(parts)
